"""`state list|show|unlock` as operations (planner/ops/state_info.py) on a local state
directory: what is listed, which service a name means, what releasing a lock reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import EcsplanError
from planner.ops.state_info import history, overview, resolve_service, unlock
from planner.state import Journal, StateBackend, UnknownLock, open_backend

R1, R2, R3 = (f"20260101T00000000{i}Z-00000{i}" for i in (1, 2, 3))


@pytest.fixture
def backend(tmp_path: Path) -> StateBackend:
    return open_backend(str(tmp_path / "state"))


def run(
    backend: StateBackend, key: str, run_id: str, outcome: str | None, op: str = "apply"
) -> Journal:
    """A run that registered a revision; ``outcome`` None: it never ended (the process died)."""
    j = Journal(backend, key, run_id)
    j.start(op)
    j.begin("web/01-register_task_definition", "register_task_definition")
    j.success("web/01-register_task_definition", "register_task_definition", {"revision": 2})
    j.begin("web/02-update_service", "update_service")
    if outcome is not None:
        j.success("web/02-update_service", "update_service")
        j.end(outcome)
    return j


def test_overview_lists_each_service_with_its_last_run_and_the_locks(backend) -> None:
    empty = overview(backend, "./state")
    assert (empty.location, empty.last_runs, empty.locks) == ("./state", (), ())
    run(backend, "c1/web", R1, "succeeded")
    run(backend, "c1/web", R2, "failed")
    run(backend, "c2/api", R3, "succeeded", op="delete")
    lock = backend.lock("c2/api", operation="apply", run_id=R3)

    o = overview(backend, "s")
    assert o.location == "s"
    assert [(k, r.run_id, r.outcome, r.operation) for k, r in o.last_runs] == [
        ("c1/web", R2, "failed", "apply"),
        ("c2/api", R3, "succeeded", "delete"),
    ]
    assert [i.id for i in o.locks] == [lock.id]


def test_overview_shows_a_locked_service_without_runs(backend) -> None:
    backend.lock("c1/web", operation="apply", run_id=R1)
    o = overview(backend, "s")
    assert o.last_runs == (("c1/web", None),)
    assert [i.service_key for i in o.locks] == ["c1/web"]


def test_history_newest_first_with_steps_and_lock(backend) -> None:
    run(backend, "c1/web", R1, "succeeded")
    run(backend, "c1/web", R2, None)
    run(backend, "c1/api", R3, "succeeded")
    lock = backend.lock("c1/web", operation="apply", run_id=R2)

    h = history(backend, "s", "web", limit=5)
    assert h.key == "c1/web"
    assert [r.run_id for r in h.runs] == [R2, R1]
    assert h.lock is not None and h.lock.id == lock.id
    assert [(s.step_id, s.state) for s in h.steps[R2]] == [
        ("web/01-register_task_definition", "succeeded"),
        ("web/02-update_service", "in_doubt"),
    ]
    assert h.steps[R1][0].outputs == {"revision": 2}
    assert [s.state for s in h.steps[R1]] == ["succeeded", "succeeded"]

    limited = history(backend, "s", "c1/web", limit=1)
    assert [r.run_id for r in limited.runs] == [R2]
    assert list(limited.steps) == [R2]
    assert history(backend, "s", "api", limit=5).lock is None


@pytest.mark.parametrize(
    ("keys", "name", "expected"),
    [
        (["c1/web", "c2/api"], "c1/web", "c1/web"),
        (["c1/web", "c2/api"], "api", "c2/api"),
        (["c1/web", "c1/web-worker"], "web", "c1/web"),  # a suffix, not a prefix
    ],
)
def test_resolve_service(backend, keys, name, expected) -> None:
    for i, k in enumerate(keys):
        run(backend, k, f"20260101T00000000{i}Z-00000{i}", "succeeded")
    assert resolve_service(backend, name) == expected


@pytest.mark.parametrize(
    ("keys", "name", "message"),
    [
        (
            ["c1/web", "c2/web"],
            "web",
            "service 'web' is ambiguous: c1/web, c2/web",
        ),
        (
            ["c1/web", "c2/api"],
            "worker",
            "no state for service 'worker'; services with state: c1/web, c2/api",
        ),
        ([], "web", "no state for service 'web'; services with state: none"),
    ],
)
def test_resolve_service_refuses(backend, keys, name, message) -> None:
    for i, k in enumerate(keys):
        run(backend, k, f"20260101T00000000{i}Z-00000{i}", "succeeded")
    with pytest.raises(EcsplanError) as e:
        resolve_service(backend, name)
    assert e.value.message == message


@pytest.mark.parametrize("outcome", [None, "failed", "interrupted"])
def test_unlock_reports_the_unfinished_run_it_held(backend, outcome) -> None:
    run(backend, "c1/web", R1, "succeeded")
    run(backend, "c1/web", R2, outcome)
    lock = backend.lock("c1/web", operation="apply", run_id=R2)

    u = unlock(backend, lock.id)
    assert u.lock.id == lock.id
    assert u.unfinished is not None and u.unfinished.run_id == R2
    assert backend.locks() == []


@pytest.mark.parametrize(
    ("runs", "held_by"),
    [
        ([(R1, "succeeded")], R1),  # the run finished: nothing to resume
        ([(R1, None), (R2, "succeeded")], R1),  # unfinished, but a later run changed it
        ([], R1),  # the holder died before its first entry
        ([(R1, "rolled_back")], R1),
    ],
)
def test_unlock_names_no_run_to_resume(backend, runs, held_by) -> None:
    for rid, outcome in runs:
        run(backend, "c1/web", rid, outcome)
    lock = backend.lock("c1/web", operation="apply", run_id=held_by)
    u = unlock(backend, lock.id)
    assert u.lock.run_id == held_by
    assert u.unfinished is None
    assert backend.locks() == []


def test_unlock_of_an_unknown_lock_names_the_held_ones(backend) -> None:
    lock = backend.lock("c1/web", operation="apply", run_id=R1)
    with pytest.raises(UnknownLock) as e:
        unlock(backend, "no-such-lock")
    assert f"held locks: {lock.id} (c1/web)" in str(e.value)
    assert [i.id for i in backend.locks()] == [lock.id]
