"""One run of one service, written entry by entry; what resume and rollback read back."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from planner import __version__
from planner.state.backend import JournalStore
from planner.state.locking import who_am_i
from planner.state.model import (
    OUTCOMES,
    JournalEntry,
    RunSummary,
    StepState,
    step_states,
    utc_now,
)
from planner.state.paths import check_run_id


def new_run_id() -> str:
    """Sortable by time to the millisecond, unique enough: ``20261128T192400123Z-3f9a1c``."""
    now = datetime.now(timezone.utc)
    stamp = now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z"
    return f"{stamp}-{secrets.token_hex(3)}"


class Journal:
    """Appends a run's entries with increasing ``seq``; each is durable when the call returns.

    The executor writes ``begin`` before an AWS write and ``success``/``failure`` after, so a
    crash leaves at most one step ``in_doubt`` for resume to reconcile against live AWS.
    """

    def __init__(
        self, backend: JournalStore, service_key: str, run_id: str, *, next_seq: int = 1
    ) -> None:
        self.backend = backend
        self.service_key = service_key
        self.run_id = check_run_id(run_id)
        self._next_seq = next_seq
        self._entries: list[JournalEntry] = []
        self._mutex = threading.Lock()

    @classmethod
    def resume(cls, backend: JournalStore, service_key: str, run_id: str) -> Journal:
        """Continue a run's journal after its last stored entry."""
        entries = backend.entries(service_key, run_id)
        journal = cls(
            backend, service_key, run_id, next_seq=(entries[-1].seq + 1) if entries else 1
        )
        journal._entries = list(entries)
        return journal

    @property
    def entries(self) -> tuple[JournalEntry, ...]:
        return tuple(self._entries)

    def _write(self, event: str, **fields: Any) -> JournalEntry:
        with self._mutex:
            entry = JournalEntry(
                seq=self._next_seq, run_id=self.run_id, ts=utc_now(), event=event, **fields
            )
            self.backend.append(self.service_key, entry)
            self._next_seq += 1
            self._entries.append(entry)
            return entry

    def start(self, operation: str, data: Mapping[str, Any] | None = None) -> None:
        """First entry: what the run does and who runs it (``data``: plan digest, options...)."""
        self._write(
            "run_start",
            data={
                "operation": operation,
                "service_key": self.service_key,
                "who": who_am_i(),
                "version": __version__,
                **dict(data or {}),
            },
        )

    def begin(self, step_id: str, kind: str, data: Mapping[str, Any] | None = None) -> None:
        """Written just before the step's AWS write (``data``: what resume needs to check)."""
        self._write("begin", step_id=step_id, kind=kind, data=dict(data or {}))

    def success(self, step_id: str, kind: str, outputs: Mapping[str, Any] | None = None) -> None:
        self._write("success", step_id=step_id, kind=kind, outputs=dict(outputs or {}))

    def failure(self, step_id: str, kind: str, error: str) -> None:
        self._write("failure", step_id=step_id, kind=kind, error=error)

    def end(self, outcome: str) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown run outcome {outcome!r}; expected one of {OUTCOMES}")
        self._write("run_end", data={"outcome": outcome})

    def note(self, message: str, data: Mapping[str, Any] | None = None) -> None:
        """Anything worth keeping that is not a step (resumed, rolled back by run X...)."""
        self._write("note", data={"message": message, **dict(data or {})})

    def step_states(self) -> dict[str, StepState]:
        """Per step id: succeeded (with outputs), failed, or in_doubt; absent = not begun."""
        return step_states(self._entries)


def last_unfinished_run(backend: JournalStore, service_key: str) -> RunSummary | None:
    """The service's newest run if `apply --resume` should continue it (RunSummary.resumable).

    Only the newest: once a later run has changed the service, resuming an older one would
    undo it."""
    runs = backend.runs(service_key)
    if runs and runs[0].resumable:
        return runs[0]
    return None
