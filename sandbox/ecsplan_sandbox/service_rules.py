"""What CreateService and UpdateService accept for each service field and transition, as ECS.

moto setattr's whatever UpdateService sends; ECS refuses by deployment controller (CODE_DEPLOY
and EXTERNAL services change little in place), by scheduling strategy (DAEMON), for capacity
provider strategy changes without a forced deployment, and for deployment controller switches
outside the documented ones. A planner tested against an emulator that accepts what AWS refuses
proves nothing, so these rules stand for AWS and are kept apart from ecsplan's own field table
(planner/model/fields.py) on purpose.

Every check runs before anything changes (UpdateService is all-or-nothing): `check_update`
returns the decision, `apply_update` carries out the controller switch and the capacity change.
Exception types are AWS's (all InvalidParameterException, HTTP 400). Each message cites where it
was observed; a message marked "wording: sandbox" has no known AWS text and follows AWS's style.
Sources are collected in the research notes (ecs-service-field-rules.md, sections 3 and 4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from moto.codedeploy.models import codedeploy_backends
from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import Cluster, Service

from ecsplan_sandbox import codedeploy_progress, controller_switch, ecs_progress, refusals
from ecsplan_sandbox.native_strategies import NATIVE

CONTROLLERS = ("ECS", "CODE_DEPLOY", "EXTERNAL")

# UpdateService members that address the call or have rules of their own below.
_OWN_RULES = ("cluster", "service", "forceNewDeployment", "deploymentController")

# "For services using the blue/green (CODE_DEPLOY) deployment controller, only the desired
# count, deployment configuration, health check grace period, task placement constraints and
# strategies, enable ECS managed tags option, and propagate tags can be updated using this
# API." (UpdateService API reference). enableExecuteCommand is not in that list, yet AWS
# accepts it: `aws ecs update-service --enable-execute-command` succeeded on a CodeDeploy
# blue/green service (aws/aws-cli#7548), and ecspresso sends it on every UpdateService of a
# CODE_DEPLOY service (deploy.go svToUpdateServiceInput). capacityProviderStrategy is not
# refused as a field: it needs forceNewDeployment, which a CODE_DEPLOY service refuses, so it
# fails with the force message, as observed (kayac/ecspresso#481).
CODE_DEPLOY_UPDATABLE = frozenset(
    {
        "desiredCount",
        "deploymentConfiguration",
        "healthCheckGracePeriodSeconds",
        "placementConstraints",
        "placementStrategy",
        "enableECSManagedTags",
        "propagateTags",
        "enableExecuteCommand",
        "capacityProviderStrategy",
    }
)
# "For services using an external deployment controller, you can update only the desired
# count, task placement constraints and strategies, health check grace period, enable ECS
# managed tags option, and propagate tags option, using this API." (UpdateService API
# reference). Kept to the letter: nothing observed says enableExecuteCommand or
# deploymentConfiguration are accepted here.
EXTERNAL_UPDATABLE = frozenset(
    {
        "desiredCount",
        "healthCheckGracePeriodSeconds",
        "placementConstraints",
        "placementStrategy",
        "enableECSManagedTags",
        "propagateTags",
    }
)

# The order ECS checks fields in, as far as observed: the task definition before forcing
# (aws/aws-toolkit-vscode#4017), network parameters before forcing (terraform-provider-aws
# #13473). The rest follow in the API reference's order.
_FIELD_ORDER = (
    "taskDefinition",
    "networkConfiguration",
    "loadBalancers",
    "platformVersion",
    "capacityProviderStrategy",
    "serviceRegistries",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
    "availabilityZoneRebalancing",
    "deploymentConfiguration",
    "enableExecuteCommand",
    "gatewayConnectors",
    "monitoring",
)
# How ECS names a field in "Unable to update <noun> on services with a CODE_DEPLOY deployment
# controller": observed for the task definition (boto/boto3#1936, aws/aws-cdk#23564), network
# parameters (terraform-provider-aws#13473) and load balancers (kayac/ecspresso#393); the
# other nouns are the sandbox's wording.
_NOUNS = {
    "taskDefinition": "task definition",
    "networkConfiguration": "network parameters",
    "loadBalancers": "load balancers",
    "platformVersion": "platform version",
    "capacityProviderStrategy": "capacity provider strategy",
    "serviceRegistries": "service registries",
    "serviceConnectConfiguration": "Service Connect configuration",
    "volumeConfigurations": "volume configurations",
    "vpcLatticeConfigurations": "VPC Lattice configurations",
    "availabilityZoneRebalancing": "Availability Zone rebalancing",
    "deploymentConfiguration": "deployment configuration",
    "enableExecuteCommand": "execute command configuration",
    "gatewayConnectors": "gateway connectors",
    "monitoring": "monitoring configuration",
}
# What the message sends the user to instead. CODE_DEPLOY: observed (sources above).
# EXTERNAL: wording: sandbox, after the API reference ("If the launch type, load balancer,
# network configuration, platform version, or task definition need to be updated, create a new
# task set").
_INSTEAD = {
    "CODE_DEPLOY": "Use AWS CodeDeploy to trigger a new deployment.",
    "EXTERNAL": "Create a new task set instead.",
}

# kayac/ecspresso#481, pipe-cd/pipecd#6385, reproio/ecs_deploy#74 review, aws/aws-cdk#36563.
CPS_NEEDS_FORCE = (
    "When switching from launch type to capacity provider strategy on an existing service, or "
    "making a change to a capacity provider strategy on a service that is already using one, "
    "you must force a new deployment."
)
# terraform-linters/tflint-ruleset-aws#349, pulumi/pulumi-awsx#599.
LAUNCH_TYPE_AND_CPS = (
    "Specifying both a launch type and capacity provider strategy is not supported. "
    "Remove one and try again."
)
# CPS -> [] on a service created with a capacity provider strategy (or the cluster default):
# AWS documents "Update the Auto Scaling group or Fargate capacity provider back to the launch
# type" without saying which one; a service that never had a launch type has none to go back
# to. Undocumented by AWS, refused here so a test cannot rely on a guess. Wording: sandbox.
NO_LAUNCH_TYPE_TO_RETURN_TO = (
    "Unable to remove the capacity provider strategy: the service was created with a capacity "
    "provider strategy and has no launch type to return to. Specify a capacity provider "
    "strategy."
)
# kayac/ecspresso#20, fabfuel/ecs-deploy#59 (no final period in ECS's text).
DAEMON_DESIRED_COUNT = (
    "The daemon scheduling strategy does not support a desired count for services. "
    "Remove the desired count value and try again"
)
# kayac/ecspresso#402, reproio/ecs_deploy#93.
DAEMON_PLACEMENT_STRATEGY = (
    "The daemon scheduling strategy does not support placement strategies. "
    "Remove the placement strategy and try again"
)
# aws/aws-cdk#2209, hashicorp/terraform-provider-aws#4825 review.
DAEMON_MAXIMUM_PERCENT = (
    "The daemon scheduling strategy does not support values above 100 for maximumPercent on a "
    "deployment configuration. Change the maximumPercent value to 100, and try again"
)
# CreateService with the EXTERNAL controller: aws/aws-cdk#6245 and
# terraform-provider-aws#27291.
EXTERNAL_TASK_DEFINITION = "TaskDefinition must be blank."
EXTERNAL_LOAD_BALANCERS = "LoadBalancers must be empty or null."

# The documented valid transitions (developer guide, "Update Amazon ECS service parameters",
# Deployment controller section; UpdateService accepts deploymentController since July 2025).
SWITCHES = frozenset(
    {("CODE_DEPLOY", "ECS"), ("CODE_DEPLOY", "EXTERNAL"), ("ECS", "EXTERNAL"), ("EXTERNAL", "ECS")}
)
# No AWS text is known for any refused controller switch: wording: sandbox, after the
# developer guide's "Consider the following when you update a service's deployment
# controller" list.
SWITCH_NOT_SUPPORTED = (
    "Updating the deployment controller from {old} to {new} is not supported. The valid "
    "transitions are CODE_DEPLOY to ECS, CODE_DEPLOY to EXTERNAL, ECS to EXTERNAL and EXTERNAL "
    "to ECS."
)
SWITCH_DURING_DEPLOYMENT = (
    "Unable to update the deployment controller of a service during an ongoing service "
    "deployment. Wait until the deployment completes and try again."
)
SWITCH_FROM_ECS_WITH = (
    "Unable to update the deployment controller from ECS to {new} for a service that uses "
    "{feature}."
)

# DAEMON defaults: "minimumHealthyPercent ... 0% for the DAEMON service scheduler (API/CLI/SDK)"
# and maximumPercent "should remain at 100%. This is the default value." (developer guide).
DAEMON_DEPLOYMENT_CONFIGURATION: dict[str, Any] = {
    **ecs_progress.DEFAULT_DEPLOYMENT_CONFIGURATION,
    "maximumPercent": 100,
    "minimumHealthyPercent": 0,
}


@dataclass(frozen=True)
class Update:
    """What an accepted UpdateService changes beyond plain fields."""

    controller: str  # the deployment controller once the call is applied
    switch_from: str | None  # the controller it replaces, when the call switches
    capacity: tuple[dict[str, Any], ...] | None  # the strategy to store; None: untouched
    launch_type: str | None  # with capacity == (): the launch type the service returns to
    capacity_changed: bool


def controller_of(service: Service) -> str:
    return str((service.deployment_controller or {}).get("type", "ECS"))


def default_deployment_configuration(scheduling_strategy: str | None) -> dict[str, Any]:
    if scheduling_strategy == "DAEMON":
        return DAEMON_DEPLOYMENT_CONFIGURATION
    return ecs_progress.DEFAULT_DEPLOYMENT_CONFIGURATION


def normalized_strategy(items: list[dict[str, Any]] | None) -> tuple[dict[str, Any], ...]:
    """Capacity provider strategy items as DescribeServices reports them (weight and base
    default to 0, API reference CapacityProviderStrategyItem)."""
    return tuple(
        {
            "capacityProvider": i.get("capacityProvider"),
            "weight": int(i.get("weight") or 0),
            "base": int(i.get("base") or 0),
        }
        for i in items or []
    )


def _same_strategy(a: tuple[dict[str, Any], ...], b: tuple[dict[str, Any], ...]) -> bool:
    def key(items: tuple[dict[str, Any], ...]) -> list[tuple[str, int, int]]:
        return sorted((str(i["capacityProvider"]), i["weight"], i["base"]) for i in items)

    return key(a) == key(b)


# --- CreateService ---------------------------------------------------------------------------


def check_create(params: Mapping[str, Any]) -> None:
    """CreateService refusals of field combinations, before moto stores anything."""
    if params.get("launchType") and params.get("capacityProviderStrategy"):
        raise InvalidParameterException(LAUNCH_TYPE_AND_CPS)
    _check_daemon(params, params.get("schedulingStrategy"))
    if (params.get("deploymentController") or {}).get("type") == "EXTERNAL":
        if params.get("taskDefinition"):
            raise InvalidParameterException(EXTERNAL_TASK_DEFINITION)
        if params.get("loadBalancers"):
            raise InvalidParameterException(EXTERNAL_LOAD_BALANCERS)


def record_create(service: Service, params: Mapping[str, Any], cluster: Cluster) -> None:
    """Launch type or capacity provider strategy as ECS keeps them after CreateService.

    "If no capacityProviderStrategy or launchType is specified, the
    defaultCapacityProviderStrategy for the cluster is used." (API reference); a service on a
    strategy has no launchType ("omitted if the service was created using a capacity provider
    strategy", Service shape). The launch type it was created with is remembered for a later
    UpdateService with `capacityProviderStrategy: []`.
    """
    items = params.get("capacityProviderStrategy")
    if not items and not params.get("launchType"):
        items = cluster.default_capacity_provider_strategy
    if items:
        service.capacity_provider_strategy = list(normalized_strategy(items))
        service.launch_type = None
    service.sb_created_launch_type = service.launch_type


def _check_daemon(params: Mapping[str, Any], scheduling_strategy: str | None) -> None:
    if scheduling_strategy != "DAEMON":
        return
    if "desiredCount" in params:
        raise InvalidParameterException(DAEMON_DESIRED_COUNT)
    if "placementStrategy" in params:  # even an empty list (reproio/ecs_deploy#93)
        raise InvalidParameterException(DAEMON_PLACEMENT_STRATEGY)
    conf = params.get("deploymentConfiguration") or {}
    if conf.get("maximumPercent") is not None and conf["maximumPercent"] > 100:
        raise InvalidParameterException(DAEMON_MAXIMUM_PERCENT)


# --- UpdateService ---------------------------------------------------------------------------


def check_update(service: Service, params: Mapping[str, Any]) -> Update:
    """Every refusal of UpdateService's fields and transitions, before anything changes.

    Field rules follow the controller the service has once the call is applied: a call that
    switches CODE_DEPLOY -> ECS may change the task definition too.
    """
    current = controller_of(service)
    target = _check_switch(service, current, params)
    _check_fields(target, params)
    _check_daemon(params, service.scheduling_strategy)
    capacity, changed = _check_capacity(service, params)
    _check_force(target, params)
    launch_type = _launch_type_to_return_to(service) if changed and not capacity else None
    return Update(
        controller=target,
        switch_from=current if target != current else None,
        capacity=capacity,
        launch_type=launch_type,
        capacity_changed=changed,
    )


def apply_update(service: Service, update: Update) -> None:
    """The controller switch and the capacity change of an accepted UpdateService."""
    if update.switch_from is not None:
        controller_switch.switch(service, update.switch_from, update.controller)
    if update.capacity is None or not update.capacity_changed:
        return
    if update.capacity:
        service.capacity_provider_strategy = list(update.capacity)
        service.launch_type = None
    else:
        service.capacity_provider_strategy = None
        service.launch_type = update.launch_type


def _check_fields(controller: str, params: Mapping[str, Any]) -> None:
    """Fields a CODE_DEPLOY or EXTERNAL service cannot change through UpdateService.

    Refused when present, changed or not: ECS refuses even unchanged load balancers
    (kayac/ecspresso#393), and an unchanged task definition re-sent by CloudFormation with a
    desiredCount change (aws/aws-cdk#23564); the sandbox treats every field alike.
    """
    if controller not in _INSTEAD:
        return
    allowed = CODE_DEPLOY_UPDATABLE if controller == "CODE_DEPLOY" else EXTERNAL_UPDATABLE
    members = refusals.input_members("UpdateService")
    fields = [f for f in _FIELD_ORDER if f in params] + sorted(
        f for f in params if f in members and f not in _FIELD_ORDER
    )
    for field in fields:
        if field in allowed or field in _OWN_RULES:
            continue
        article = "an" if controller == "EXTERNAL" else "a"
        raise InvalidParameterException(
            f"Unable to update {_NOUNS.get(field, field)} on services with {article} "
            f"{controller} deployment controller. {_INSTEAD[controller]}"
        )


def _check_capacity(
    service: Service, params: Mapping[str, Any]
) -> tuple[tuple[dict[str, Any], ...] | None, bool]:
    """A capacity provider strategy change needs forceNewDeployment (any change: launch type
    -> strategy, strategy A -> B, strategy -> [] back to the launch type; `[]` counts as a
    change on a service using a strategy, aws/aws-cdk#34631). The same strategy again is a
    no-op (not observed either way)."""
    if "capacityProviderStrategy" not in params:
        return None, False
    wanted = normalized_strategy(params["capacityProviderStrategy"])
    live = normalized_strategy(getattr(service, "capacity_provider_strategy", None))
    if _same_strategy(wanted, live):
        return wanted, False
    if not params.get("forceNewDeployment"):
        raise InvalidParameterException(CPS_NEEDS_FORCE)
    return wanted, True


def _check_force(controller: str, params: Mapping[str, Any]) -> None:
    if not params.get("forceNewDeployment") or controller == "ECS":
        return
    if controller == "CODE_DEPLOY":
        # aws/aws-toolkit-vscode#4017
        raise InvalidParameterException(
            "Cannot force a new deployment on services with a CODE_DEPLOY deployment "
            "controller. Use AWS CodeDeploy to trigger a new deployment."
        )
    # wording: sandbox, by analogy with the CODE_DEPLOY message
    raise InvalidParameterException(
        "Cannot force a new deployment on services with an EXTERNAL deployment controller. "
        "Create a new task set instead."
    )


def _launch_type_to_return_to(service: Service) -> str:
    launch_type = getattr(service, "sb_created_launch_type", None)
    if not launch_type:
        raise InvalidParameterException(NO_LAUNCH_TYPE_TO_RETURN_TO)
    return str(launch_type)


def _check_switch(service: Service, current: str, params: Mapping[str, Any]) -> str:
    """The deployment controller after the call; refuses what the developer guide rules out."""
    wanted = str((params.get("deploymentController") or {}).get("type") or current)
    if wanted == current:
        return current
    if wanted not in CONTROLLERS:
        # the enum botocore does not check client-side; wording: sandbox
        raise InvalidParameterException(
            f"Invalid deployment controller type {wanted!r}: expected one of "
            f"{', '.join(CONTROLLERS)}."
        )
    if (current, wanted) not in SWITCHES:
        raise InvalidParameterException(SWITCH_NOT_SUPPORTED.format(old=current, new=wanted))
    if _deploying(service):
        raise InvalidParameterException(SWITCH_DURING_DEPLOYMENT)
    if current == "ECS":
        feature = _blocks_leaving_ecs(service)
        if feature:
            raise InvalidParameterException(
                SWITCH_FROM_ECS_WITH.format(new=wanted, feature=feature)
            )
    return wanted


def _blocks_leaving_ecs(service: Service) -> str | None:
    """What keeps an ECS service from another controller: "if it uses VPC Lattice or Amazon
    ECS Service Connect", "if the deploymentConfiguration includes alarms, a deployment
    circuit breaker, or a BLUE_GREEN deployment strategy" (developer guide). LINEAR and CANARY
    are refused as BLUE_GREEN is (inferred: they are its traffic-shifting variants and the
    page predates them)."""
    if (getattr(service, "service_connect_configuration", None) or {}).get("enabled"):
        return "Service Connect"
    if getattr(service, "vpc_lattice_configurations", None):
        return "VPC Lattice"
    conf = ecs_progress.deployment_configuration(service)
    if (conf.get("alarms") or {}).get("enable"):
        return "deployment alarms"
    if (conf.get("deploymentCircuitBreaker") or {}).get("enable"):
        return "a deployment circuit breaker"
    if conf.get("strategy") in NATIVE:
        return f"the {conf['strategy']} deployment strategy"
    return None


def _deploying(service: Service) -> bool:
    """An ongoing service deployment: an ECS rollout in progress, task sets not (yet) reduced
    to one stable PRIMARY, or an active CodeDeploy deployment of the service."""
    if any(d.get("rolloutState") == "IN_PROGRESS" for d in service.deployments):
        return True
    sets = service.task_sets
    if len(sets) > 1 or any(ts.stabilityStatus != "STEADY_STATE" for ts in sets):
        return True
    cd = codedeploy_backends[service._account_id][service.region_name]
    target = f"{service.cluster_name}:{service.name}"
    return any(
        d.status in codedeploy_progress.ACTIVE_STATUSES
        and codedeploy_progress.target_id(d) == target
        for d in cd.deployments.values()
    )
