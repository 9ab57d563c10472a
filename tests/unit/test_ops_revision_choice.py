"""`revisions` / `deregister` decisions (planner/ops/revisions.py) on plain describe output:
what uses a revision, which ones `--keep N` / `--revision N` remove, and what is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planner.aws.reads import ServiceRef
from planner.errors import EcsplanError
from planner.ops.revisions import (
    FamilyRevisions,
    Revision,
    RevisionInUse,
    annotate,
    choose,
    last_run_target,
    revision_arg,
    rollback_target,
    usage,
)
from planner.state import Journal, open_backend

TD = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web"
KEY = "my-cluster/web"


def arn(n: int) -> str:
    return f"{TD}:{n}"


def revs(*numbers: int, used: dict[int, str] | None = None) -> list[Revision]:
    """Revisions of family web, ``used``: revision -> why it is in use."""
    used = used or {}
    return [Revision(arn(n), n, uses=(used[n],) if n in used else ()) for n in sorted(numbers)]


# --- usage -----------------------------------------------------------------------------------


def _service(status: str = "ACTIVE", **kw: Any) -> dict[str, Any]:
    return {"status": status, "taskDefinition": arn(5), **kw}


@pytest.mark.parametrize(
    ("service", "tasks", "target", "expected"),
    [
        pytest.param(
            _service(
                deployments=[
                    {"status": "PRIMARY", "taskDefinition": arn(5)},
                    {"status": "ACTIVE", "taskDefinition": arn(4)},
                ]
            ),
            [],
            None,
            {"web:5": ("service", "primary deployment"), "web:4": ("active deployment",)},
            id="service-and-its-deployments",
        ),
        pytest.param(
            _service(
                taskDefinition=arn(3),
                taskSets=[
                    {"status": "PRIMARY", "taskDefinition": arn(3)},
                    {"status": "ACTIVE", "taskDefinition": arn(2)},
                ],
            ),
            [],
            None,
            {"web:3": ("service", "primary task set"), "web:2": ("active task set",)},
            id="blue-green-task-sets",
        ),
        pytest.param(
            _service("DRAINING"),
            [{"lastStatus": "RUNNING", "desiredStatus": "STOPPED", "taskDefinitionArn": arn(5)}],
            None,
            {"web:5": ("running task",)},
            id="draining-service-counts-only-its-tasks",
        ),
        pytest.param(
            None,
            [
                {"lastStatus": "STOPPED", "desiredStatus": "STOPPED", "taskDefinitionArn": arn(1)},
                {"lastStatus": "PENDING", "desiredStatus": "RUNNING", "taskDefinitionArn": arn(2)},
                {"lastStatus": "STOPPED", "desiredStatus": "RUNNING", "taskDefinitionArn": arn(3)},
            ],
            None,
            {"web:2": ("running task",), "web:3": ("running task",)},
            id="stopped-tasks-do-not-count",
        ),
        pytest.param(
            None,
            [],
            arn(4),
            {"web:4": ("rollback target of the last run R1",)},
            id="rollback-target",
        ),
    ],
)
def test_usage_names_why_a_revision_is_in_use(service, tasks, target, expected) -> None:
    assert usage(service, tasks, target, "R1" if target else None) == expected


def test_annotate_orders_newest_first_with_uses_and_registration() -> None:
    got = annotate(
        [arn(2), arn(10), arn(9)],
        {"web:10": ("service",)},
        {arn(9): "2026-01-02T03:04:05+00:00"},
    )
    assert [r.revision for r in got] == [10, 9, 2]
    assert [r.in_use for r in got] == [True, False, False]
    assert got[1].to_json() == {
        "revision": 9,
        "arn": arn(9),
        "status": "ACTIVE",
        "registeredAt": "2026-01-02T03:04:05+00:00",
        "inUse": False,
        "uses": [],
    }


# --- choose: what deregister removes ----------------------------------------------------------

IN_USE = {5: "service", 3: "rollback target of the last run"}


@pytest.mark.parametrize(
    ("keep", "removed", "kept"),
    [
        (2, [2, 1], [5, 4, 3]),  # newest two, plus the older one in use
        (0, [4, 2, 1], [5, 3]),  # --keep 0 still keeps what is in use
        (1, [4, 2, 1], [5, 3]),
        (5, [], [5, 4, 3, 2, 1]),
        (9, [], [5, 4, 3, 2, 1]),
    ],
)
def test_keep_removes_only_old_unused_revisions(keep, removed, kept) -> None:
    r = choose(revs(1, 2, 3, 4, 5, used=IN_USE), keep=keep)
    assert [x.revision for x in r.remove] == removed
    assert sorted((x.revision for x in r.kept), reverse=True) == kept
    assert not any(x.in_use for x in r.remove)


def test_revision_removes_exactly_that_one() -> None:
    r = choose(revs(1, 2, 3, 4, 5, used=IN_USE), revision=4)
    assert [x.revision for x in r.remove] == [4]
    assert [x.revision for x in r.kept] == [5, 3, 2, 1]


@pytest.mark.parametrize(
    ("kw", "error", "message"),
    [
        ({"revision": 5}, RevisionInUse, "web:5 is in use (service); not deregistering it"),
        (
            {"revision": 3},
            RevisionInUse,
            "web:3 is in use (rollback target of the last run); not deregistering it",
        ),
        ({"revision": 9}, EcsplanError, "revision 9 is not an ACTIVE revision of the family"),
        ({}, EcsplanError, "give exactly one of --revision N or --keep N"),
        ({"keep": 1, "revision": 2}, EcsplanError, "give exactly one of --revision N or --keep N"),
        ({"keep": -1}, EcsplanError, "--keep must be 0 or more"),
    ],
)
def test_choose_refuses(kw, error, message) -> None:
    with pytest.raises(error) as e:
        choose(revs(1, 2, 3, 4, 5, used=IN_USE), **kw)
    assert e.value.message == message


# --- --revision as the user types it ---------------------------------------------------------


def _family(*numbers: int) -> FamilyRevisions:
    ref = ServiceRef("ap-northeast-1", "my-cluster", "web")
    return FamilyRevisions("web", ref, "web", tuple(reversed(revs(*numbers))))


@pytest.mark.parametrize(
    ("arg", "expected"),
    [("2", 2), (" 2 ", 2), ("web:2", 2), (arn(2), 2), ("latest", 3), ("web:17", 17)],
)
def test_revision_arg_accepts_what_revisions_prints(arg, expected) -> None:
    assert revision_arg(arg, _family(1, 2, 3)) == expected


@pytest.mark.parametrize(
    ("arg", "numbers", "message"),
    [
        ("api:2", (1, 2), "--revision api:2: not a revision of family web"),
        (
            f"{TD.replace('/web', '/api')}:2",
            (1, 2),
            f"--revision {TD.replace('/web', '/api')}:2: not a revision of family web",
        ),
        ("two", (1, 2), "--revision two: expected a number, family:N or latest"),
        ("web:x", (1, 2), "--revision web:x: expected a number, family:N or latest"),
        ("latest", (), "web: family web has no ACTIVE revision"),
    ],
)
def test_revision_arg_refuses(arg, numbers, message) -> None:
    with pytest.raises(EcsplanError) as e:
        revision_arg(arg, _family(*numbers))
    assert e.value.message == message


# --- the last run's rollback target, from the journal ----------------------------------------


def _run(backend: Any, run_id: str, operation: str, td: str | None) -> None:
    j = Journal(backend, KEY, run_id)
    fingerprint = {"status": "ACTIVE", "task_definition": td} if td else {"status": "MISSING"}
    j.start(operation, {"service": {"key": "web", "fingerprint": fingerprint}})
    j.end("succeeded")


def test_rollback_target_is_what_the_run_started_from(tmp_path: Path) -> None:
    backend = open_backend(str(tmp_path / "state"))
    assert last_run_target(backend, KEY) == (None, None)
    _run(backend, "20260101T000000001Z-000001", "apply", None)  # created the service
    assert last_run_target(backend, KEY) == (None, "20260101T000000001Z-000001")
    _run(backend, "20260101T000000002Z-000002", "apply", arn(1))
    _run(backend, "20260101T000000003Z-000003", "scale", arn(2))  # not an apply: skipped
    assert last_run_target(backend, KEY) == (arn(1), "20260101T000000002Z-000002")


def test_rollback_target_without_a_run_start_is_none(tmp_path: Path) -> None:
    backend = open_backend(str(tmp_path / "state"))
    j = Journal(backend, KEY, "20260101T000000001Z-000001")
    j.note("no start entry")
    assert rollback_target(backend.entries(KEY, j.run_id)) is None
