"""Lock info and the rules every backend applies to a lock it finds held.

Shared by the local, S3 and in-memory backends and by resume (which takes over a dead run's
locks), so "who am I", "is that holder dead" and the refusal messages read the same
everywhere. Imports no backend.
"""

from __future__ import annotations

import getpass
import os
import socket
import uuid
from collections.abc import Iterable

from planner import __version__
from planner.state.errors import LockLost, UnknownLock
from planner.state.model import LockInfo, utc_now


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


def lock_lost(info: LockInfo, current: LockInfo | None) -> LockLost:
    """Why ``unlock(info)`` failed: the lock is gone, or someone else holds it now."""
    if current is None:
        return LockLost(
            f"lock {info.id} on {info.service_key} was already released "
            "(by `ecsplan state unlock`?)"
        )
    return LockLost(
        f"lock {info.id} on {info.service_key} was released and is now held by {current.describe()}"
    )


def unknown_lock(lock_id: str, where: str, held: Iterable[LockInfo]) -> UnknownLock:
    """`state unlock ID` named no held lock: say which ones are held, so the user can pick."""
    names = ", ".join(f"{i.id} ({i.service_key})" for i in held) or "none"
    return UnknownLock(f"no lock with id {lock_id} in {where}; held locks: {names}")
