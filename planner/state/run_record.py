"""A run's record: its whole plan, stored once when the run starts.

Journals are per service and begin only when a service starts, so a run killed after its
first service left no trace of the others. The record holds every service of the run (the
plan as the plan file holds it: secrets as placeholders), so `apply --resume` and `rollback`
know the whole run from the state alone, on any machine. Pure data with JSON round-trips.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

RECORD_FORMAT = 1


@dataclass(frozen=True)
class RunRecord:
    """What a run set out to do; outcomes live in the services' journals."""

    run_id: str
    operation: str  # apply | deploy | rollback | scale | refresh | delete
    created: str
    who: str
    version: str
    plan: Mapping[str, Any]  # plan-file data (secret placeholders), every service
    workspace: str | None = None  # the -w file, as given
    undoes: str | None = None  # a rollback: the run it undoes
    state_keys: tuple[str, ...] = field(default=())  # cluster/service per plan service

    def key_of(self) -> dict[str, str]:
        """Plan key -> state key, in plan order."""
        keys = [str(s.get("key")) for s in self.plan.get("services") or ()]
        return dict(zip(keys, self.state_keys, strict=True))

    def to_json(self) -> bytes:
        data = {
            "format": RECORD_FORMAT,
            "run_id": self.run_id,
            "operation": self.operation,
            "created": self.created,
            "who": self.who,
            "version": self.version,
            "workspace": self.workspace,
            "undoes": self.undoes,
            "state_keys": list(self.state_keys),
            "plan": self.plan,
        }
        return (json.dumps(data, indent=1, default=str) + "\n").encode()

    @classmethod
    def from_json(cls, raw: bytes, where: str) -> RunRecord:
        """Decode, or raise ValueError naming ``where`` (a damaged record is never guessed at)."""
        try:
            d = json.loads(raw)
            if d.get("format") != RECORD_FORMAT:
                raise ValueError(f"format {d.get('format')!r} (this ecsplan reads 1)")
            record = cls(
                run_id=str(d["run_id"]),
                operation=str(d["operation"]),
                created=str(d["created"]),
                who=str(d["who"]),
                version=str(d["version"]),
                plan=dict(d["plan"]),
                workspace=d.get("workspace"),
                undoes=d.get("undoes"),
                state_keys=tuple(str(k) for k in d["state_keys"]),
            )
            record.key_of()
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise ValueError(f"{where}: unreadable run record: {e}") from e
        return record
