"""LockStore: one holder per service at a time, refused at once with the holder's lock info;
only the holder (or `state unlock ID`) releases it; a dead holder on this host is taken over."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from state_impls import SERVICE, StateUnderTest

from planner.state import LockHeld, LockInfo, LockLost, StateWarning, UnknownLock
from planner.state.backend import StateBackend


def test_lock_unlock_and_relock(state: StateUnderTest, backend: StateBackend) -> None:
    info = backend.lock(SERVICE, operation="apply", run_id="r1")
    assert info.service_key == SERVICE and info.operation == "apply" and info.run_id == "r1"
    assert "@" in info.who and info.created.endswith("Z")
    assert info.path == f"{state.where}/my-cluster%2Fweb/lock.json"
    assert backend.locks() == [info]
    assert LockInfo.from_json(info.to_json()) == info
    with pytest.raises(LockHeld) as held:
        backend.lock(SERVICE, operation="deploy", run_id="r2")
    assert held.value.holder == info
    msg = str(held.value)
    assert msg.startswith(f"state for {SERVICE} is locked by {info.who} (apply, run r1")
    assert msg.endswith(f"if that run is dead: ecsplan state unlock {info.id}")
    other = backend.lock("other/service", operation="apply", run_id="r3")  # others are free
    backend.unlock(info)
    assert backend.locks() == [other]
    with pytest.raises(LockLost, match="already released"):
        backend.unlock(info)
    again = backend.lock(SERVICE, operation="apply", run_id="r4")
    with pytest.raises(LockLost, match="now held by"):
        backend.unlock(info)
    backend.unlock(again)
    backend.unlock(other)
    assert backend.locks() == []


def test_a_live_holder_is_never_taken_over(backend: StateBackend) -> None:
    """The holder here is this very process: alive, so its lock stands."""
    info = backend.lock(SERVICE, operation="apply", run_id="r1")
    for _ in range(2):
        with pytest.raises(LockHeld):
            backend.lock(SERVICE, operation="apply", run_id="r2")
    assert backend.locks() == [info]


def test_force_unlock_from_another_backend_object(
    state: StateUnderTest, backend: StateBackend
) -> None:
    info = backend.lock(SERVICE, operation="apply", run_id="r1")
    other = state.reopen()  # `ecsplan state unlock` in another process, say
    with pytest.raises(UnknownLock, match=f"no lock with id nope in .*held locks: {info.id}"):
        other.force_unlock("nope")
    assert other.force_unlock(info.id) == info
    assert backend.locks() == [] and other.locks() == []
    with pytest.raises(UnknownLock, match="held locks: none"):
        other.force_unlock(info.id)
    with pytest.raises(LockLost, match="already released"):
        backend.unlock(info)
    backend.unlock(backend.lock(SERVICE, operation="apply", run_id="r2"))


def test_unlock_from_another_backend_object(state: StateUnderTest, backend: StateBackend) -> None:
    info = backend.lock(SERVICE, operation="apply", run_id="r1")
    state.reopen().unlock(info)
    assert backend.locks() == []
    with pytest.raises(LockLost, match="already released"):
        state.reopen().unlock(info)


def test_contention_between_threads_exactly_one_wins(state: StateUnderTest) -> None:
    n = 8
    barrier = threading.Barrier(n)
    results: list[tuple[str, str]] = []
    mutex = threading.Lock()

    def contend(i: int) -> None:
        mine = state.reopen()
        barrier.wait()
        try:
            outcome = ("won", mine.lock(SERVICE, operation="apply", run_id=f"run-{i}").id)
        except LockHeld as e:
            outcome = ("held", e.holder.id)
        with mutex:
            results.append(outcome)

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [lock_id for what, lock_id in results if what == "won"]
    assert len(winners) == 1 and len(results) == n
    assert all(lock_id == winners[0] for _, lock_id in results)
    assert [i.id for i in state.backend.locks()] == winners


LEAVE_A_LOCK = (
    "import sys; from planner.state import open_backend; "
    "print(open_backend(sys.argv[1]).lock(sys.argv[2], operation='apply', run_id='dead-run').id)"
)


def test_a_dead_holder_on_this_host_is_taken_over(
    state: StateUnderTest, backend: StateBackend
) -> None:
    """A process that took the lock and exited without releasing it (kill -9, OOM): the next
    run on this host takes the lock over and says so."""
    if state.location is None:
        pytest.skip(f"{state.kind} state lives in one process: its lock holders cannot die")
    child = subprocess.run(
        [sys.executable, "-c", LEAVE_A_LOCK, state.location, SERVICE],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    (dead,) = backend.locks()
    assert dead.id == child.stdout.strip() and dead.run_id == "dead-run"
    with pytest.warns(StateWarning, match=f"took over the lock of {SERVICE} left by run dead-run"):
        later = backend.lock(SERVICE, operation="apply", run_id="later")
    assert backend.locks() == [later]
    assert backend.force_unlock(later.id).run_id == "later"
