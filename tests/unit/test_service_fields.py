"""The service fields unit (planner/plan/service_fields.py), table-driven on plain data:
what each definition change does to a live service, for each deployment controller."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from planner.plan.service_fields import PlanRefused, plan_fields

TG = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/{}/abc"
NET = {"awsvpcConfiguration": {"subnets": ["subnet-a"], "securityGroups": ["sg-1"]}}
LB = [{"targetGroupArn": TG.format("app"), "containerName": "web", "containerPort": 80}]
BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
SPOT = [
    {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
    {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
]
SC = {
    "enabled": True,
    "namespace": "arn:aws:servicediscovery:ap-northeast-1:123456789012:namespace/ns-1",
    "services": [{"portName": "http", "clientAliases": [{"port": 80, "dnsName": "app"}]}],
}


def live(controller: str = "ECS", **fields: Any) -> dict[str, Any]:
    """A DescribeServices entry as ECS reports it (defaults filled)."""
    svc: dict[str, Any] = {
        "serviceName": "app",
        "status": "ACTIVE",
        "desiredCount": 2,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "networkConfiguration": copy.deepcopy(NET),
        "loadBalancers": copy.deepcopy(LB),
        "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
        "deploymentController": {"type": controller},
        "schedulingStrategy": "REPLICA",
        "propagateTags": "NONE",
        "enableECSManagedTags": False,
        "enableExecuteCommand": False,
        "deployments": [{"id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": "COMPLETED"}],
    }
    svc.update(fields)
    if "capacityProviderStrategy" in fields:
        svc.pop("launchType")
    return svc


def definition(**fields: Any) -> dict[str, Any]:
    sd: dict[str, Any] = {
        "desiredCount": 2,
        "launchType": "FARGATE",
        "networkConfiguration": copy.deepcopy(NET),
        "loadBalancers": copy.deepcopy(LB),
    }
    sd.update(fields)
    return {k: v for k, v in sd.items() if v is not None}


# (case, definition, live, UpdateService fields, AppSpec fields, force?)
APPLIED = [
    ("same", definition(), live(), {}, (), False),
    ("desired count", definition(desiredCount=5), live(), {"desiredCount": 5}, (), False),
    (
        "omitted count is unmanaged",
        definition(desiredCount=None),
        live(desiredCount=9),
        {},
        (),
        False,
    ),
    (
        "omitted deploymentConfiguration keeps the breaker",
        definition(),
        live(deploymentConfiguration={"maximumPercent": 200, **BREAKER}),
        {},
        (),
        False,
    ),
    (
        "breaker turned on",
        definition(deploymentConfiguration=BREAKER),
        live(),
        {
            "deploymentConfiguration": {
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
                **BREAKER,
                "strategy": "ROLLING",
            }
        },
        (),
        False,
    ),
    (
        "launch type to a capacity provider strategy",
        definition(launchType=None, capacityProviderStrategy=SPOT),
        live(),
        {"capacityProviderStrategy": sorted(SPOT, key=lambda c: c["capacityProvider"])},
        (),
        True,
    ),
    (
        "execute command is always managed",
        definition(),
        live(enableExecuteCommand=True),
        {"enableExecuteCommand": False},
        (),
        False,
    ),
    (
        "emptied load balancers are cleared",
        definition(loadBalancers=[]),
        live(),
        {"loadBalancers": []},
        (),
        False,
    ),
    (
        "service connect disabled",
        definition(serviceConnectConfiguration={"enabled": False}),
        live(deployments=[{"id": "1", "status": "PRIMARY", "serviceConnectConfiguration": SC}]),
        {"serviceConnectConfiguration": {"enabled": False}},
        (),
        False,
    ),
    (
        "CODE_DEPLOY: network through the AppSpec, count through UpdateService",
        definition(
            deploymentController={"type": "CODE_DEPLOY"},
            desiredCount=4,
            networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-b"]}},
        ),
        live("CODE_DEPLOY"),
        {"desiredCount": 4},
        ("networkConfiguration",),
        False,
    ),
    (
        "CODE_DEPLOY: swapped target group is no difference",
        definition(deploymentController={"type": "CODE_DEPLOY"}),
        live("CODE_DEPLOY", loadBalancers=[{**LB[0], "targetGroupArn": TG.format("green")}]),
        {},
        (),
        False,
    ),
    (
        "CODE_DEPLOY -> ECS switches in place, with the target group now managed",
        definition(deploymentController={"type": "ECS"}),
        live("CODE_DEPLOY", loadBalancers=[{**LB[0], "targetGroupArn": TG.format("green")}]),
        {"deploymentController": {"type": "ECS"}, "loadBalancers": LB},
        (),
        False,
    ),
]


@pytest.mark.parametrize(
    ("sd", "svc", "update", "appspec", "force"),
    [c[1:] for c in APPLIED],
    ids=[c[0] for c in APPLIED],
)
def test_what_is_applied(
    sd: dict[str, Any],
    svc: dict[str, Any],
    update: dict[str, Any],
    appspec: tuple[str, ...],
    force: bool,
) -> None:
    plan = plan_fields("app", sd, svc)
    assert dict(plan.update) == update
    assert plan.appspec == appspec
    assert (plan.force is not None) is force
    # what the plan shows is exactly what the steps change
    assert set(plan.shown) == set(update) | set(appspec)


# (case, definition, live, words the refusal must contain)
REFUSED = [
    (
        "launch type EC2 -> FARGATE",
        definition(launchType="EC2"),
        live(),
        ["launchType", "only CreateService sets it", "ecsplan delete"],
    ),
    (
        "capacity provider strategy -> launch type",
        definition(),
        live(capacityProviderStrategy=SPOT),
        ["launchType", "capacity provider strategy", '"capacityProvider": "FARGATE"'],
    ),
    (
        "strategy removed",
        definition(launchType=None, capacityProviderStrategy=[]),
        live(capacityProviderStrategy=SPOT),
        ["capacityProviderStrategy", "write the strategy"],
    ),
    (
        "both launch type and strategy",
        definition(capacityProviderStrategy=SPOT),
        live(),
        ["launchType and capacityProviderStrategy are both given"],
    ),
    (
        "scheduling strategy",
        definition(schedulingStrategy="DAEMON"),
        live(),
        ["schedulingStrategy", "only CreateService"],
    ),
    (
        "ECS -> CODE_DEPLOY",
        definition(deploymentController={"type": "CODE_DEPLOY"}),
        live(),
        ["deploymentController", "does not switch a ECS service to CODE_DEPLOY"],
    ),
    (
        "ECS -> EXTERNAL with the circuit breaker",
        definition(deploymentController={"type": "EXTERNAL"}),
        live(deploymentConfiguration=BREAKER),
        [
            "deploymentController",
            "the deployment circuit breaker",
            "only the ECS controller supports",
        ],
    ),
    (
        "controller switch during a deployment",
        definition(deploymentController={"type": "ECS"}),
        live("CODE_DEPLOY", taskSets=[{"status": "PRIMARY"}, {"status": "ACTIVE"}]),
        ["a deployment is in progress", "ecsplan wait"],
    ),
    (
        "CODE_DEPLOY service registries",
        definition(
            deploymentController={"type": "CODE_DEPLOY"},
            serviceRegistries=[{"registryArn": "arn:sd"}],
        ),
        live("CODE_DEPLOY"),
        [
            "serviceRegistries",
            "UpdateService does not change it on a CODE_DEPLOY service",
            "switch the service to rolling updates",
        ],
    ),
    (
        "EXTERNAL network",
        definition(
            deploymentController={"type": "EXTERNAL"},
            networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-b"]}},
        ),
        live("EXTERNAL"),
        ["networkConfiguration", "EXTERNAL service"],
    ),
]


@pytest.mark.parametrize(
    ("sd", "svc", "words"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_what_aws_would_refuse_is_refused_naming_the_field(
    sd: dict[str, Any], svc: dict[str, Any], words: list[str]
) -> None:
    with pytest.raises(PlanRefused) as e:
        plan_fields("app", sd, svc)
    text = e.value.message + "\n" + (e.value.details or "")
    assert e.value.message.startswith("app: ")
    for w in words:
        assert w in text, text


def test_left_alone_names_live_settings_the_definition_does_not_manage() -> None:
    """deploy.go svToUpdateServiceInput @v2.6.0: a field the definition leaves out (a nil pointer)
    is not sent, so AWS keeps it; ecsplan names those live settings as left alone."""
    svc = live("CODE_DEPLOY", capacityProviderStrategy=SPOT, propagateTags="SERVICE")
    plan = plan_fields("app", {"desiredCount": 2}, svc)
    assert set(plan.left_alone) == {
        "capacityProviderStrategy",
        "deploymentController",
        "loadBalancers",
        "networkConfiguration",
        "propagateTags",
    }
    assert plan.update == {}


def test_tags_are_managed_only_when_given() -> None:
    svc = live(tags=[{"key": "team", "value": "web"}])
    assert plan_fields("app", definition(), svc).tags_remove == ()
    plan = plan_fields("app", definition(tags=[{"key": "team", "value": "api"}]), svc)
    assert plan.tags_add == ({"key": "team", "value": "api"},)
    assert "tags" in plan.shown


def test_the_circuit_breaker_needs_the_ecs_controller() -> None:
    sd = definition(deploymentConfiguration=BREAKER)
    with pytest.raises(PlanRefused) as e:
        plan_fields("app", sd, live("CODE_DEPLOY"))
    assert "the deployment circuit breaker works with the ECS deployment controller only" in (
        e.value.message
    )
