"""The other planning units on plain data, table-driven: auto scaling around a deployment,
the task definition, CodeDeploy, and the declared alarms and policies (each changed field
shown old -> new)."""

from __future__ import annotations

from typing import Any

import pytest

from planner.errors import EcsplanError
from planner.plan.codedeploy_plan import (
    CodeDeployTarget,
    appspec_for,
    codedeploy_payload,
    rollback_events,
)
from planner.plan.extras import extras_steps
from planner.plan.model import PlanOptions, StepKind
from planner.plan.scaling_steps import ALL_SUSPENDED, NONE_SUSPENDED, scaling_steps
from planner.plan.secrets import Secrets
from planner.plan.taskdef_plan import plan_task_definition

TARGET = {"MinCapacity": 2, "MaxCapacity": 10, "SuspendedState": dict(NONE_SUSPENDED)}

# (case, target, options, kinds before the deployment, kinds after, warning?)
SCALING = [
    ("nothing asked", TARGET, PlanOptions(), [], [], False),
    (
        "no target: skipped with a warning",
        None,
        PlanOptions(suspend_auto_scaling=True),
        [],
        [],
        True,
    ),
    (
        "suspend and resume",
        TARGET,
        PlanOptions(suspend_auto_scaling=True, resume_auto_scaling=True),
        ["suspend_auto_scaling"],
        ["resume_auto_scaling"],
        False,
    ),
    (
        "resume what is not suspended: nothing",
        TARGET,
        PlanOptions(resume_auto_scaling=True),
        [],
        [],
        False,
    ),
    (
        "already suspended: resume only",
        {**TARGET, "SuspendedState": dict(ALL_SUSPENDED)},
        PlanOptions(suspend_auto_scaling=True, resume_auto_scaling=True),
        [],
        ["resume_auto_scaling"],
        False,
    ),
    ("min/max", TARGET, PlanOptions(auto_scaling_min=3), ["set_scaling_capacity"], [], False),
    (
        "same min/max: nothing",
        TARGET,
        PlanOptions(auto_scaling_min=2, auto_scaling_max=10),
        [],
        [],
        False,
    ),
]


@pytest.mark.parametrize(
    ("target", "options", "before", "after", "warned"),
    [c[1:] for c in SCALING],
    ids=[c[0] for c in SCALING],
)
def test_scaling_steps(
    target: dict[str, Any] | None,
    options: PlanOptions,
    before: list[str],
    after: list[str],
    warned: bool,
) -> None:
    out = scaling_steps("app", "c/app", target, options)
    assert [s.kind.value for s in out.before] == before
    assert [s.kind.value for s in out.after] == after
    assert (out.warning is not None) is warned


def test_min_above_max_is_refused() -> None:
    with pytest.raises(EcsplanError, match="--auto-scaling-min 11 is greater than max 10"):
        scaling_steps("app", "c/app", TARGET, PlanOptions(auto_scaling_min=11))


TD = {
    "family": "app",
    "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": True}],
}
LIVE_TD = {"taskDefinition": {**TD, "taskDefinitionArn": "arn:td/app:3", "revision": 3}}
ARN = "arn:td/app:3"


DEFAULTS = PlanOptions()


def _td(desired: dict[str, Any] | None, options: PlanOptions = DEFAULTS, **kw: Any) -> Any:
    return plan_task_definition(
        "app",
        desired,
        kw.get("live", LIVE_TD),
        kw.get("live_arn", ARN),
        kw.get("pinned"),
        options,
        secrets=Secrets(),
    )


def test_same_content_registers_nothing() -> None:
    plan = _td(TD)
    assert plan.register is None and plan.arn == ARN and not plan.changes_revision


def test_new_image_registers_a_revision_showing_the_change() -> None:
    plan = _td(
        {**TD, "containerDefinitions": [{**TD["containerDefinitions"][0], "image": "nginx:1.28"}]}
    )
    assert plan.register is not None and plan.changes_revision
    assert plan.register.kind is StepKind.REGISTER_TASK_DEFINITION
    assert [c.path for c in plan.document.changes] == ["containerDefinitions[name=web].image"]


def test_pinned_revision_is_deployed_without_registering() -> None:
    pinned = {"taskDefinition": {**TD, "taskDefinitionArn": "arn:td/app:2", "revision": 2}}
    plan = _td(TD, PlanOptions(revision=2), pinned=pinned)
    assert plan.register is None and plan.arn == "arn:td/app:2" and plan.changes_revision


def test_pinned_revision_missing_is_an_error() -> None:
    with pytest.raises(EcsplanError, match="revision 9 of the family was not found"):
        _td(TD, PlanOptions(revision=9))


def test_secret_values_compare_as_placeholders() -> None:
    env = [{"name": "DB_PASSWORD", "value": "hunter22"}]
    desired = {
        **TD,
        "containerDefinitions": [{**TD["containerDefinitions"][0], "environment": env}],
    }
    secrets = Secrets(key_source=b"k" * 32)
    live = {"taskDefinition": {**desired, "taskDefinitionArn": ARN}}
    plan = plan_task_definition(
        "app", desired, secrets.blind(live), ARN, None, PlanOptions(), secrets=secrets
    )
    assert plan.register is None
    assert "hunter22" not in str(plan.document.after)


def test_codedeploy_payload_and_appspec() -> None:
    sd = {
        "loadBalancers": [{"containerName": "web", "containerPort": 80, "targetGroupArn": "tg"}],
        "platformVersion": "1.4.0",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s-1"]}},
    }
    spec = appspec_for("app", {"Hooks": [{"BeforeInstall": "fn"}]}, sd, "arn:td/app:4")
    props = spec["Resources"][0]["TargetService"]["Properties"]
    assert props["LoadBalancerInfo"] == {"ContainerName": "web", "ContainerPort": 80}
    assert props["PlatformVersion"] == "1.4.0" and spec["Hooks"] == [{"BeforeInstall": "fn"}]
    target = CodeDeployTarget("app", "grp", "CodeDeployDefault.ECSAllAtOnce", auto_rollback=True)
    payload = codedeploy_payload(
        "app", target, spec, deployment_config=None, events=rollback_events((), True)
    )
    assert payload["autoRollbackConfiguration"] == {
        "enabled": True,
        "events": ["DEPLOYMENT_FAILURE"],
    }
    assert payload["deploymentConfigName"] == "CodeDeployDefault.ECSAllAtOnce"


def test_unknown_rollback_event_is_refused() -> None:
    with pytest.raises(EcsplanError, match="unknown event 'BOOM'"):
        rollback_events(("BOOM",), None)


ALARM = {"name": "app-cpu", "metric": "CPUUtilization", "threshold": 80}
LIVE_ALARM = {
    "AlarmName": "app-cpu",
    "MetricName": "CPUUtilization",
    "Namespace": "AWS/ECS",
    "Statistic": "Average",
    "Period": 60,
    "EvaluationPeriods": 3,
    "Threshold": 80.0,
    "ComparisonOperator": "GreaterThanThreshold",
    "Dimensions": [{"Name": "ClusterName", "Value": "c"}, {"Name": "ServiceName", "Value": "app"}],
}


def _alarm_steps(declared: dict[str, Any], live: list[dict[str, Any]]) -> list[Any]:
    return extras_steps(
        cluster="c",
        service="app",
        extras={"alarms": [declared]},
        target=None,
        policies=None,
        alarms=live,
    )


def test_an_alarm_threshold_change_shows_the_field() -> None:
    (step,) = _alarm_steps({**ALARM, "threshold": 85}, [LIVE_ALARM])
    assert [(c.path, c.before, c.after) for c in step.changes] == [("threshold", 80.0, 85.0)]


def test_a_new_alarm_shows_every_field() -> None:
    (step,) = _alarm_steps(ALARM, [])
    fields = {c.path: c.after for c in step.changes}
    assert fields["threshold"] == 80.0 and fields["metric"] == "CPUUtilization"
    assert all(c.before is None for c in step.changes)


def test_an_unchanged_alarm_has_no_step() -> None:
    assert _alarm_steps(ALARM, [LIVE_ALARM]) == []
