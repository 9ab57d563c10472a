"""What a state backend is: one small protocol per concern, and their union.

A backend (planner/state/local.py, s3.py, memory.py) keeps many services' state in one place.
Callers ask for the narrowest protocol they use; ``StateBackend`` is what every backend is
and what the factory (planner/state/factory.py) returns. The helpers backends share live in
planner/state/locking.py, paths.py and secret_key.py, so no backend imports this module at
run time and nothing here imports a backend.

Five concerns, five protocols. Run records and the secret key are not folded into the
journal or the cache: a record is per run (not per service) and written once, and the key
guards plan files, journals, records and the cache alike; their readers differ too (resume
and rollback read records; plan, apply and the cache read the key).
"""

from __future__ import annotations

from typing import Protocol

from planner.state.model import JournalEntry, LockInfo, RunSummary


class LockStore(Protocol):
    """One exclusive lock per service key, refused at once (never waited for)."""

    def lock(self, service_key: str, *, operation: str, run_id: str) -> LockInfo:
        """Take the service's lock, or raise LockHeld(holder) at once. A holder that ran on
        this host in a process that is gone is taken over with a StateWarning."""
        ...

    def unlock(self, info: LockInfo) -> None:
        """Release our own lock; LockLost if it is gone or someone else's now."""
        ...

    def force_unlock(self, lock_id: str) -> LockInfo:
        """Release whichever service's lock has this id (`state unlock`); UnknownLock if none."""
        ...

    def locks(self) -> list[LockInfo]:
        """The locks held now, on any service."""
        ...


class JournalStore(Protocol):
    """Per service, one append-only journal per run (see planner/state/journal.py)."""

    def append(self, service_key: str, entry: JournalEntry) -> None:
        """Store the entry durably before returning; JournalConflict on a reused seq."""
        ...

    def entries(self, service_key: str, run_id: str) -> list[JournalEntry]:
        """The run's entries in seq order (empty when the run is unknown)."""
        ...

    def runs(self, service_key: str) -> list[RunSummary]:
        """Summaries of the service's runs, newest first."""
        ...

    def services(self) -> list[str]:
        """Service keys that have a lock or a journal, sorted."""
        ...


class CacheStore(Protocol):
    """Whole opaque entries, kept apart from every service key (see planner/state/cache.py)."""

    def cache_get(self, name: str) -> bytes | None:
        """A cache entry (``<kind>/<file name>``, see planner/state/cache.py), None if absent.
        Cache entries live under ``.cache/``, apart from every service key."""
        ...

    def cache_put(self, name: str, data: bytes) -> None:
        """Store a cache entry whole (readers see the old entry or the new one), replacing any."""
        ...


class RunStore(Protocol):
    """Run records: a run's whole plan, stored once when it starts (planner/state/run_record.py)."""

    def put_run_record(self, run_id: str, data: bytes) -> None:
        """Store a run's record once (JournalConflict if the run id has one already)."""
        ...

    def run_record(self, run_id: str) -> bytes | None:
        """The run's record, None when the run has none (or is unknown)."""
        ...

    def run_record_ids(self) -> list[str]:
        """Ids of the runs that have a record, oldest first (run ids sort by time)."""
        ...


class KeyStore(Protocol):
    """The state's secret key (planner/state/secret_key.py)."""

    def secret_key(self, create: bool = True) -> bytes | None:
        """The state's HMAC key for secret placeholders, created on first use (None when
        there is none and ``create`` is false). Whoever can read the state can test a guessed
        secret; whoever has only a plan file cannot. Two first users end up with one key."""
        ...


class StateBackend(LockStore, JournalStore, CacheStore, RunStore, KeyStore, Protocol):
    """Locks, journals, cache, run records and the secret key of many services in one place
    (a directory, an S3 prefix, or memory)."""


# Temporary (issue 19): names that lived here before the factory and the shared helpers got
# their own modules. Branches written against the old layout keep importing them from here
# until they are merged; new code imports planner.state.factory, locking and secret_key.
# Resolved lazily so that this module still imports no backend (no import cycle).
_MOVED = {
    "DEFAULT_LOCATION": "planner.state.factory",
    "open_backend": "planner.state.factory",
    "who_am_i": "planner.state.locking",
    "new_lock_info": "planner.state.locking",
    "host_id": "planner.state.locking",
    "holder_state": "planner.state.locking",
    "holder_is_dead": "planner.state.locking",
    "dead_holder_warning": "planner.state.locking",
    "CACHE_DIR": "planner.state.paths",
    "RUN_RECORDS_DIR": "planner.state.paths",
    "SECRET_KEY_NAME": "planner.state.paths",
    "run_record_path": "planner.state.paths",
    "cache_entry_path": "planner.state.paths",
    "SECRET_KEY_BYTES": "planner.state.secret_key",
    "lazy_secret_key": "planner.state.secret_key",
}


def __getattr__(name: str) -> object:
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
