"""Decisions of `tasks`, `run` and `wait` on DescribeTasks / DescribeServices output, without
AWS: the rows a user reads, which task may be stopped, the RunTask parameters taken from the
service, the exit code of a one-off task, and what a wait follows."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from planner.apply.wait import RolloutFailed
from planner.aws.clients import AwsContext
from planner.aws.reads import LiveReader, ServiceRef
from planner.errors import EcsplanError
from planner.ops.run_task import exit_code, failed_to_start, run_task_params
from planner.ops.tasks import Tasks, stoppable, task_row
from planner.ops.waiting import follow, spec_for
from planner.workspace.selection import SelectSpec, select

ROOT = Path(__file__).resolve().parents[2]
TASK = "arn:aws:ecs:ap-northeast-1:123456789012:task/my-cluster/"
TD = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web"
# Nothing listens there: a unit test that reached AWS would fail, not pass by accident.
OFFLINE = AwsContext(region="ap-northeast-1", endpoint_url="http://127.0.0.1:9")


def task(tid: str, last: str = "RUNNING", **kw: Any) -> dict[str, Any]:
    return {
        "taskArn": TASK + tid,
        "taskDefinitionArn": f"{TD}:3",
        "lastStatus": last,
        "desiredStatus": "RUNNING" if last != "STOPPED" else "STOPPED",
        **kw,
    }


# --- tasks ---------------------------------------------------------------------------------


def test_task_row() -> None:
    started = datetime(2026, 2, 3, 4, 5, 6, 789, tzinfo=timezone.utc)
    row = task_row(
        "web",
        task("abc123", healthStatus="HEALTHY", startedAt=started, capacityProviderName="SPOT"),
    )
    assert row == {
        "service": "web",
        "id": "abc123",
        "taskArn": TASK + "abc123",
        "revision": "web:3",
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "healthStatus": "HEALTHY",
        "startedAt": "2026-02-03T04:05:06+00:00",
        "stoppedReason": None,
        "launchType": "SPOT",
    }
    bare = task_row("web", {"taskArn": TASK + "x", "launchType": "FARGATE"})
    assert (bare["healthStatus"], bare["revision"], bare["launchType"]) == (
        "UNKNOWN",
        "-",
        "FARGATE",
    )


def _tasks() -> Tasks:
    raw = [task("aaa"), task("bbb", "STOPPED", stoppedReason="Essential container exited")]
    return Tasks([task_row("web", t) for t in raw], {t["taskArn"]: t for t in raw})


@pytest.mark.parametrize("ref", ["aaa", TASK + "aaa"])
def test_a_task_is_named_by_id_or_arn(ref) -> None:
    assert [r["id"] for r in _tasks().only(ref).rows] == ["aaa"]
    assert stoppable(_tasks(), ref)["taskArn"] == TASK + "aaa"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("bbb", "task bbb is already stopped"),
        ("zzz", "task zzz is not a task of the selected service(s)"),
        ("aa", "task aa is not a task of the selected service(s)"),  # no prefix matching
    ],
)
def test_stop_refuses(ref, message) -> None:
    with pytest.raises(EcsplanError) as e:
        stoppable(_tasks(), ref)
    assert e.value.message == message


# --- run -----------------------------------------------------------------------------------

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "DISABLED"}}


@pytest.mark.parametrize(
    ("source", "extra"),
    [
        pytest.param(
            {"launchType": "FARGATE", "networkConfiguration": NETWORK, "platformVersion": "1.4.0"},
            {"launchType": "FARGATE", "networkConfiguration": NETWORK, "platformVersion": "1.4.0"},
            id="fargate-service",
        ),
        pytest.param(
            {
                "launchType": "FARGATE",
                "capacityProviderStrategy": [
                    {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0, "x": 1}
                ],
                "enableExecuteCommand": True,
            },
            {
                "capacityProviderStrategy": [
                    {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
                ],
                "enableExecuteCommand": True,
            },
            id="capacity-providers-not-launch-type",
        ),
        pytest.param({"enableExecuteCommand": False}, {}, id="nothing-to-copy"),
    ],
)
def test_run_task_params_follow_the_service(source, extra) -> None:
    assert run_task_params(source, "my-cluster", f"{TD}:3", 2) == {
        "cluster": "my-cluster",
        "taskDefinition": f"{TD}:3",
        "count": 2,
        "startedBy": "ecsplan",
        **extra,
    }


def _containers(*codes: tuple[str, int | None]) -> list[dict[str, Any]]:
    return [
        task(
            "t1",
            "STOPPED",
            stoppedReason="Essential container in task exited",
            containers=[
                {"name": n, "exitCode": c} if c is not None else {"name": n, "reason": "OOM"}
                for n, c in codes
            ],
        )
    ]


TD_DOC = {
    "containerDefinitions": [
        {"name": "app"},  # essential by default
        {"name": "sidecar", "essential": False},
    ]
}


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ((("app", 0), ("sidecar", 0)), 0),
        ((("app", 3), ("sidecar", 0)), 3),
        ((("app", 0), ("sidecar", 137)), 0),  # not essential: its code does not count
    ],
)
def test_exit_code_is_the_essential_containers(codes, expected) -> None:
    notes: list[tuple[str, bool]] = []
    assert exit_code(_containers(*codes), TD_DOC, lambda line, err: notes.append((line, err))) == (
        expected
    )
    if expected:
        assert notes == [
            (
                f"task t1: essential container app exited with code {expected} "
                "(Essential container in task exited)",
                True,
            )
        ]
    else:
        assert notes == [("task t1: essential containers exited with code 0", False)]


def test_exit_code_without_one_is_an_error() -> None:
    with pytest.raises(EcsplanError) as e:
        exit_code(_containers(("app", None)), TD_DOC, lambda line, err: None)
    assert e.value.message == "task t1: container app stopped without an exit code: OOM"


@pytest.mark.parametrize(
    ("t", "failed"),
    [
        ({"stopCode": "TaskFailedToStart", "startedAt": "x"}, True),
        ({"stopCode": "EssentialContainerExited"}, True),  # never started
        ({"stopCode": "EssentialContainerExited", "startedAt": "x"}, False),
    ],
)
def test_failed_to_start(t, failed) -> None:
    assert failed_to_start(t) is failed


# --- wait ----------------------------------------------------------------------------------


def dep(i: int, status: str, state: str, reason: str = "") -> dict[str, Any]:
    return {
        "id": f"ecs-svc/{i}",
        "status": status,
        "taskDefinition": f"{TD}:{i}",
        "rolloutState": state,
        "rolloutStateReason": reason,
    }


@pytest.mark.parametrize(
    ("deployments", "expected"),
    [
        ([dep(2, "PRIMARY", "IN_PROGRESS"), dep(1, "ACTIVE", "COMPLETED")], "ecs-svc/2"),
        ([dep(2, "ACTIVE", "FAILED"), dep(1, "PRIMARY", "IN_PROGRESS")], "ecs-svc/2"),
        ([], None),
    ],
)
def test_wait_follows_a_failed_deployment_first_then_the_primary(deployments, expected) -> None:
    got = follow({"deployments": deployments})
    assert got[0] == expected
    assert got[1] == (f"{TD}:{expected[-1]}" if expected else None)


@pytest.fixture(scope="module")
def entry():
    cfg = ROOT / "examples" / "single-service" / "ecspresso.yml"
    return select(SelectSpec(configs=(str(cfg),)), OFFLINE).entries[0]


REF = ServiceRef("ap-northeast-1", "my-cluster", "myservice")


def _spec(entry, svc):
    return spec_for(entry, REF, svc, OFFLINE, LiveReader(OFFLINE), "stable", 60.0)


def test_wait_spec_of_an_ecs_rollout(entry) -> None:
    svc = {"status": "ACTIVE", "deployments": [dep(4, "PRIMARY", "IN_PROGRESS")]}
    spec = _spec(entry, svc)
    assert (spec.key, spec.cluster, spec.service) == ("myservice", "my-cluster", "myservice")
    assert (spec.deployment_id, spec.expected_task_definition) == ("ecs-svc/4", f"{TD}:4")
    assert (spec.until, spec.timeout, spec.codedeploy) == ("stable", 60.0, False)


@pytest.mark.parametrize(
    ("svc", "error", "message"),
    [
        (
            None,
            EcsplanError,
            "myservice: service my-cluster/myservice is not ACTIVE",
        ),
        (
            {"status": "DRAINING"},
            EcsplanError,
            "myservice: service my-cluster/myservice is not ACTIVE",
        ),
        (
            {
                "status": "ACTIVE",
                "deployments": [
                    dep(
                        3,
                        "PRIMARY",
                        "IN_PROGRESS",
                        "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/3.",
                    )
                ],
            },
            RolloutFailed,
            "myservice: the last deployment failed and was rolled back (ECS deployment circuit "
            "breaker: rolling back to deploymentId ecs-svc/3.); ECS runs web:3",
        ),
    ],
)
def test_wait_refuses(entry, svc, error, message) -> None:
    with pytest.raises(error) as e:
        _spec(entry, svc)
    assert e.value.message == message
