"""Canonical task definitions: defaults on both sides, units, sorting, wrappers, payloads."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest

from planner.canonical import fields
from planner.canonical.taskdef import canonical_task_definition, task_definition_register_payload
from planner.canonical.units import normalize_task_cpu, normalize_task_memory


def _user_def(**overrides: Any) -> dict[str, Any]:
    td: dict[str, Any] = {
        "family": "app",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "0.25 vCPU",
        "memory": "1 GB",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx:1",
                "portMappings": [{"containerPort": 80}],
                "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
            }
        ],
    }
    td.update(overrides)
    return td


def _described(**overrides: Any) -> dict[str, Any]:
    """What DescribeTaskDefinition returns for _user_def(), with ECS's own additions."""
    td: dict[str, Any] = {
        "taskDefinitionArn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:3",
        "family": "app",
        "revision": 3,
        "status": "ACTIVE",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "compatibilities": ["EC2", "FARGATE"],
        "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
        "registeredAt": "2024-01-01T00:00:00Z",
        "registeredBy": "arn:aws:iam::123456789012:user/ci",
        "cpu": "256",
        "memory": "1024",
        "volumes": [],
        "placementConstraints": [],
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx:1",
                "cpu": 0,
                "essential": True,
                "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                "mountPoints": [],
                "volumesFrom": [],
                "systemControls": [],
            }
        ],
    }
    td.update(overrides)
    return {"taskDefinition": td, "tags": [{"key": "team", "value": "web"}]}


def test_user_definition_equals_described_one() -> None:
    desired = canonical_task_definition(_user_def(tags=[{"key": "team", "value": "web"}]))
    assert desired == canonical_task_definition(_described())


def test_read_only_members_are_dropped() -> None:
    canon = canonical_task_definition(_described())
    for name in ("taskDefinitionArn", "revision", "status", "compatibilities", "registeredAt"):
        assert name not in canon
    assert set(canon) <= set(fields.REGISTER_TASK_DEFINITION_INPUT)


def test_container_defaults_are_filled() -> None:
    web = canonical_task_definition(_user_def())["containerDefinitions"][0]
    assert web["essential"] is True
    assert web["cpu"] == 0
    assert web["portMappings"] == [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]


def test_explicit_non_default_values_are_kept() -> None:
    td = _user_def()
    td["containerDefinitions"][0].update(essential=False, cpu=128)
    web = canonical_task_definition(td)["containerDefinitions"][0]
    assert (web["essential"], web["cpu"]) == (False, 128)


def test_bridge_mode_leaves_dynamic_host_port() -> None:
    td = _user_def(networkMode="bridge", requiresCompatibilities=["EC2"])
    port = canonical_task_definition(td)["containerDefinitions"][0]["portMappings"][0]
    assert port["hostPort"] == 0


def test_ec2_without_network_mode_is_bridge() -> None:
    td = _user_def(requiresCompatibilities=["EC2"])
    del td["networkMode"]
    assert canonical_task_definition(td)["networkMode"] == "bridge"


@pytest.mark.parametrize(
    ("cpu", "memory", "want"),
    [
        ("0.25 vCPU", "1 GB", ("256", "1024")),
        ("1 vcpu", "0.5GB", ("1024", "512")),
        (512, 2048, ("512", "2048")),
        ("2048", "4096", ("2048", "4096")),
    ],
)
def test_units_are_normalized(cpu: Any, memory: Any, want: tuple[str, str]) -> None:
    canon = canonical_task_definition(_user_def(cpu=cpu, memory=memory))
    assert (canon["cpu"], canon["memory"]) == want


def test_unparsable_units_are_passed_through_for_the_api_to_reject() -> None:
    assert normalize_task_cpu("lots") == "lots"
    assert normalize_task_memory("3 parsecs") == "3 parsecs"


def test_lists_are_sorted() -> None:
    td = _user_def(
        containerDefinitions=[
            {
                "name": "zeta",
                "image": "z",
                "secrets": [{"name": "S2", "valueFrom": "b"}, {"name": "S1", "valueFrom": "a"}],
                "portMappings": [{"containerPort": 9000}, {"containerPort": 80}],
                "mountPoints": [
                    {"sourceVolume": "v", "containerPath": "/z"},
                    {"sourceVolume": "v", "containerPath": "/a"},
                ],
            },
            {"name": "alpha", "image": "a"},
        ],
        volumes=[{"name": "v2"}, {"name": "v1"}],
        placementConstraints=[
            {"type": "memberOf", "expression": "b"},
            {"type": "memberOf", "expression": "a"},
        ],
    )
    canon = canonical_task_definition(td)
    assert [c["name"] for c in canon["containerDefinitions"]] == ["alpha", "zeta"]
    zeta = canon["containerDefinitions"][1]
    assert [s["name"] for s in zeta["secrets"]] == ["S1", "S2"]
    assert [p["containerPort"] for p in zeta["portMappings"]] == [80, 9000]
    assert [m["containerPath"] for m in zeta["mountPoints"]] == ["/a", "/z"]
    assert [v["name"] for v in canon["volumes"]] == ["v1", "v2"]
    assert [p["expression"] for p in canon["placementConstraints"]] == ["a", "b"]


def test_absent_equals_empty_and_false_defaults() -> None:
    bare = _user_def()
    noisy = _user_def(volumes=[], placementConstraints=[], tags=[], enableFaultInjection=False)
    noisy["containerDefinitions"][0].update(
        secrets=[], links=[], privileged=False, mountPoints=[], dockerLabels={}
    )
    assert canonical_task_definition(bare) == canonical_task_definition(noisy)


def test_ignored_tags_are_left_out_and_tags_sorted() -> None:
    td = _user_def(
        tags=[
            {"key": "z", "value": "1"},
            {"key": "aws:cloudformation:stack-name", "value": "x"},
            {"key": "a", "value": "2"},
        ]
    )
    canon = canonical_task_definition(td, ignore_tags=["aws:cloudformation:stack-name"])
    assert canon["tags"] == [{"key": "a", "value": "2"}, {"key": "z", "value": "1"}]


def test_canonical_form_is_deterministic_json() -> None:
    first = json.dumps(canonical_task_definition(_described()))
    again = json.dumps(canonical_task_definition(json.loads(json.dumps(_described()))))
    assert first == again


def test_input_is_not_mutated() -> None:
    td = _user_def()
    snapshot = json.dumps(td)
    canonical_task_definition(td)
    task_definition_register_payload(td)
    assert json.dumps(td) == snapshot


def test_real_difference_survives() -> None:
    other = _user_def()
    other["containerDefinitions"][0]["image"] = "nginx:2"
    assert canonical_task_definition(other) != canonical_task_definition(_described())


def test_register_payload_is_what_the_user_wrote() -> None:
    payload = task_definition_register_payload(
        {
            "taskDefinition": _user_def(),
            "tags": [{"key": "b", "value": "1"}, {"key": "a", "value": "2"}],
        }
    )
    assert payload["cpu"] == "256" and payload["memory"] == "1024"
    assert payload["tags"] == [{"key": "a", "value": "2"}, {"key": "b", "value": "1"}]
    web = payload["containerDefinitions"][0]
    assert "essential" not in web and "cpu" not in web
    assert web["portMappings"] == [{"containerPort": 80}]


def test_register_payload_drops_describe_only_members() -> None:
    payload = task_definition_register_payload(_described())
    assert set(payload) <= set(fields.REGISTER_TASK_DEFINITION_INPUT)
    assert "revision" not in payload


def _input_members(operation: str) -> set[str]:
    model = botocore.session.get_session().get_service_model("ecs")
    return set(model.operation_model(operation).input_shape.members)


@pytest.mark.parametrize(
    ("operation", "listed"),
    [
        ("RegisterTaskDefinition", fields.REGISTER_TASK_DEFINITION_INPUT),
        ("CreateService", fields.CREATE_SERVICE_INPUT),
        ("UpdateService", fields.UPDATE_SERVICE_INPUT),
    ],
)
def test_field_lists_match_botocore(operation: str, listed: tuple[str, ...]) -> None:
    assert set(listed) == _input_members(operation)
