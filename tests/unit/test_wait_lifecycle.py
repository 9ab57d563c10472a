"""The verdicts of waits on ECS-native deployments that may pause at a PAUSE hook
(planner/apply/wait.py), on DescribeServices / DescribeServiceDeployments shapes."""

from __future__ import annotations

from typing import Any

from planner.apply.wait import WaitSpec, _lifecycle_verdict

TD2 = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:2"
TD1 = TD2[:-1] + "1"


def _svc(state: str = "IN_PROGRESS", strategy: str = "BLUE_GREEN") -> dict[str, Any]:
    deps = [
        {
            "id": "g",
            "status": "PRIMARY",
            "taskDefinition": TD2,
            "rolloutState": state,
            "runningCount": 2,
            "desiredCount": 2,
        },
    ]
    if state == "IN_PROGRESS":
        deps.append(
            {
                "id": "b",
                "status": "ACTIVE",
                "taskDefinition": TD1,
                "rolloutState": "COMPLETED",
                "runningCount": 2,
                "desiredCount": 2,
            }
        )
    return {
        "desiredCount": 2,
        "deployments": deps,
        "deploymentConfiguration": {"strategy": strategy},
    }


def _sd(stage: str, hook: str | None = None) -> dict[str, Any]:
    hooks = [{"hookId": hook, "targetType": "PAUSE", "status": "AWAITING_ACTION"}] if hook else []
    return {"status": "IN_PROGRESS", "lifecycleStage": stage, "lifecycleHookDetails": hooks}


def _spec(until: str) -> WaitSpec:
    return WaitSpec("web", "c", "web", TD2, until=until, deployment_id="g")


def test_a_stage_is_reached_at_it_or_any_later_stage() -> None:
    """ecspresso wait.go WaitServiceDeployLifecycleStage compares stage positions, since a
    transient stage can be skipped between polls."""
    spec = _spec("ecs:TEST_TRAFFIC_SHIFT")
    assert _lifecycle_verdict(spec, _svc(), _sd("SCALE_UP"))[0] == "waiting"
    assert _lifecycle_verdict(spec, _svc(), _sd("TEST_TRAFFIC_SHIFT"))[0] == "completed"
    assert _lifecycle_verdict(spec, _svc(), _sd("BAKE_TIME"))[0] == "completed"
    assert _lifecycle_verdict(spec, _svc("COMPLETED"), None)[0] == "completed"


def test_paused_returns_only_at_a_hook_awaiting_action() -> None:
    """ecspresso wait.go deploymentPaused: a PAUSE hook with status AWAITING_ACTION."""
    spec = _spec("paused")
    assert _lifecycle_verdict(spec, _svc(), _sd("POST_TEST_TRAFFIC_SHIFT"))[0] == "waiting"
    got = _lifecycle_verdict(spec, _svc(), _sd("POST_TEST_TRAFFIC_SHIFT", "ecs-pause-1"))
    assert got == ("completed", None, ())


def test_waiting_for_the_end_says_once_that_it_is_paused() -> None:
    spec = _spec("deployed")
    sd = _sd("POST_TEST_TRAFFIC_SHIFT", "ecs-pause-1")
    phase, _, notices = _lifecycle_verdict(spec, _svc(), sd)
    assert phase == "waiting" and spec.paused
    assert notices == (
        "web: the deployment is paused at lifecycle hook ecs-pause-1 at stage "
        "POST_TEST_TRAFFIC_SHIFT; resume it with `ecsplan continue`",
    )
    assert _lifecycle_verdict(spec, _svc(), sd) == ("waiting", None, ())


def test_a_stage_on_a_rolling_service_is_refused() -> None:
    """ecspresso wait.go validateLifecycleStageSupported."""
    phase, failure, _ = _lifecycle_verdict(_spec("ecs:BAKE_TIME"), _svc(strategy="ROLLING"), None)
    assert phase == "failed"
    assert failure == (
        "web: waiting for lifecycle stage BAKE_TIME requires a traffic shifting deployment "
        "strategy, but the service uses ROLLING"
    )
