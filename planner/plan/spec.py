"""Steps before they are numbered: what each planning unit returns. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.plan.model import Action, Change, Step, StepKind


@dataclass(frozen=True)
class StepSpec:
    """A step before it gets its id (the planner numbers steps per service)."""

    kind: StepKind
    action: Action
    description: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    before: Any = None
    after: Any = None
    changes: tuple[Change, ...] = ()
    destructive: bool = False
    undo: Mapping[str, Any] | None = None
    inputs: Mapping[str, str] = field(default_factory=dict)


class Steps:
    """Numbers step specs in order, with ids unique inside the service."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.items: list[Step] = []

    def add(self, spec: StepSpec) -> str:
        sid = f"{self.key}/{len(self.items) + 1:02d}-{spec.kind.value}"
        self.items.append(
            Step(
                id=sid,
                kind=spec.kind,
                action=spec.action,
                description=spec.description,
                payload=spec.payload,
                inputs=spec.inputs,
                before=spec.before,
                after=spec.after,
                changes=spec.changes,
                destructive=spec.destructive,
                undo=spec.undo,
            )
        )
        return sid
