"""Errors of the state layer, each saying what to do next."""

from __future__ import annotations

from planner.errors import EcsplanError
from planner.state.model import LockInfo


class StateError(EcsplanError):
    """The state location cannot be read or written as ecsplan expects."""


class LockHeld(StateError):
    """Someone else holds the service's lock; raised at once, never after waiting."""

    def __init__(self, holder: LockInfo) -> None:
        super().__init__(
            f"state for {holder.service_key} is locked by {holder.describe()}; "
            f"if that run is dead: ecsplan state unlock {holder.id}"
        )
        self.holder = holder


class LockLost(StateError):
    """Our lock is gone or replaced (someone ran `state unlock` on it while we worked)."""


class UnknownLock(StateError):
    """`state unlock ID` named no held lock."""


class JournalConflict(StateError):
    """A journal entry with that sequence number already exists: two writers on one run."""


class StateWarning(UserWarning):
    """Something was skipped but reading went on (e.g. a torn last journal line)."""
