"""The state backend contract, and picking a backend from a ``--state`` location."""

from __future__ import annotations

import getpass
import os
import socket
import uuid
from typing import TYPE_CHECKING, Protocol

from planner import __version__
from planner.plan.secrets import LazyKey
from planner.state.keys import check_run_id
from planner.state.model import JournalEntry, LockInfo, RunSummary, utc_now

if TYPE_CHECKING:
    from planner.aws.clients import AwsContext

DEFAULT_LOCATION = "./state"
CACHE_DIR = ".cache"  # never a percent-encoded service key ("." is always encoded there)
RUN_RECORDS_DIR = ".runs"  # one object per run: its whole plan, written at its start
SECRET_KEY_NAME = ".secret-key"  # the HMAC key of secret placeholders; never printed
SECRET_KEY_BYTES = 32


def run_record_path(run_id: str) -> str:
    """``.runs/<run id>.json``, relative to the state location."""
    return f"{RUN_RECORDS_DIR}/{check_run_id(run_id)}.json"


def cache_entry_path(name: str) -> str:
    """``<kind>/<file>`` of a cache entry, relative to the state location: ``.cache/...``.
    Refuses any other shape, so that no name can reach outside the cache."""
    kind, _, file = name.partition("/")
    if not kind or not file or "/" in file or file.startswith(".") or kind.startswith("."):
        raise ValueError(f"invalid cache entry name {name!r}")
    return f"{CACHE_DIR}/{kind}/{file}"


class StateBackend(Protocol):
    """Locks and journals of many services in one place (a directory or an S3 prefix)."""

    def lock(self, service_key: str, *, operation: str, run_id: str) -> LockInfo:
        """Take the service's lock, or raise LockHeld(holder) at once."""
        ...

    def unlock(self, info: LockInfo) -> None:
        """Release our own lock; LockLost if it is gone or someone else's now."""
        ...

    def force_unlock(self, lock_id: str) -> LockInfo:
        """Release whichever service's lock has this id (`state unlock`); UnknownLock if none."""
        ...

    def locks(self) -> list[LockInfo]: ...

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

    def cache_get(self, name: str) -> bytes | None:
        """A cache entry (``<kind>/<file name>``, see planner/state/cache.py), None if absent.
        Cache entries live under ``.cache/``, apart from every service key."""
        ...

    def cache_put(self, name: str, data: bytes) -> None:
        """Store a cache entry whole (readers see the old entry or the new one), replacing any."""
        ...

    def put_run_record(self, run_id: str, data: bytes) -> None:
        """Store a run's record once (JournalConflict if the run id has one already)."""
        ...

    def run_record(self, run_id: str) -> bytes | None:
        """The run's record, None when the run has none (or is unknown)."""
        ...

    def run_record_ids(self) -> list[str]:
        """Ids of the runs that have a record, oldest first (run ids sort by time)."""
        ...

    def secret_key(self, create: bool = True) -> bytes | None:
        """The state's HMAC key for secret placeholders, created on first use (None when
        there is none and ``create`` is false). Whoever can read the state can test a guessed
        secret; whoever has only a plan file cannot."""
        ...


def lazy_secret_key(backend: StateBackend) -> LazyKey:
    """The backend's secret key, read (or created) only when a placeholder needs it."""

    def load() -> bytes:
        key = backend.secret_key()
        assert key is not None  # created when missing
        return key

    return LazyKey(load)


def who_am_i() -> str:
    """user@host, as Terraform's lock info says it."""
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry (containers): still say something useful
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def new_lock_info(service_key: str, operation: str, run_id: str, path: str) -> LockInfo:
    return LockInfo(
        id=str(uuid.uuid4()),
        service_key=service_key,
        who=who_am_i(),
        operation=operation,
        run_id=run_id,
        created=utc_now("seconds"),
        version=__version__,
        path=path,
        pid=os.getpid(),
        host_id=host_id(),
    )


def host_id() -> str | None:
    """This kernel boot and pid namespace. Two containers may share a hostname (and be root
    in both); they never share both of these, so a pid is only judged where it means the same.
    None where /proc does not tell (then no lock is ever taken over)."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            boot = f.read().strip()
        ns = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return None
    return f"{boot}:{ns}"


def holder_state(holder: LockInfo) -> str:
    """``dead``: taken on this machine by a process that no longer exists (kill -9, OOM, a
    closed terminal); such a lock protects nothing and the next run may take it over.
    ``alive``: its process runs here. ``elsewhere``: another host (or no way to tell); only
    `state unlock`, or a resume told so explicitly, takes those over."""
    mine = host_id()
    if holder.pid is None or mine is None or holder.host_id != mine or holder.who != who_am_i():
        return "elsewhere"
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return "dead"
    except PermissionError:  # alive, another user's
        return "alive"
    return "alive"


def holder_is_dead(holder: LockInfo) -> bool:
    return holder_state(holder) == "dead"


def dead_holder_warning(holder: LockInfo) -> str:
    return (
        f"took over the lock of {holder.service_key} left by run {holder.run_id} "
        f"(process {holder.pid} on this host is gone)"
    )


def open_backend(location: str, aws: AwsContext | None = None) -> StateBackend:
    """``s3://bucket[/prefix]`` -> S3Backend; anything else is a local directory."""
    if location.startswith("s3://"):
        from planner.state.s3 import S3Backend

        return S3Backend.from_url(location, aws)
    from planner.state.local import LocalBackend

    return LocalBackend(location)
