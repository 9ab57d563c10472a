"""State in a local directory: one JSON-lines journal per run, one lock file per service.

Layout (see docs/state.md)::

    <root>/<service key, percent-encoded>/lock.json        exists while a run holds the lock
    <root>/<service key, percent-encoded>/.guard           flock'd around lock.json changes
    <root>/<service key, percent-encoded>/runs/<run id>.jsonl

The lock is the *existence* of ``lock.json`` (created with O_CREAT|O_EXCL), so it outlives a
crashed holder until ``ecsplan state unlock ID``. An flock on ``.guard`` around creating,
reading and removing it means nobody ever reads a half-written lock file; a torn lock file
found under the guard was left by a process that died inside ``lock()`` (it never believed it
held the lock), so it is removed and the lock taken.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

from planner.state.errors import JournalConflict, LockHeld, LockLost, StateError, StateWarning
from planner.state.locking import (
    dead_holder_warning,
    holder_is_dead,
    lock_lost,
    new_lock_info,
    unknown_lock,
)
from planner.state.model import JournalEntry, LockInfo, RunSummary, newest_first, summarize_run
from planner.state.paths import (
    LOCK_NAME,
    RUN_RECORDS_DIR,
    RUNS_DIR,
    SECRET_KEY_NAME,
    cache_entry_path,
    check_run_id,
    decode_service_key,
    encode_service_key,
    is_encoded_service_key,
    lock_path,
    run_record_path,
    runs_path,
)
from planner.state.secret_key import SECRET_KEY_BYTES, new_secret_key

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: O_EXCL alone still excludes
    fcntl = None  # type: ignore[assignment]

GUARD_FILE = ".guard"


class _TornLock(Exception):
    """lock.json exists but is not a complete lock (its creator died while writing it)."""


def _fsync_dir(path: Path) -> None:
    """Make a new directory entry durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


class LocalBackend:
    """A state directory shared by processes on one machine (or a reliable shared disk)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._mutex = threading.Lock()

    def __repr__(self) -> str:
        return f"LocalBackend({str(self.root)!r})"

    # -- paths -----------------------------------------------------------------------------

    def _service_dir(self, service_key: str) -> Path:
        return self.root / encode_service_key(service_key)

    def _lock_path(self, service_key: str) -> Path:
        return self.root / lock_path(service_key)

    def _run_path(self, service_key: str, run_id: str) -> Path:
        return self.root / runs_path(service_key) / f"{check_run_id(run_id)}.jsonl"

    @contextlib.contextmanager
    def _guard(self, service_key: str) -> Iterator[None]:
        """Exclusive flock around lock.json changes; held for microseconds, never for a run."""
        sdir = self._service_dir(service_key)
        sdir.mkdir(parents=True, exist_ok=True)
        with self._mutex:
            if fcntl is None:  # pragma: no cover
                yield
                return
            fd = os.open(sdir / GUARD_FILE, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the flock

    @staticmethod
    def _read_lock(path: Path) -> LockInfo | None:
        """The lock info, None when there is no lock; _TornLock when unreadable."""
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return LockInfo.from_json(text)
        except (ValueError, KeyError, TypeError) as e:
            raise _TornLock(str(path)) from e

    # -- locks -----------------------------------------------------------------------------

    def lock(self, service_key: str, *, operation: str, run_id: str) -> LockInfo:
        path = self._lock_path(service_key)
        info = new_lock_info(service_key, operation, run_id, str(path.resolve()))
        body = info.to_json().encode()
        with self._guard(service_key):
            for _ in range(2):
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                except FileExistsError:
                    try:
                        holder = self._read_lock(path)
                    except _TornLock:
                        if fcntl is None:  # pragma: no cover - cannot prove it is torn
                            raise StateError(
                                f"lock file {path} is unreadable; remove it if no run is active"
                            ) from None
                        warnings.warn(
                            f"removed a half-written lock file {path} (its writer died)",
                            StateWarning,
                            stacklevel=2,
                        )
                        path.unlink()
                        continue
                    if holder is None:  # released between our create and read
                        continue
                    if holder_is_dead(holder):
                        warnings.warn(dead_holder_warning(holder), StateWarning, stacklevel=2)
                        path.unlink()
                        continue
                    raise LockHeld(holder) from None
                try:
                    _write_all(fd, body)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                _fsync_dir(path.parent)
                return info
        raise StateError(f"could not take the lock {path}; retry")

    def unlock(self, info: LockInfo) -> None:
        path = self._lock_path(info.service_key)
        with self._guard(info.service_key):
            try:
                current = self._read_lock(path)
            except _TornLock:
                raise LockLost(f"lock {info.id} on {info.service_key} is unreadable") from None
            if current is None or current.id != info.id:
                raise lock_lost(info, current)
            path.unlink()
            _fsync_dir(path.parent)

    def force_unlock(self, lock_id: str) -> LockInfo:
        for service_key in self.services():
            path = self._lock_path(service_key)
            if not path.exists():
                continue
            with self._guard(service_key):
                try:
                    current = self._read_lock(path)
                except _TornLock:
                    continue
                if current is not None and current.id == lock_id:
                    path.unlink()
                    _fsync_dir(path.parent)
                    return current
        raise unknown_lock(lock_id, str(self.root), self.locks())

    def locks(self) -> list[LockInfo]:
        out: list[LockInfo] = []
        for service_key in self.services():
            try:
                info = self._read_lock(self._lock_path(service_key))
            except _TornLock:
                warnings.warn(
                    f"{self._lock_path(service_key)}: unreadable lock file skipped",
                    StateWarning,
                    stacklevel=2,
                )
                continue
            if info is not None:
                out.append(info)
        return out

    # -- journal ---------------------------------------------------------------------------

    def append(self, service_key: str, entry: JournalEntry) -> None:
        path = self._run_path(service_key, entry.run_id)
        line = (entry.to_json() + "\n").encode()
        with self._mutex:
            new_dirs = not path.parent.exists()
            path.parent.mkdir(parents=True, exist_ok=True)
            if new_dirs:
                _fsync_dir(path.parent.parent)
            existing = self._read_and_repair(path)
            if existing and existing[-1].seq >= entry.seq:
                raise JournalConflict(
                    f"journal of run {entry.run_id} ({service_key}) already has entry "
                    f"{existing[-1].seq}; refusing entry {entry.seq} (two writers on one run?)"
                )
            created = not existing and not path.exists()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                _write_all(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                _fsync_dir(path.parent)

    def _read_and_repair(self, path: Path) -> list[JournalEntry]:
        """Entries so far; a torn tail is cut off so the next line starts clean."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return []
        entries = _parse_lines(raw, path)
        if raw and not raw.endswith(b"\n"):
            keep = raw.rfind(b"\n") + 1
            os.truncate(path, keep)
        return entries

    def entries(self, service_key: str, run_id: str) -> list[JournalEntry]:
        path = self._run_path(service_key, run_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return []
        return _parse_lines(raw, path)

    def runs(self, service_key: str) -> list[RunSummary]:
        rdir = self.root / runs_path(service_key)
        if not rdir.is_dir():
            return []
        out: list[RunSummary] = []
        for p in rdir.glob("*.jsonl"):
            entries = self.entries(service_key, p.stem)
            if entries:
                out.append(summarize_run(service_key, entries))
        return newest_first(out)

    # -- cache ------------------------------------------------------------------------------

    def _cache_path(self, name: str) -> Path:
        return self.root / cache_entry_path(name)

    def cache_get(self, name: str) -> bytes | None:
        try:
            return self._cache_path(name).read_bytes()
        except FileNotFoundError:
            return None

    def cache_put(self, name: str, data: bytes) -> None:
        """Write a temporary file and rename it over the entry: never a torn entry in place.
        No fsync: a lost entry is only read from AWS again."""
        path = self._cache_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    # -- run records and the secret key ----------------------------------------------------

    def _create_once(self, path: Path, data: bytes, mode: int = 0o644) -> bool:
        """Write ``data`` to ``path`` whole and durably unless it exists (False then).
        A temporary file hard-linked into place: readers never see a partial file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        finally:
            tmp.unlink()
        _fsync_dir(path.parent)
        return True

    def put_run_record(self, run_id: str, data: bytes) -> None:
        path = self.root / run_record_path(run_id)
        if not self._create_once(path, data):
            raise JournalConflict(f"run {run_id} already has a record at {path}")

    def run_record(self, run_id: str) -> bytes | None:
        try:
            return (self.root / run_record_path(run_id)).read_bytes()
        except FileNotFoundError:
            return None

    def run_record_ids(self) -> list[str]:
        rdir = self.root / RUN_RECORDS_DIR
        if not rdir.is_dir():
            return []
        return sorted(p.stem for p in rdir.glob("*.json") if not p.name.startswith("."))

    def secret_key(self, create: bool = True) -> bytes | None:
        path = self.root / SECRET_KEY_NAME
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            if not create:
                return None
            self._create_once(path, new_secret_key(), mode=0o600)
            key = path.read_bytes()
        if len(key) != SECRET_KEY_BYTES:
            raise StateError(
                f"{path}: damaged secret key ({len(key)} bytes); remove it to start a new "
                "one (plan files saved before then must be planned again)"
            )
        return key

    def services(self) -> list[str]:
        if not self.root.is_dir():
            return []
        out = [
            decode_service_key(d.name)
            for d in self.root.iterdir()
            if d.is_dir()
            and is_encoded_service_key(d.name)
            and ((d / LOCK_NAME).exists() or (d / RUNS_DIR).is_dir())
        ]
        return sorted(out)


def _parse_lines(raw: bytes, path: Path) -> list[JournalEntry]:
    """JSON lines in seq order. A last line without its newline is a write cut short by a
    crash: skipped with a warning. Damage anywhere else is an error."""
    lines = raw.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline
    if tail.strip():
        warnings.warn(
            f"{path}: ignoring an incomplete last journal line (a write cut short by a crash)",
            StateWarning,
            stacklevel=3,
        )
    out: list[JournalEntry] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append(JournalEntry.from_json(line))
        except (ValueError, KeyError, TypeError) as e:
            raise StateError(f"{path}:{n}: unreadable journal entry: {e}") from e
    for a, b in itertools.pairwise(out):
        if b.seq <= a.seq:
            raise StateError(f"{path}: journal seq {b.seq} follows {a.seq}; the file is damaged")
    return out
