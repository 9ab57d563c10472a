"""Requests ECS refuses, refused by the sandbox the same way before moto stores anything.

moto accepts any name, any integer and an empty image; ECS does not, and a test that passes
against an emulator accepting what AWS refuses proves nothing. These rules stand for AWS and
are kept apart from ecsplan's own validation (planner/config, schemas/) on purpose: a gap in
ecsplan's checks must show up here as AWS's refusal, not be shared by both.

Exception types and messages are AWS's where they were observed (cited below); the others
follow the same wording and say so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import botocore.session
from botocore.model import Shape
from moto.core.exceptions import JsonRESTError
from moto.ecs.exceptions import EcsClientException, InvalidParameterException

# botocore "integer" is a 32-bit signed wire type (Smithy simple types); a larger number does
# not deserialize. AWS JSON services answer SerializationException, as observed for a string
# in an integer field: "STRING_VALUE cannot be converted to Integer"
# (aws-actions/amazon-ecs-deploy-task-definition#587).
WIRE_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
# "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are
# allowed." (API reference: CreateCluster clusterName, CreateService serviceName,
# RegisterTaskDefinition family, ContainerDefinition name)
NAME = re.compile(r"[A-Za-z0-9_-]{1,255}\Z")
# ContainerDefinition image: up to 255 letters, numbers, hyphens, underscores, colons,
# periods, forward slashes and number signs, or repository@sha256:<64 hex digits>.
IMAGE = re.compile(r"[A-Za-z0-9_.:/#-]{1,255}(@sha256:[A-Fa-f0-9]{64})?\Z")
# Service quota "Tasks per service" (the desired count): 5,000 by default
# (docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html). Above it ECS
# answers "InvalidParameterException: Desired count exceeds limit." (aws/containers-roadmap#768).
TASKS_PER_SERVICE = 5000


@cache
def _input_shape(operation: str) -> Shape:
    model = botocore.session.get_session().get_service_model("ecs")
    return model.operation_model(operation).input_shape


def input_members(operation: str) -> frozenset[str]:
    """The request members botocore's ECS model knows for an operation."""
    return frozenset(_input_shape(operation).members)


def check_wire_types(operation: str, params: Mapping[str, Any]) -> None:
    """Integers beyond their wire type, as the API's deserializer refuses them."""
    stack: list[tuple[Shape, Any]] = [(_input_shape(operation), params)]
    while stack:
        shape, value = stack.pop()
        kind = shape.type_name
        if kind == "structure" and isinstance(value, dict):
            stack.extend((shape.members[k], v) for k, v in value.items() if k in shape.members)
        elif kind == "list" and isinstance(value, list):
            stack.extend((shape.member, v) for v in value)
        elif kind == "map" and isinstance(value, dict):
            stack.extend((shape.value, v) for v in value.values())
        elif kind in WIRE_RANGES and isinstance(value, int) and not isinstance(value, bool):
            lo, hi = WIRE_RANGES[kind]
            if not lo <= value <= hi:
                raise JsonRESTError(
                    "SerializationException",
                    f"NUMBER_VALUE cannot be converted to {kind.capitalize()}",
                )


def check_create_cluster(params: Mapping[str, Any]) -> None:
    check_wire_types("CreateCluster", params)
    name = params.get("clusterName")
    if name is not None and not NAME.match(str(name)):
        # the observed wording for a cluster parameter (awslabs/amazon-ecs-nodejs-microservices#18)
        raise InvalidParameterException(
            f"Cluster must match ^[a-zA-Z0-9\\-_]{{1,255}}$, but was {name}"
        )


def check_register_task_definition(params: Mapping[str, Any]) -> None:
    check_wire_types("RegisterTaskDefinition", params)
    family = params.get("family")
    if not family:
        raise EcsClientException("Family can not be blank.")  # aws-actions/...-task-definition#630
    if not NAME.match(str(family)):
        raise EcsClientException("Family contains invalid characters.")  # aws/amazon-ecs-cli#37
    for container in params.get("containerDefinitions") or []:
        name, image = container.get("name"), container.get("image")
        if not name:
            raise EcsClientException("Container.name should not be null or empty.")
        if not NAME.match(str(name)):
            # hashicorp/terraform-provider-aws#5950
            raise EcsClientException("Container.name contains invalid characters.")
        if not image:
            raise EcsClientException("Container.image should not be null or empty.")  # aws-cli#5924
        if not IMAGE.match(str(image)):
            raise EcsClientException("Container.image contains invalid characters.")  # by analogy


def check_create_service(params: Mapping[str, Any]) -> None:
    check_wire_types("CreateService", params)
    name = params.get("serviceName")
    if not name or not NAME.match(str(name)):
        # wording by analogy with the cluster parameter's
        raise InvalidParameterException(
            f"Service name must match ^[a-zA-Z0-9\\-_]{{1,255}}$, but was {name}"
        )
    _check_counts(params)


def check_update_service(params: Mapping[str, Any]) -> None:
    check_wire_types("UpdateService", params)
    _check_counts(params)


def _check_counts(params: Mapping[str, Any]) -> None:
    """desiredCount within [0, quota], a grace period and percentages that are not negative."""
    count = params.get("desiredCount")
    if count is not None and count < 0:
        raise InvalidParameterException("desiredCount must be a non-negative integer.")
    if count is not None and count > TASKS_PER_SERVICE:
        raise InvalidParameterException("Desired count exceeds limit.")
    grace = params.get("healthCheckGracePeriodSeconds")
    if grace is not None and grace < 0:
        raise InvalidParameterException(
            "healthCheckGracePeriodSeconds must be greater than or equal to 0."
        )
    conf = params.get("deploymentConfiguration") or {}
    for key in ("maximumPercent", "minimumHealthyPercent"):
        if conf.get(key) is not None and conf[key] < 0:
            raise InvalidParameterException(f"{key} must be greater than or equal to 0.")
