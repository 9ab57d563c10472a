"""`status` (planner/ops/status.py): a service's status, table cells and JSON from its
DescribeServices entry, scalable target and policies, as `gather` reads them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from planner.ops.status import (
    scaling_cell,
    service_status,
    summary_row,
    to_json,
)

TD = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web"
AT = datetime(2026, 3, 1, 12, 30, 0, 123456, tzinfo=timezone.utc)


def rolling(**kw: Any) -> dict[str, Any]:
    """A DescribeServices entry mid-rollout: web:8 replacing web:7."""
    return {
        "status": "ACTIVE",
        "taskDefinition": f"{TD}:8",
        "desiredCount": 3,
        "runningCount": 4,
        "pendingCount": 1,
        "launchType": "FARGATE",
        "deployments": [
            {
                "id": "ecs-svc/2",
                "status": "PRIMARY",
                "taskDefinition": f"{TD}:8",
                "desiredCount": 3,
                "runningCount": 1,
                "pendingCount": 1,
                "failedTasks": 2,
                "rolloutState": "IN_PROGRESS",
                "rolloutStateReason": "ECS deployment ecs-svc/2 in progress.",
                "updatedAt": AT,
            },
            {
                "id": "ecs-svc/1",
                "status": "ACTIVE",
                "taskDefinition": f"{TD}:7",
                "desiredCount": 3,
                "runningCount": 3,
                "rolloutState": "COMPLETED",
            },
        ],
        "events": [
            {"createdAt": AT, "message": f"(service web) has started 1 tasks: (task {i})."}
            for i in range(5)
        ],
        **kw,
    }


def test_missing_service() -> None:
    s = service_status("web", "my-cluster", "web", None)
    assert (s.status, s.task_definition, s.deployments) == ("MISSING", None, ())
    assert summary_row(s) == ["web", "MISSING", "-", "-", "-", "-", "-"]
    assert to_json(s)["revision"] is None


def test_rolling_deployment_as_a_user_reads_it() -> None:
    s = service_status("web", "my-cluster", "web", rolling(), events=2)
    assert s.revision == "web:8"
    assert [(d.id, d.status, d.running, d.failed) for d in s.deployments] == [
        ("ecs-svc/2", "PRIMARY", 1, 2),
        ("ecs-svc/1", "ACTIVE", 3, 0),
    ]
    assert s.deployments[0].updated == "2026-03-01T12:30:00+00:00"
    assert len(s.events) == 2
    assert s.events[0].created == "2026-03-01T12:30:00+00:00"
    assert summary_row(s) == [
        "web",
        "ACTIVE",
        "web:8",
        "4/3 (+1 pending)",
        "PRIMARY web:8 IN_PROGRESS 1/3; ACTIVE web:7 COMPLETED 3/3",
        "FARGATE",
        "-",
    ]


@pytest.mark.parametrize(("events", "shown"), [(0, 0), (-3, 0), (3, 3), (10, 5)])
def test_events_are_limited(events: int, shown: int) -> None:
    s = service_status("web", "c", "web", rolling(), events=events)
    assert len(s.events) == shown
    assert len(to_json(s)["events"]) == shown


def test_blue_green_task_sets() -> None:
    svc = rolling(
        deploymentController={"type": "CODE_DEPLOY"},
        deployments=[],
        taskSets=[
            {
                "id": "ecs-svc/ts-green",
                "status": "ACTIVE",
                "stabilityStatus": "STABILIZING",
                "taskDefinition": f"{TD}:8",
                "computedDesiredCount": 3,
                "runningCount": 2,
                "scale": {"value": 100.0, "unit": "PERCENT"},
                "externalId": "d-ABC123",
            },
            {
                "id": "ecs-svc/ts-blue",
                "status": "PRIMARY",
                "stabilityStatus": "STEADY_STATE",
                "taskDefinition": f"{TD}:7",
                "computedDesiredCount": 3,
                "runningCount": 3,
            },
        ],
    )
    s = service_status("web", "c", "web", svc)
    assert s.controller == "CODE_DEPLOY"
    assert s.task_sets[0].scale == "100.0 percent"
    assert s.task_sets[1].scale is None
    assert summary_row(s)[4] == "ACTIVE web:8 STABILIZING 2/3; PRIMARY web:7 STEADY_STATE 3/3"
    j = to_json(s)
    assert j["deploymentController"] == "CODE_DEPLOY"
    assert j["taskSets"][0]["externalId"] == "d-ABC123"


@pytest.mark.parametrize(
    ("strategy", "cell"),
    [
        (
            [
                {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                {"capacityProvider": "FARGATE_SPOT", "weight": 3},
            ],
            "FARGATE w1 base 1, FARGATE_SPOT w3",
        ),
        ([{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}], "FARGATE_SPOT w1"),
    ],
)
def test_capacity_providers_win_over_launch_type(strategy, cell) -> None:
    s = service_status("web", "c", "web", rolling(capacityProviderStrategy=strategy))
    assert summary_row(s)[5] == cell


@pytest.mark.parametrize(
    ("suspended", "policies", "cell"),
    [
        ({}, [], "min 1 max 4, active"),
        (
            {
                "DynamicScalingInSuspended": True,
                "DynamicScalingOutSuspended": True,
                "ScheduledScalingSuspended": False,
            },
            [{"PolicyName": "cpu"}],
            "min 1 max 4, suspended: in/out, policies: cpu",
        ),
        (
            {"ScheduledScalingSuspended": True},
            [{"PolicyName": "cpu"}, {"PolicyName": "mem"}],
            "min 1 max 4, suspended: scheduled, policies: cpu, mem",
        ),
    ],
)
def test_auto_scaling_cell(suspended, policies, cell) -> None:
    target = {"MinCapacity": 1, "MaxCapacity": 4, "SuspendedState": suspended}
    s = service_status("web", "c", "web", rolling(), target, policies)
    assert scaling_cell(s) == cell
    assert s.scaling is not None and s.scaling.any_suspended == any(suspended.values())
    assert to_json(s)["autoScaling"] == {
        "minCapacity": 1,
        "maxCapacity": 4,
        "suspendedState": suspended,
        "policies": [p["PolicyName"] for p in policies],
    }


def test_json_names_fields_as_the_aws_apis_do() -> None:
    j = to_json(service_status("api", "my-cluster", "api-svc", rolling()))
    assert {k: j[k] for k in ("key", "cluster", "service", "revision", "autoScaling")} == {
        "key": "api",
        "cluster": "my-cluster",
        "service": "api-svc",
        "revision": "web:8",
        "autoScaling": None,
    }
    assert (j["desiredCount"], j["runningCount"], j["pendingCount"]) == (3, 4, 1)
    assert j["deployments"][0] == {
        "id": "ecs-svc/2",
        "status": "PRIMARY",
        "taskDefinition": f"{TD}:8",
        "desiredCount": 3,
        "runningCount": 1,
        "pendingCount": 1,
        "failedTasks": 2,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": "ECS deployment ecs-svc/2 in progress.",
        "updatedAt": "2026-03-01T12:30:00+00:00",
    }
