"""Journal, locks and state backends (a local directory, S3 with conditional writes, memory).

The executor takes a service's lock, writes one journal entry before and after every AWS
write, and releases the lock; ``state list|show|unlock`` read the same place. What a backend
must do is in backend.py (one protocol per concern); open_backend (factory.py) picks one.
"""

from planner.state.backend import StateBackend
from planner.state.errors import (
    JournalConflict,
    LockHeld,
    LockLost,
    StateError,
    StateWarning,
    UnknownLock,
)
from planner.state.factory import DEFAULT_LOCATION, open_backend
from planner.state.journal import Journal, last_unfinished_run, new_run_id
from planner.state.model import JournalEntry, LockInfo, RunSummary, StepState

__all__ = [
    "DEFAULT_LOCATION",
    "Journal",
    "JournalConflict",
    "JournalEntry",
    "LockHeld",
    "LockInfo",
    "LockLost",
    "RunSummary",
    "StateBackend",
    "StateError",
    "StateWarning",
    "StepState",
    "UnknownLock",
    "last_unfinished_run",
    "new_run_id",
    "open_backend",
]
