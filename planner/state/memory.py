"""State in this process's memory: the contract of planner/state/backend.py, nothing kept.

For tests and for ecsplan used as a library: operations and the contract suite run against
it without a disk or the sandbox. ``open_backend("memory://NAME")`` gives every caller in the
process the same state for one NAME (``memory://`` alone: a new, private one each time).
Nothing survives the process, so it is no place for real runs: a plan made with it cannot be
applied by a later process (its secret key is gone), and no run can be resumed or rolled back.

Everything is stored serialized, as a directory or a bucket would hold it, so readers get
copies (never the caller's objects) and the semantics are those of the other backends:
exclusive locks (LockHeld at once; a holder whose process is gone on this host is taken over
with a warning, LockLost on releasing a lock that is gone or someone else's), journals that
refuse a reused seq, a cache whose entries are replaced whole, run records written once, and
a secret key created on first use.
"""

from __future__ import annotations

import threading
import warnings
from collections import defaultdict
from typing import ClassVar

from planner.state.errors import JournalConflict, LockHeld, StateWarning
from planner.state.locking import (
    dead_holder_warning,
    holder_is_dead,
    lock_lost,
    new_lock_info,
    unknown_lock,
)
from planner.state.model import JournalEntry, LockInfo, RunSummary, newest_first, summarize_run
from planner.state.paths import (
    cache_entry_path,
    check_run_id,
    encode_service_key,
    lock_path,
    run_record_path,
)
from planner.state.secret_key import new_secret_key

SCHEME = "memory://"


class MemoryBackend:
    """Every concern of a state location in dictionaries, behind one mutex."""

    _named: ClassVar[dict[str, MemoryBackend]] = {}
    _named_mutex: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._mutex = threading.RLock()
        self._locks: dict[str, str] = {}  # service key -> lock info JSON
        self._journals: dict[str, dict[str, list[str]]] = defaultdict(dict)  # key -> run -> lines
        self._cache: dict[str, bytes] = {}
        self._records: dict[str, bytes] = {}
        self._secret: bytes | None = None

    @classmethod
    def named(cls, name: str) -> MemoryBackend:
        """The process's state called ``name`` (created on first use); a new one when empty."""
        if not name:
            return cls()
        with cls._named_mutex:
            return cls._named.setdefault(name, cls(name))

    def __repr__(self) -> str:
        return f"MemoryBackend({self.name!r})"

    @property
    def location(self) -> str:
        return SCHEME + self.name

    # -- locks -----------------------------------------------------------------------------

    def _held(self, service_key: str) -> LockInfo | None:
        raw = self._locks.get(service_key)
        return None if raw is None else LockInfo.from_json(raw)

    def lock(self, service_key: str, *, operation: str, run_id: str) -> LockInfo:
        path = f"{self.location}/{lock_path(service_key)}"
        info = new_lock_info(service_key, operation, run_id, path)
        with self._mutex:
            holder = self._held(service_key)
            if holder is not None:
                if not holder_is_dead(holder):
                    raise LockHeld(holder)
                warnings.warn(dead_holder_warning(holder), StateWarning, stacklevel=2)
            self._locks[service_key] = info.to_json()
        return info

    def unlock(self, info: LockInfo) -> None:
        with self._mutex:
            current = self._held(info.service_key)
            if current is None or current.id != info.id:
                raise lock_lost(info, current)
            del self._locks[info.service_key]

    def force_unlock(self, lock_id: str) -> LockInfo:
        with self._mutex:
            for info in self.locks():
                if info.id == lock_id:
                    del self._locks[info.service_key]
                    return info
            raise unknown_lock(lock_id, self.location, self.locks())

    def locks(self) -> list[LockInfo]:
        with self._mutex:
            return [LockInfo.from_json(self._locks[k]) for k in sorted(self._locks)]

    # -- journal ---------------------------------------------------------------------------

    def append(self, service_key: str, entry: JournalEntry) -> None:
        encode_service_key(service_key)  # the same keys as a directory or a bucket accepts
        check_run_id(entry.run_id)
        line = entry.to_json()
        with self._mutex:
            lines = self._journals[service_key].setdefault(entry.run_id, [])
            last = JournalEntry.from_json(lines[-1]).seq if lines else 0
            if last >= entry.seq:
                raise JournalConflict(
                    f"journal of run {entry.run_id} ({service_key}) already has entry "
                    f"{last}; refusing entry {entry.seq} (two writers on one run?)"
                )
            lines.append(line)

    def entries(self, service_key: str, run_id: str) -> list[JournalEntry]:
        encode_service_key(service_key)
        check_run_id(run_id)
        with self._mutex:
            lines = list(self._journals.get(service_key, {}).get(run_id, ()))
        return [JournalEntry.from_json(line) for line in lines]

    def runs(self, service_key: str) -> list[RunSummary]:
        encode_service_key(service_key)
        with self._mutex:
            run_ids = [r for r, lines in self._journals.get(service_key, {}).items() if lines]
        return newest_first(
            summarize_run(service_key, self.entries(service_key, r)) for r in run_ids
        )

    def services(self) -> list[str]:
        with self._mutex:
            journaled = {k for k, runs in self._journals.items() if any(runs.values())}
            return sorted(journaled | set(self._locks))

    # -- cache ------------------------------------------------------------------------------

    def cache_get(self, name: str) -> bytes | None:
        path = cache_entry_path(name)
        with self._mutex:
            return self._cache.get(path)

    def cache_put(self, name: str, data: bytes) -> None:
        path = cache_entry_path(name)
        with self._mutex:
            self._cache[path] = bytes(data)

    # -- run records and the secret key ----------------------------------------------------

    def put_run_record(self, run_id: str, data: bytes) -> None:
        path = run_record_path(run_id)
        with self._mutex:
            if run_id in self._records:
                raise JournalConflict(
                    f"run {run_id} already has a record at {self.location}/{path}"
                )
            self._records[run_id] = bytes(data)

    def run_record(self, run_id: str) -> bytes | None:
        run_record_path(run_id)  # refuses an unsafe id, as the other backends do
        with self._mutex:
            return self._records.get(run_id)

    def run_record_ids(self) -> list[str]:
        with self._mutex:
            return sorted(self._records)

    def secret_key(self, create: bool = True) -> bytes | None:
        with self._mutex:
            if self._secret is None and create:
                self._secret = new_secret_key()
            return self._secret
