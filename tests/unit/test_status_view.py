"""The `status` block on plain data: each line as ecspresso v2.6.0 formats it.

Expected strings are written out by hand from the Go format strings quoted in each test's
docstring (ecspresso @v2.6.0 = litanyofmadness/ecspresso 27449f2).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from planner.cli.status_cmd import pick_output
from planner.errors import EcsplanError
from planner.ops.status import check_found, newest_events, service_status
from planner.render.status_view import go_time, status_block, status_blocks

UTC = timezone.utc
TOKYO = ZoneInfo("Asia/Tokyo")
T0 = datetime(2025, 7, 24, 14, 56, 51, 123456, tzinfo=UTC)
TD = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:"


def describe(**over: Any) -> dict[str, Any]:
    """A DescribeServices entry as boto3 returns it (the fields status reads)."""
    svc: dict[str, Any] = {
        "serviceName": "web",
        "clusterArn": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod",
        "status": "ACTIVE",
        "taskDefinition": TD + "12",
        "deployments": [],
        "events": [],
    }
    svc.update(over)
    return svc


def event(seconds: float, message: str) -> dict[str, Any]:
    return {"createdAt": T0 + timedelta(seconds=seconds), "message": message}


def block(svc: dict[str, Any], tz: Any = UTC, events: int = 10, **kw: Any) -> list[str]:
    s = service_status("web", "prod", "web", svc, events=events, **kw)
    return status_block(s, tz).splitlines()


def test_whole_block_of_a_rolling_service_with_auto_scaling() -> None:
    """ecspresso.go (*DescribeServiceStatusOutput).String @v2.6.0: Service, Cluster
    (arnToName), TaskDefinition (family:rev), Deployments:, AutoScaling:, Events:."""
    svc = describe(
        deployments=[
            {
                "status": "PRIMARY",
                "taskDefinition": TD + "12",
                "desiredCount": 4,
                "pendingCount": 2,
                "runningCount": 1,
                "rolloutState": "IN_PROGRESS",
                "rolloutStateReason": "ECS deployment ecs-svc/1 in progress.",
            },
            {
                "status": "ACTIVE",
                "taskDefinition": TD + "11",
                "desiredCount": 3,
                "pendingCount": 0,
                "runningCount": 3,
                "rolloutState": "COMPLETED",
                "rolloutStateReason": "ECS deployment ecs-svc/0 completed.",
            },
        ],
        events=[event(1, "second"), event(0, "first")],
    )
    target = {
        "MinCapacity": 2,
        "MaxCapacity": 10,
        "SuspendedState": {
            "DynamicScalingInSuspended": True,
            "DynamicScalingOutSuspended": False,
            "ScheduledScalingSuspended": False,
        },
    }
    policies = [
        {"PolicyName": "cpu", "PolicyType": "TargetTrackingScaling"},
        {"PolicyName": "steps", "PolicyType": "StepScaling"},
    ]
    assert block(svc, TOKYO, target=target, policies=policies) == [
        "Service: web",
        "Cluster: prod",
        "TaskDefinition: web:12",
        "Deployments:",
        "   PRIMARY web:12 desired:4 pending:2 running:1 "
        "IN_PROGRESS(ECS deployment ecs-svc/1 in progress.)",
        "    ACTIVE web:11 desired:3 pending:0 running:3 "
        "COMPLETED(ECS deployment ecs-svc/0 completed.)",
        "AutoScaling:",
        "  Capacity min:2 max:10",
        "  Suspended in:true out:false scheduled:false",
        "  Policy name:cpu type:TargetTrackingScaling",
        "  Policy name:steps type:StepScaling",
        "Events:",
        "2025-07-24T23:56:51.123+09:00 first",
        "2025-07-24T23:56:52.123+09:00 second",
    ]


def test_deployment_without_rollout_state_prints_empty_parentheses() -> None:
    """format.go formatDeployment @v2.6.0: `%8s %s desired:%d pending:%d running:%d %s(%s)`;
    an unset RolloutState and a nil RolloutStateReason print as nothing: `()`."""
    svc = describe(deployments=[{"status": "PRIMARY", "taskDefinition": TD + "3"}])
    assert block(svc)[4] == "   PRIMARY web:3 desired:0 pending:0 running:0 ()"
    svc["deployments"][0]["rolloutState"] = "IN_PROGRESS"
    assert block(svc)[4] == "   PRIMARY web:3 desired:0 pending:0 running:0 IN_PROGRESS()"


@pytest.mark.parametrize(
    ("status", "padded"),
    [("PRIMARY", " PRIMARY"), ("ACTIVE", "  ACTIVE"), ("INACTIVE", "INACTIVE"), ("", " " * 8)],
)
def test_status_is_right_aligned_in_eight_columns(status: str, padded: str) -> None:
    """format.go formatDeployment @v2.6.0: `%8s` pads on the left to 8 and never cuts;
    the block indents the line by spcIndent (two spaces)."""
    svc = describe(deployments=[{"status": status, "taskDefinition": TD + "3"}])
    assert block(svc)[4] == f"  {padded} web:3 desired:0 pending:0 running:0 ()"
    svc["deployments"][0]["status"] = "ROLLBACK_IN_PROGRESS"
    assert block(svc)[4].startswith("  ROLLBACK_IN_PROGRESS web:3 ")


def test_task_sets_line() -> None:
    """format.go formatTaskSet @v2.6.0: `%8s %s desired:%d pending:%d running:%d %s` with
    computedDesiredCount and stabilityStatus; no Deployments: header without deployments."""
    svc = describe(
        taskSets=[
            {
                "status": "PRIMARY",
                "taskDefinition": TD + "5",
                "computedDesiredCount": 3,
                "pendingCount": 1,
                "runningCount": 2,
                "stabilityStatus": "STABILIZING",
            },
            {"status": "ACTIVE", "taskDefinition": TD + "4"},
        ]
    )
    assert block(svc)[3:6] == [
        "TaskSets:",
        "   PRIMARY web:5 desired:3 pending:1 running:2 STABILIZING",
        "    ACTIVE web:4 desired:0 pending:0 running:0 ",
    ]


def test_auto_scaling_header_is_always_printed() -> None:
    """ecspresso.go (*DescribeServiceStatusOutput).String @v2.6.0: `AutoScaling:` is
    printed with no scalable target too (v2.3.2-v2.4.x left it out)."""
    assert block(describe()) == [
        "Service: web",
        "Cluster: prod",
        "TaskDefinition: web:12",
        "AutoScaling:",
        "Events:",
    ]


def test_suspended_flags_left_out_are_false() -> None:
    """format.go formatScalableTarget @v2.6.0: `Suspended in:%t out:%t scheduled:%t`; AWS
    always sends the three flags, the sandbox only those set: the others are false."""
    target = {
        "MinCapacity": 0,
        "MaxCapacity": 1,
        "SuspendedState": {"ScheduledScalingSuspended": True},
    }
    lines = block(describe(), target=target)
    assert lines[4:6] == ["  Capacity min:0 max:1", "  Suspended in:false out:false scheduled:true"]
    lines = block(describe(), target={"MinCapacity": 1, "MaxCapacity": 1})
    assert lines[5] == "  Suspended in:false out:false scheduled:false"


def test_zero_events_leave_events_header_last() -> None:
    """ecspresso.go DescribeServiceStatus @v2.6.0: `head := lo.Max(len(events)-n, 0)`, so
    `--events 0` (and a negative N) print no event line; `Events:` stays."""
    svc = describe(events=[event(0, "a"), event(1, "b")])
    assert block(svc, events=0)[-1] == "Events:"
    assert block(svc, events=-3)[-1] == "Events:"
    assert block(describe(events=[]))[-1] == "Events:"


def test_events_n_picks_the_newest_n_oldest_first() -> None:
    """ecspresso.go DescribeServiceStatus @v2.6.0: sort.SliceStable by CreatedAt.Before,
    then the last N; equal times keep the API's order (newest first from ECS)."""
    api = [event(3, "d"), event(2, "c2"), event(2, "c1"), event(0, "a"), event(1, "b")]
    assert [e.message for e in newest_events(api, 3)] == ["c2", "c1", "d"]
    assert [e.message for e in newest_events(api, 10)] == ["a", "b", "c2", "c1", "d"]
    assert newest_events(api, 0) == ()
    assert block(describe(events=api), events=2)[-2:] == [
        "2025-07-24T14:56:53.123Z c1",
        "2025-07-24T14:56:54.123Z d",
    ]


def test_event_time_is_go_format_in_the_local_zone() -> None:
    """format.go serviceEvent.String @v2.6.0: `CreatedAt.In(time.Local).Format(
    EventTimeFormat)`, EventTimeFormat = sloghandler.TimeFormat (v0.0.3)
    `2006-01-02T15:04:05.000Z07:00`: milliseconds truncated, `Z` for UTC."""
    assert go_time(T0, UTC) == "2025-07-24T14:56:51.123Z"
    assert go_time(T0, TOKYO) == "2025-07-24T23:56:51.123+09:00"
    assert go_time(T0.replace(microsecond=999999), UTC) == "2025-07-24T14:56:51.999Z"
    assert go_time(T0, ZoneInfo("America/St_Johns")) == "2025-07-24T12:26:51.123-02:30"
    assert go_time(T0.replace(tzinfo=None), UTC) == "2025-07-24T14:56:51.123Z"  # naive = UTC


def test_several_services_are_blocks_separated_by_one_blank_line() -> None:
    """ecsplan only (ecspresso shows one service): blocks in the selection's order, one
    blank line between two; a missing or INACTIVE service has no block."""
    a = service_status("a", "prod", "a", describe(serviceName="a"))
    gone = service_status("gone", "prod", "gone", None)
    b = service_status("b", "prod", "b", describe(serviceName="b", status="DRAINING"))
    text = status_blocks([a, gone, b], UTC)
    assert text == status_block(a, UTC) + "\n" + status_block(b, UTC)
    assert text.count("\n\n") == 1 and text.endswith("Events:\n")
    assert status_blocks([gone], UTC) == ""


def test_missing_inactive_and_draining() -> None:
    """ecspresso.go (*App).DescribeService @v2.6.0: no service -> `service %s is not
    found`; INACTIVE -> `service %s is INACTIVE` (both exit 1); DRAINING -> a warning."""
    gone = service_status("k1", "prod", "web", None)
    inactive = service_status("k2", "prod", "api", describe(serviceName="api", status="INACTIVE"))
    draining = service_status("k3", "prod", "db", describe(serviceName="db", status="DRAINING"))
    assert draining.warnings == ("service db is DRAINING",) and draining.not_found is None
    check_found([draining])
    with pytest.raises(EcsplanError) as e:
        check_found([draining, gone, inactive])
    assert e.value.message == "service web is not found"
    assert e.value.details == "service api is INACTIVE"


def test_output_choice_and_the_older_format_flag() -> None:
    assert pick_output(None, None) == "text"
    assert pick_output("table", None) == "table"
    assert pick_output(None, "text") == "table"  # --format text was the table
    assert pick_output(None, "json") == "json"
    assert pick_output("json", "json") == "json"
    with pytest.raises(EcsplanError, match="--format text and --output text disagree"):
        pick_output("text", "text")
