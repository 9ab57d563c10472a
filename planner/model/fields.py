"""Member lists of the ECS API inputs the canonical forms project onto.

Hardcoded on purpose (model/ must not import botocore at runtime); a unit test compares
them with botocore's ECS model so they cannot go stale silently.
"""

from __future__ import annotations

REGISTER_TASK_DEFINITION_INPUT: tuple[str, ...] = (
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "tags",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
    "ephemeralStorage",
    "runtimePlatform",
    "enableFaultInjection",
    "trustedExecutionConfiguration",
)

CREATE_SERVICE_INPUT: tuple[str, ...] = (
    "cluster",
    "serviceName",
    "taskDefinition",
    "availabilityZoneRebalancing",
    "loadBalancers",
    "serviceRegistries",
    "desiredCount",
    "clientToken",
    "launchType",
    "capacityProviderStrategy",
    "platformVersion",
    "role",
    "deploymentConfiguration",
    "placementConstraints",
    "placementStrategy",
    "networkConfiguration",
    "healthCheckGracePeriodSeconds",
    "schedulingStrategy",
    "deploymentController",
    "tags",
    "enableECSManagedTags",
    "propagateTags",
    "enableExecuteCommand",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
    "gatewayConnectors",
    "monitoring",
)

UPDATE_SERVICE_INPUT: tuple[str, ...] = (
    "cluster",
    "service",
    "desiredCount",
    "taskDefinition",
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "availabilityZoneRebalancing",
    "networkConfiguration",
    "placementConstraints",
    "placementStrategy",
    "platformVersion",
    "forceNewDeployment",
    "healthCheckGracePeriodSeconds",
    "deploymentController",
    "enableExecuteCommand",
    "enableECSManagedTags",
    "loadBalancers",
    "propagateTags",
    "serviceRegistries",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
    "gatewayConnectors",
    "monitoring",
)

# Members that address the call rather than describe the service.
SERVICE_ADDRESSING: tuple[str, ...] = (
    "cluster",
    "service",
    "serviceName",
    "taskDefinition",
    "clientToken",
    "forceNewDeployment",
)

# Settable at creation only. deploymentController is accepted by UpdateService since 2025,
# but ecspresso never sends it and a controller switch is treated as a replacement here.
SERVICE_CREATE_ONLY: tuple[str, ...] = (
    "launchType",
    "schedulingStrategy",
    "deploymentController",
    "role",
)

# UpdateService members that DescribeServices does not return (only DescribeServiceRevisions
# does): they are sent on create/update but cannot be compared, so canonical forms drop them.
SERVICE_UNOBSERVABLE: tuple[str, ...] = ("gatewayConnectors", "monitoring")

# Not on the Service shape of DescribeServices: read from the PRIMARY deployment instead.
SERVICE_FROM_DEPLOYMENT: tuple[str, ...] = (
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)

# Fields UpdateService may change in place for an ECS (rolling) controller.
SERVICE_UPDATABLE: tuple[str, ...] = tuple(
    f
    for f in UPDATE_SERVICE_INPUT
    if f not in SERVICE_ADDRESSING
    and f not in SERVICE_CREATE_ONLY
    and f not in SERVICE_UNOBSERVABLE
)

# What UpdateService accepts for a CODE_DEPLOY service (the rest needs a CodeDeploy deployment).
SERVICE_UPDATABLE_CODE_DEPLOY: tuple[str, ...] = (
    "desiredCount",
    "deploymentConfiguration",
    "healthCheckGracePeriodSeconds",
    "placementConstraints",
    "placementStrategy",
    "enableECSManagedTags",
    "propagateTags",
    "enableExecuteCommand",
)

# What UpdateService accepts for an EXTERNAL service (the rest needs a new task set).
SERVICE_UPDATABLE_EXTERNAL: tuple[str, ...] = (
    "desiredCount",
    "healthCheckGracePeriodSeconds",
    "placementConstraints",
    "placementStrategy",
    "enableECSManagedTags",
    "propagateTags",
)

# Absent from the user's definition means "not managed here": the live value is ignored.
SERVICE_UNMANAGED_WHEN_ABSENT: tuple[str, ...] = (
    "desiredCount",
    "availabilityZoneRebalancing",
    "role",
)


def service_updatable(controller: str) -> tuple[str, ...]:
    """UpdateService fields that may change in place under the given deployment controller."""
    if controller == "CODE_DEPLOY":
        return SERVICE_UPDATABLE_CODE_DEPLOY
    if controller == "EXTERNAL":
        return SERVICE_UPDATABLE_EXTERNAL
    return SERVICE_UPDATABLE


# The Application Auto Scaling dimension of an ECS service's desired count.
SCALABLE_DIMENSION = "ecs:service:DesiredCount"
