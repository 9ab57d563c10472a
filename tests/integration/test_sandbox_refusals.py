"""The sandbox refuses what ECS refuses (names, integer ranges, images, the tasks-per-service
quota), with AWS's exception types and messages, seen by plain boto3 over real HTTP.

A test that passes against an emulator accepting what AWS refuses proves nothing: each case
is a request ecsplan itself would refuse at validate time, sent here directly.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ecsplan_sandbox import Sandbox

NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
CLUSTER = "my-cluster"
NET = {"awsvpcConfiguration": {"subnets": ["subnet-12345678"], "assignPublicIp": "DISABLED"}}
CONTAINER = {"name": "web", "image": "nginx:1.27", "portMappings": [{"containerPort": 80}]}


def ecs() -> Any:
    return boto3.client("ecs", config=NO_RETRY)


def refused(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    err = e.value.response["Error"]
    return err["Code"], err["Message"]


def register(client: Any, **changes: Any) -> Any:
    td = {
        "family": "web",
        "containerDefinitions": [CONTAINER],
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        **changes,
    }
    return client.register_task_definition(**td)


def container(**changes: Any) -> dict[str, Any]:
    return {"containerDefinitions": [{**CONTAINER, **changes}]}


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"family": "my\nservice"}, "ClientException", "Family contains invalid characters."),
        ({"family": "my/service"}, "ClientException", "Family contains invalid characters."),
        ({"family": "x" * 256}, "ClientException", "Family contains invalid characters."),
        ({"family": ""}, "ClientException", "Family can not be blank."),
        (container(name="we b"), "ClientException", "Container.name contains invalid characters."),
        (container(name=""), "ClientException", "Container.name should not be null or empty."),
        (container(image=""), "ClientException", "Container.image should not be null or empty."),
        (
            container(image="nginx:1.27\r\nX: 1"),
            "ClientException",
            "Container.image contains invalid characters.",
        ),
        (
            container(memory=2**31),
            "SerializationException",
            "NUMBER_VALUE cannot be converted to Integer",
        ),
        (
            container(portMappings=[{"containerPort": 10**20}]),
            "SerializationException",
            "NUMBER_VALUE cannot be converted to Integer",
        ),
    ],
)
def test_register_task_definition_refuses(
    sandbox: Sandbox, changes: dict[str, Any], code: str, message: str
) -> None:
    client = ecs()
    assert refused(register, client=client, **changes) == (code, message)
    assert client.list_task_definitions()["taskDefinitionArns"] == []


def test_register_task_definition_accepts_a_digest_image(sandbox: Sandbox) -> None:
    image = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web@sha256:" + "0a" * 32
    td = register(ecs(), **container(image=image))["taskDefinition"]
    assert td["containerDefinitions"][0]["image"] == image


@pytest.mark.parametrize("name", ["a\nb", "my cluster", "x" * 256, "c\u202e"])
def test_create_cluster_refuses_invalid_names(sandbox: Sandbox, name: str) -> None:
    client = ecs()
    code, message = refused(client.create_cluster, clusterName=name)
    assert code == "InvalidParameterException"
    assert message == f"Cluster must match ^[a-zA-Z0-9\\-_]{{1,255}}$, but was {name}"
    assert client.list_clusters()["clusterArns"] == []


def _service_args(client: Any, **changes: Any) -> dict[str, Any]:
    client.create_cluster(clusterName=CLUSTER)
    td = register(client)["taskDefinition"]["taskDefinitionArn"]
    return {
        "cluster": CLUSTER,
        "serviceName": "web",
        "taskDefinition": td,
        "desiredCount": 1,
        "launchType": "FARGATE",
        "networkConfiguration": NET,
        **changes,
    }


INVALID_PARAMETER = "InvalidParameterException"
SERVICE_CASES = [
    ({"serviceName": "my\x07serv\u202e"}, INVALID_PARAMETER, "Service name must match"),
    ({"serviceName": "my/service"}, INVALID_PARAMETER, "Service name must match"),
    ({"desiredCount": 5001}, INVALID_PARAMETER, "Desired count exceeds limit."),
    (
        {"desiredCount": 100000000000000000000},
        "SerializationException",
        "NUMBER_VALUE cannot be converted to Integer",
    ),
    ({"desiredCount": -1}, INVALID_PARAMETER, "desiredCount must be a non-negative integer."),
    (
        {"healthCheckGracePeriodSeconds": -60},
        INVALID_PARAMETER,
        "healthCheckGracePeriodSeconds must be greater than or equal to 0.",
    ),
    (
        {"deploymentConfiguration": {"minimumHealthyPercent": -1}},
        INVALID_PARAMETER,
        "minimumHealthyPercent must be greater than or equal to 0.",
    ),
]


@pytest.mark.parametrize(("changes", "code", "message"), SERVICE_CASES)
def test_create_service_refuses(
    sandbox: Sandbox, changes: dict[str, Any], code: str, message: str
) -> None:
    client = ecs()
    args = _service_args(client, **changes)
    got_code, got_message = refused(client.create_service, **args)
    assert (got_code, got_message[: len(message)]) == (code, message)
    assert client.list_services(cluster=CLUSTER)["serviceArns"] == []


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [c for c in SERVICE_CASES if "serviceName" not in c[0]],
)
def test_update_service_refuses_and_changes_nothing(
    sandbox: Sandbox, changes: dict[str, Any], code: str, message: str
) -> None:
    client = ecs()
    client.create_service(**_service_args(client, desiredCount=2))
    got = refused(client.update_service, cluster=CLUSTER, service="web", **changes)
    assert got == (code, message)
    svc = client.describe_services(cluster=CLUSTER, services=["web"])["services"][0]
    assert svc["desiredCount"] == 2
    assert svc.get("healthCheckGracePeriodSeconds", 0) == 0


def test_the_quota_itself_is_accepted(sandbox: Sandbox) -> None:
    client = ecs()
    svc = client.create_service(**_service_args(client, desiredCount=0))["service"]
    assert svc["desiredCount"] == 0
    client.update_service(
        cluster=CLUSTER, service="web", desiredCount=5000, forceNewDeployment=False
    )
    client.update_service(cluster=CLUSTER, service="web", desiredCount=0)
    svc = client.describe_services(cluster=CLUSTER, services=["web"])["services"][0]
    assert svc["desiredCount"] == 0
