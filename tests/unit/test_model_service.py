"""Canonical services: describe output vs user definition, defaults, controllers, payloads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from planner.canonical.service import (
    canonical_service,
    managed_fields,
    service_create_payload,
    service_view,
    tag_changes,
)

TG = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/{}/abc"


def _user_def(**overrides: Any) -> dict[str, Any]:
    sd: dict[str, Any] = {
        "desiredCount": 2,
        "launchType": "FARGATE",
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": ["subnet-b", "subnet-a"], "securityGroups": ["sg-1"]}
        },
        "loadBalancers": [
            {"targetGroupArn": TG.format("blue"), "containerName": "web", "containerPort": 80}
        ],
        "tags": [{"key": "team", "value": "web"}],
    }
    sd.update(overrides)
    return sd


def _described(**overrides: Any) -> dict[str, Any]:
    """DescribeServices output for _user_def() as ECS reports it."""
    svc: dict[str, Any] = {
        "serviceArn": "arn:aws:ecs:ap-northeast-1:123456789012:service/c/app",
        "serviceName": "app",
        "clusterArn": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/c",
        "status": "ACTIVE",
        "desiredCount": 2,
        "runningCount": 2,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "platformFamily": "Linux",
        "taskDefinition": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:3",
        "loadBalancers": [
            {"targetGroupArn": TG.format("blue"), "containerName": "web", "containerPort": 80}
        ],
        "serviceRegistries": [],
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "alarms": {"alarmNames": [], "enable": False, "rollback": False},
        },
        "deployments": [
            {"id": "ecs-svc/1", "status": "PRIMARY", "desiredCount": 2, "runningCount": 2}
        ],
        "events": [{"id": "e", "message": "has reached a steady state."}],
        "createdAt": "2024-01-01T00:00:00Z",
        "createdBy": "arn:aws:iam::123456789012:role/ci",
        "placementConstraints": [],
        "placementStrategy": [],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": ["subnet-a", "subnet-b"],
                "securityGroups": ["sg-1"],
                "assignPublicIp": "DISABLED",
            }
        },
        "healthCheckGracePeriodSeconds": 0,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "tags": [{"key": "team", "value": "web"}],
        "enableECSManagedTags": False,
        "propagateTags": "NONE",
        "enableExecuteCommand": False,
        "availabilityZoneRebalancing": "ENABLED",
        "roleArn": "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
    }
    svc.update(overrides)
    return svc


def _pair(sd: dict[str, Any], live: dict[str, Any], **kw: Any) -> tuple[dict, dict]:
    """Both sides on the fields the definition manages, as a plan compares them."""
    managed = managed_fields(sd)
    desired = service_view(canonical_service(sd, **kw), managed)
    return desired, service_view(canonical_service(live, **kw), managed)


def test_user_definition_equals_described_service() -> None:
    desired, live = _pair(_user_def(), _described())
    assert desired == live


def test_read_only_members_and_task_definition_are_dropped() -> None:
    canon = canonical_service(_described())
    for name in (
        "serviceArn",
        "status",
        "runningCount",
        "deployments",
        "events",
        "createdAt",
        "taskDefinition",
        "taskSets",
        "serviceName",
        "platformFamily",
    ):
        assert name not in canon


def test_defaults_are_filled() -> None:
    canon = canonical_service(_user_def())
    assert canon["platformVersion"] == "LATEST"
    assert canon["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert canon["deploymentConfiguration"]["maximumPercent"] == 200
    assert canon["deploymentConfiguration"]["minimumHealthyPercent"] == 100
    assert canon["deploymentConfiguration"]["deploymentCircuitBreaker"] == {
        "enable": False,
        "rollback": False,
    }
    assert canon["schedulingStrategy"] == "REPLICA"
    assert canon["deploymentController"] == {"type": "ECS"}
    assert canon["propagateTags"] == "NONE"
    assert canon["enableECSManagedTags"] is False
    assert canon["enableExecuteCommand"] is False
    assert canon["healthCheckGracePeriodSeconds"] == 0


def test_daemon_deployment_defaults() -> None:
    canon = canonical_service({"schedulingStrategy": "DAEMON", "launchType": "EC2"})
    assert canon["deploymentConfiguration"]["maximumPercent"] == 100
    assert canon["deploymentConfiguration"]["minimumHealthyPercent"] == 0
    assert "platformVersion" not in canon


def test_non_default_values_are_kept() -> None:
    sd = _user_def(platformVersion="1.4.0", propagateTags="SERVICE", enableExecuteCommand=True)
    canon = canonical_service(sd)
    assert (canon["platformVersion"], canon["propagateTags"]) == ("1.4.0", "SERVICE")
    assert canon["enableExecuteCommand"] is True


def test_sorting() -> None:
    sd = _user_def(
        loadBalancers=[
            {"targetGroupArn": TG.format("b"), "containerName": "web", "containerPort": 8080},
            {"targetGroupArn": TG.format("a"), "containerName": "api", "containerPort": 80},
        ],
        placementStrategy=[{"type": "spread", "field": "b"}, {"type": "binpack", "field": "cpu"}],
        tags=[{"key": "z", "value": "1"}, {"key": "a", "value": "2"}],
    )
    canon = canonical_service(sd)
    assert canon["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == [
        "subnet-a",
        "subnet-b",
    ]
    assert [lb["containerName"] for lb in canon["loadBalancers"]] == ["api", "web"]
    assert [t["key"] for t in canon["tags"]] == ["a", "z"]
    # Placement strategies apply in order: never reordered.
    assert [s["type"] for s in canon["placementStrategy"]] == ["spread", "binpack"]


def test_desired_count_absent_means_unmanaged() -> None:
    """deploy.go calcDesiredCount @v2.6.0: no desiredCount in the definition (and no --tasks) sends
    none, so the live count stays."""
    sd = _user_def()
    del sd["desiredCount"]
    desired, live = _pair(sd, _described(desiredCount=9))
    assert "desiredCount" not in desired
    assert desired == live


def test_only_given_fields_are_managed_plus_the_booleans_ecspresso_always_sends() -> None:
    """deploy.go svToUpdateServiceInput @v2.6.0 sends `&sv.EnableECSManagedTags` and
    `&sv.EnableExecuteCommand` always (false when left out); a nil pointer field is not sent."""
    assert managed_fields({"desiredCount": 2, "serviceName": "x", "cluster": "c"}) == (
        "desiredCount",
        "enableECSManagedTags",
        "enableExecuteCommand",
    )
    assert "role" in managed_fields({"roleArn": "arn:aws:iam::1:role/r"})  # describe form


def test_ignored_tags() -> None:
    live = _described(tags=[{"key": "team", "value": "web"}, {"key": "owner", "value": "x"}])
    desired, live_c = _pair(_user_def(), live, ignore_tags=["owner"])
    assert desired == live_c


def test_code_deploy_ignores_swapped_target_group() -> None:
    controller = {"deploymentController": {"type": "CODE_DEPLOY"}}
    sd = _user_def(**controller)
    live = _described(
        **controller,
        loadBalancers=[
            {"targetGroupArn": TG.format("green"), "containerName": "web", "containerPort": 80}
        ],
        deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 100},
    )
    desired, live_c = _pair(sd, live)
    assert desired == live_c
    assert all("targetGroupArn" not in lb for lb in desired["loadBalancers"])


def test_capacity_provider_services_have_no_launch_type() -> None:
    cps = [
        {"capacityProvider": "FARGATE_SPOT", "weight": 1},
        {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
    ]
    sd = _user_def(capacityProviderStrategy=cps)
    del sd["launchType"]
    live = _described(launchType="EC2", capacityProviderStrategy=list(reversed(cps)))
    desired, live_c = _pair(sd, live)
    assert desired == live_c
    assert desired["capacityProviderStrategy"][0] == {
        "capacityProvider": "FARGATE",
        "base": 1,
        "weight": 1,
    }
    assert canonical_service(sd)["platformVersion"] == "LATEST"


def test_service_connect_is_read_from_the_primary_deployment() -> None:
    sc = {
        "enabled": True,
        "namespace": "ns",
        "services": [{"portName": "http", "clientAliases": [{"port": 80, "dnsName": "app"}]}],
    }
    live = _described(
        deployments=[
            {"id": "2", "status": "ACTIVE", "serviceConnectConfiguration": {"enabled": False}},
            {"id": "1", "status": "PRIMARY", "serviceConnectConfiguration": sc},
        ]
    )
    desired, live_c = _pair(_user_def(serviceConnectConfiguration=sc), live)
    assert desired == live_c


def test_disabled_service_connect_equals_absent() -> None:
    sd = _user_def(serviceConnectConfiguration={"enabled": False})
    assert canonical_service(sd) == canonical_service(_user_def())


def test_role_compares_by_name() -> None:
    sd = _user_def(role="ecsServiceRole")
    live = _described(roleArn="arn:aws:iam::123456789012:role/ecsServiceRole")
    desired, live_c = _pair(sd, live)
    assert desired == live_c


def test_emptied_settings_compare_as_none_set() -> None:
    """`loadBalancers: []` manages the field: it differs from a live load balancer and
    equals a service that has none."""
    desired, live = _pair(_user_def(loadBalancers=[]), _described())
    assert desired["loadBalancers"] == [] and live["loadBalancers"] != []
    desired, live = _pair(_user_def(loadBalancers=[]), _described(loadBalancers=[]))
    assert desired == live


def test_tag_changes() -> None:
    add, remove = tag_changes(
        [{"key": "a", "value": "1"}, {"key": "b", "value": "new"}],
        [{"key": "b", "value": "old"}, {"key": "c", "value": "x"}],
    )
    assert add == [{"key": "a", "value": "1"}, {"key": "b", "value": "new"}]
    assert remove == ["c"]
    assert tag_changes(None, None) == ([], [])


def test_create_payload() -> None:
    sd = _user_def()
    del sd["desiredCount"]
    payload = service_create_payload(
        {**sd, "serviceName": "ignored", "status": "ACTIVE"},
        cluster="c",
        service="app",
        task_definition="app:3",
    )
    assert payload["cluster"] == "c" and payload["serviceName"] == "app"
    assert payload["taskDefinition"] == "app:3"
    assert payload["desiredCount"] == 0
    assert "status" not in payload
    assert payload["networkConfiguration"] == sd["networkConfiguration"]


def test_create_payload_without_task_definition_and_daemon() -> None:
    payload = service_create_payload(
        {"schedulingStrategy": "DAEMON"}, cluster="c", service="d", task_definition=None
    )
    assert "taskDefinition" not in payload and "desiredCount" not in payload


def test_inputs_are_not_mutated() -> None:
    sd, live = _user_def(), _described()
    before = json.dumps([sd, live])
    canonical_service(live)
    canonical_service(sd)
    service_create_payload(sd, cluster="c", service="s", task_definition=None)
    assert json.dumps([sd, live]) == before


@pytest.mark.parametrize("field", ["subnets", "securityGroups"])
def test_network_set_order_does_not_matter(field: str) -> None:
    a, b = _user_def(), _user_def()
    b["networkConfiguration"]["awsvpcConfiguration"][field] = list(
        reversed(b["networkConfiguration"]["awsvpcConfiguration"][field])
    )
    assert canonical_service(a) == canonical_service(b)
