"""CodeDeploy (blue/green) services: the AppSpec and the CreateDeployment step. Pure.

A CODE_DEPLOY service takes its task definition, network, platform version, capacity
providers and load balancer from a CodeDeploy deployment's AppSpec, not from UpdateService:
a change to any of them (or --force-new-deployment) is one deployment, as ecspresso does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from planner.errors import EcsplanError
from planner.plan.model import Action, StepKind
from planner.plan.spec import StepSpec

ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST")
# An ECS blue/green deployment's lifecycle events, in order (`--wait-until codedeploy:EVENT`).
CODEDEPLOY_EVENTS = (
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)


@dataclass(frozen=True)
class CodeDeployTarget:
    """Where a CODE_DEPLOY service's deployments go (from config or discovery)."""

    application: str
    group: str
    deployment_config: str | None = None
    auto_rollback: bool | None = None


def appspec_for(
    key: str,
    hooks: Mapping[str, Any] | None,
    sd: Mapping[str, Any],
    task_definition: str | None,
) -> dict[str, Any]:
    """The AppSpec ecspresso sends: TargetService from the service definition + config hooks."""
    lbs: Sequence[Mapping[str, Any]] = sd.get("loadBalancers") or []
    if not lbs:
        raise EcsplanError(f"{key}: CODE_DEPLOY service needs loadBalancers[0]")
    props: dict[str, Any] = {
        "TaskDefinition": task_definition or "<TASK_DEFINITION>",
        "LoadBalancerInfo": {
            "ContainerName": lbs[0].get("containerName"),
            "ContainerPort": lbs[0].get("containerPort"),
        },
    }
    if sd.get("platformVersion"):
        props["PlatformVersion"] = sd["platformVersion"]
    awsvpc = (sd.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if awsvpc:
        net: dict[str, Any] = {"Subnets": list(awsvpc.get("subnets", []))}
        if awsvpc.get("securityGroups"):
            net["SecurityGroups"] = list(awsvpc["securityGroups"])
        if awsvpc.get("assignPublicIp"):
            net["AssignPublicIp"] = awsvpc["assignPublicIp"]
        props["NetworkConfiguration"] = {"AwsvpcConfiguration": net}
    if sd.get("capacityProviderStrategy"):
        props["CapacityProviderStrategy"] = [
            {
                "CapacityProvider": c.get("capacityProvider"),
                "Base": c.get("base", 0),
                "Weight": c.get("weight", 0),
            }
            for c in sd["capacityProviderStrategy"]
        ]
    spec: dict[str, Any] = {
        "version": 0.0,
        "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": props}}],
    }
    if (hooks or {}).get("Hooks"):
        spec["Hooks"] = list((hooks or {})["Hooks"])
    return spec


def rollback_events(requested: Sequence[str], auto_rollback: bool | None) -> list[str]:
    events = list(requested)
    if not events and auto_rollback:
        events = ["DEPLOYMENT_FAILURE"]
    bad = [e for e in events if e not in ROLLBACK_EVENTS]
    if bad:
        raise EcsplanError(
            f"--rollback-events: unknown event {bad[0]!r} (one of {', '.join(ROLLBACK_EVENTS)})"
        )
    return events


def codedeploy_payload(
    key: str,
    target: CodeDeployTarget,
    appspec: Mapping[str, Any],
    *,
    deployment_config: str | None,
    events: Sequence[str],
) -> dict[str, Any]:
    """CreateDeployment kwargs, with the AppSpec as data (serialized when applied)."""
    payload: dict[str, Any] = {
        "applicationName": target.application,
        "deploymentGroupName": target.group,
        "appspec": dict(appspec),
    }
    config_name = deployment_config or target.deployment_config
    if config_name:
        payload["deploymentConfigName"] = config_name
    if events:
        payload["autoRollbackConfiguration"] = {"enabled": True, "events": list(events)}
    elif target.auto_rollback is False:
        payload["autoRollbackConfiguration"] = {"enabled": False}
    return payload


def deployment_step(
    key: str,
    target: CodeDeployTarget | None,
    payload: Mapping[str, Any] | None,
    *,
    live_td: str | None,
    target_td: str | None,
    undo_appspec: Mapping[str, Any],
    changes: tuple[Any, ...] = (),
) -> StepSpec:
    """The CreateDeployment step; ``undo_appspec`` is what runs now (to deploy back)."""
    if target is None or payload is None:
        raise EcsplanError(
            f"{key}: CODE_DEPLOY service but no CodeDeploy application/deployment "
            "group (set `codedeploy:` in the config)"
        )
    return StepSpec(
        StepKind.CREATE_CODEDEPLOY_DEPLOYMENT,
        Action.UPDATE,
        f"create CodeDeploy deployment in {target.application}/{target.group}",
        payload=payload,
        before={"taskDefinition": live_td},
        after={"taskDefinition": target_td or "(known after register)"},
        changes=changes,
        undo={"taskDefinition": live_td, "appspec": dict(undo_appspec)},
    )


def appspec_text(payload: Mapping[str, Any]) -> str:
    """The AppSpec as CodeDeploy receives it (JSON content string)."""
    return json.dumps(payload["appspec"], sort_keys=False)
