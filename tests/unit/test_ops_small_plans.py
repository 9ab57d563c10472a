"""The small plans operations build themselves (planner/ops/lifecycle.py: `register`,
`delete`), and `appspec` for a given task definition (planner/ops/appspec.py), from configs
and describe output, without AWS."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from planner.aws.clients import AwsContext
from planner.aws.reads import ServiceRef
from planner.errors import EcsplanError
from planner.ops.appspec import appspecs
from planner.ops.lifecycle import Doomed, delete_plan, only_changed, register_plan
from planner.ops.session import Session
from planner.plan.model import Action, Plan, StepKind
from planner.workspace.selection import SelectSpec, select

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# Nothing listens there: a unit test that reached AWS would fail, not pass by accident.
OFFLINE = AwsContext(region="ap-northeast-1", endpoint_url="http://127.0.0.1:9")
TD = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/"


def session(*names: str) -> Session:
    configs = tuple(str(EXAMPLES / n / "ecspresso.yml") for n in names)
    return Session(select(SelectSpec(configs=configs), OFFLINE), OFFLINE)


def test_register_plan_is_one_new_revision_per_service() -> None:
    plan = register_plan(session("single-service", "blue-green"))
    assert [sp.key for sp in plan.services] == ["myservice", "bg-service"]
    sp = plan.services[0]
    (step,) = sp.steps
    assert step.kind is StepKind.REGISTER_TASK_DEFINITION
    assert step.id == "myservice/01-register_task_definition"
    assert step.payload["family"] == "myservice"
    assert step.payload["containerDefinitions"][0]["image"] == "nginx:1.27"
    assert step.undo == {"deregister": "new revision"}
    assert (sp.cluster, sp.service, sp.action) == ("my-cluster", "myservice", Action.CREATE)
    assert plan.has_changes


def test_register_refuses_a_config_without_task_definition() -> None:
    s = session("single-service")
    e0 = s.entries[0]
    no_td = replace(
        s.selection, entries=(replace(e0, config=replace(e0.config, task_definition=None)),)
    )
    with pytest.raises(EcsplanError) as e:
        register_plan(replace(s, selection=no_td))
    assert e.value.message == "myservice: the config has no task_definition"


@pytest.mark.parametrize(
    ("live", "controller"),
    [
        ({"deploymentController": {"type": "CODE_DEPLOY"}}, "CODE_DEPLOY"),
        ({"deploymentController": None}, "ECS"),
        ({}, "ECS"),
    ],
)
def test_delete_plan_from_the_live_service(live, controller) -> None:
    e = session("single-service").entries[0]
    ref = ServiceRef("ap-northeast-1", "my-cluster", "myservice")
    svc = {"status": "ACTIVE", "taskDefinition": TD + "myservice:7", "desiredCount": 4, **live}
    (sp,) = delete_plan([Doomed(e, ref, svc)]).services
    (step,) = sp.steps
    assert step.kind is StepKind.DELETE_SERVICE and step.destructive
    assert step.payload == {"cluster": "my-cluster", "service": "myservice"}
    assert step.before == {"taskDefinition": TD + "myservice:7"}
    assert step.description == "delete service my-cluster/myservice"
    assert (sp.action, sp.controller) == (Action.DELETE, controller)
    assert (sp.fingerprint.task_definition, sp.fingerprint.desired_count) == (
        TD + "myservice:7",
        4,
    )
    assert sp.destructive


def test_only_changed_drops_services_without_steps() -> None:
    plan = register_plan(session("single-service", "blue-green"))
    idle = replace(plan.services[1], steps=())
    got = only_changed(Plan(services=(plan.services[0], idle)))
    assert [sp.key for sp in got.services] == ["myservice"]


def test_appspec_for_a_given_task_definition() -> None:
    (spec,) = appspecs(session("blue-green"), TD + "bg-service:9")
    props = spec["Resources"][0]["TargetService"]["Properties"]
    assert props["TaskDefinition"] == TD + "bg-service:9"
    assert props["LoadBalancerInfo"] == {"ContainerName": "web", "ContainerPort": 80}
    assert props["PlatformVersion"] == "1.4.0"
    assert props["NetworkConfiguration"]["AwsvpcConfiguration"] == {
        "Subnets": ["subnet-12345678", "subnet-87654321"],
        "SecurityGroups": ["sg-12345678"],
        "AssignPublicIp": "DISABLED",
    }
    assert spec["Hooks"][0] == {"BeforeInstall": "LambdaFunctionToValidateBeforeInstall"}
    assert len(spec["Hooks"]) == 5


def test_appspec_needs_a_load_balancer() -> None:
    s = session("blue-green")
    e0 = s.entries[0]
    sd = {k: v for k, v in (e0.config.service_definition or {}).items() if k != "loadBalancers"}
    entry = replace(e0, config=replace(e0.config, service_definition=sd))
    with pytest.raises(EcsplanError) as e:
        appspecs(replace(s, selection=replace(s.selection, entries=(entry,))), TD + "x:1")
    assert e.value.message == "bg-service: CODE_DEPLOY service needs loadBalancers[0]"
