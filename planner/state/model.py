"""What the state holds: lock info, journal entries, run summaries, step states.

Frozen data with JSON round-trips. Pure: no I/O, so backends and the CLI share one reading
of what a journal means (``summarize_run``, ``step_states``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

#: Written in every serialized entry so a later format can be told apart.
ENTRY_FORMAT = 1

EVENTS = ("run_start", "begin", "success", "failure", "run_end", "note")
STEP_EVENTS = ("begin", "success", "failure")
OUTCOMES = ("succeeded", "failed", "interrupted", "rolled_back")
#: Outcomes after which ``apply --resume`` may continue the run (None = no run_end at all).
# `apply --resume` continues an apply run that did not finish (None), was interrupted, or
# failed (its failed step is reconciled, then retried). An interrupted rollback is run again
# with `rollback` (it marks the run it undoes), a delete with `delete`.
RESUMABLE_OUTCOMES = (None, "interrupted", "failed")
APPLY_OPERATIONS = ("apply", "deploy")


def utc_now(timespec: str = "milliseconds") -> str:
    """ISO-8601 UTC with a ``Z`` suffix (sorts as text)."""
    return datetime.now(timezone.utc).isoformat(timespec=timespec).replace("+00:00", "Z")


@dataclass(frozen=True)
class LockInfo:
    """Who holds a service's lock; shown to anyone who is refused it (Terraform's lock info)."""

    id: str
    service_key: str
    who: str  # user@host
    operation: str
    run_id: str
    created: str  # ISO-8601 UTC
    version: str  # ecsplan version of the holder
    path: str  # where the lock lives (file path or s3:// URL)
    pid: int | None = None  # the holder's process, to recognise a dead holder on this host
    host_id: str | None = None  # boot id + pid namespace: "this host" beyond the hostname

    def to_data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "service_key": self.service_key,
            "who": self.who,
            "operation": self.operation,
            "run_id": self.run_id,
            "created": self.created,
            "version": self.version,
            "path": self.path,
            "pid": self.pid,
            "host_id": self.host_id,
        }

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> LockInfo:
        return cls(
            id=str(d["id"]),
            service_key=str(d["service_key"]),
            who=str(d.get("who", "?")),
            operation=str(d.get("operation", "?")),
            run_id=str(d.get("run_id", "?")),
            created=str(d.get("created", "?")),
            version=str(d.get("version", "?")),
            path=str(d.get("path", "")),
            pid=int(d["pid"]) if isinstance(d.get("pid"), int) else None,
            host_id=str(d["host_id"]) if d.get("host_id") else None,
        )

    def to_json(self) -> str:
        return json.dumps(self.to_data(), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> LockInfo:
        return cls.from_data(json.loads(text))

    def describe(self) -> str:
        """One phrase: ``alice@host (apply, run X, since T, lock id L)``."""
        return (
            f"{self.who} ({self.operation}, run {self.run_id}, since {self.created}, "
            f"lock id {self.id})"
        )


@dataclass(frozen=True)
class JournalEntry:
    """One line of a run's journal. ``begin`` is written before an AWS write, ``success``
    (with outputs) or ``failure`` after it; resume reads them back to never repeat a write."""

    seq: int
    run_id: str
    ts: str
    event: str  # one of EVENTS
    step_id: str | None = None
    kind: str | None = None
    outputs: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.event not in EVENTS:
            raise ValueError(f"unknown journal event {self.event!r}; expected one of {EVENTS}")
        if self.seq < 1:
            raise ValueError(f"journal seq starts at 1, got {self.seq}")
        if self.event in STEP_EVENTS and not self.step_id:
            raise ValueError(f"a {self.event} entry needs a step_id")

    def to_data(self) -> dict[str, Any]:
        """The JSON object of schemas/journal-entry.schema.json (absent optionals omitted)."""
        d: dict[str, Any] = {
            "format": ENTRY_FORMAT,
            "seq": self.seq,
            "run_id": self.run_id,
            "ts": self.ts,
            "event": self.event,
        }
        if self.step_id is not None:
            d["step_id"] = self.step_id
        if self.kind is not None:
            d["kind"] = self.kind
        if self.outputs:
            d["outputs"] = dict(self.outputs)
        if self.error is not None:
            d["error"] = self.error
        if self.data:
            d["data"] = dict(self.data)
        return d

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> JournalEntry:
        fmt = d.get("format", ENTRY_FORMAT)
        if fmt != ENTRY_FORMAT:
            raise ValueError(f"journal entry format {fmt} is not supported (this ecsplan reads 1)")
        return cls(
            seq=int(d["seq"]),
            run_id=str(d["run_id"]),
            ts=str(d["ts"]),
            event=str(d["event"]),
            step_id=d.get("step_id"),
            kind=d.get("kind"),
            outputs=dict(d.get("outputs") or {}),
            error=d.get("error"),
            data=dict(d.get("data") or {}),
        )

    def to_json(self) -> str:
        """One line, no newline inside (JSON lines)."""
        return json.dumps(self.to_data(), separators=(",", ":"), sort_keys=False, default=str)

    @classmethod
    def from_json(cls, text: str | bytes) -> JournalEntry:
        return cls.from_data(json.loads(text))


@dataclass(frozen=True)
class RunSummary:
    """A run as `state list/show` and resume see it, derived from its entries."""

    run_id: str
    service_key: str
    started: str
    ended: str | None
    outcome: str | None  # one of OUTCOMES; None = unfinished (crashed or still running)
    operation: str

    @property
    def resumable(self) -> bool:
        return self.operation in APPLY_OPERATIONS and self.outcome in RESUMABLE_OUTCOMES

    def to_data(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "service_key": self.service_key,
            "started": self.started,
            "ended": self.ended,
            "outcome": self.outcome,
            "operation": self.operation,
        }


@dataclass(frozen=True)
class StepState:
    """Where one step of a run stands: ``succeeded`` (with outputs), ``failed``, or
    ``in_doubt`` (a begin without outcome: the write may or may not have happened)."""

    step_id: str
    kind: str | None
    state: str  # "succeeded" | "failed" | "in_doubt"
    outputs: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    begin_data: Mapping[str, Any] = field(default_factory=dict)
    attempts: int = 1

    def to_data(self) -> dict[str, Any]:
        return {
            "step_id": self.step_id,
            "kind": self.kind,
            "state": self.state,
            "outputs": dict(self.outputs),
            "error": self.error,
            "attempts": self.attempts,
        }


def summarize_run(service_key: str, entries: Sequence[JournalEntry]) -> RunSummary:
    """The run's summary. The outcome is that of the last ``run_end``, unless a non-note
    entry follows it (the run was resumed and has not ended again)."""
    if not entries:
        raise ValueError("a run has at least one entry")
    first = entries[0]
    operation = str(first.data.get("operation", "?")) if first.event == "run_start" else "?"
    ended: str | None = None
    outcome: str | None = None
    for e in entries:
        if e.event == "run_end":
            ended, outcome = e.ts, (str(e.data["outcome"]) if "outcome" in e.data else None)
        elif e.event != "note":
            ended, outcome = None, None
    return RunSummary(
        run_id=first.run_id,
        service_key=service_key,
        started=first.ts,
        ended=ended,
        outcome=outcome,
        operation=operation,
    )


def newest_first(runs: Iterable[RunSummary]) -> list[RunSummary]:
    """Runs in the order `state show` and resume read them: newest start first (run ids
    sort by time, and break a tie of equal timestamps)."""
    return sorted(runs, key=lambda r: (r.started, r.run_id), reverse=True)


def step_states(entries: Iterable[JournalEntry]) -> dict[str, StepState]:
    """Per step id, in order of first ``begin``: the state its latest attempt reached."""
    out: dict[str, StepState] = {}
    for e in entries:
        if e.event not in STEP_EVENTS or e.step_id is None:
            continue
        prev = out.get(e.step_id)
        kind = e.kind or (prev.kind if prev else None)
        if e.event == "begin":
            attempts = prev.attempts + 1 if prev else 1
            out[e.step_id] = StepState(
                e.step_id, kind, "in_doubt", begin_data=dict(e.data), attempts=attempts
            )
        else:
            base = prev or StepState(e.step_id, kind, "in_doubt")
            out[e.step_id] = StepState(
                step_id=e.step_id,
                kind=kind,
                state="succeeded" if e.event == "success" else "failed",
                outputs=dict(e.outputs),
                error=e.error,
                begin_data=base.begin_data,
                attempts=base.attempts,
            )
    return out
