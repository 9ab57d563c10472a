"""Operations on documents, without AWS: the files `init` writes for a described service
(planner/ops/init.py), `verify`'s tree and trust-policy reading (planner/ops/verify.py), and
`validate` / `render` on config files (planner/ops/validation.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from planner.aws.clients import AwsContext
from planner.ops.init import (
    config_file,
    init_files,
    service_definition_file,
    task_definition_file,
    write_files,
)
from planner.ops.validation import check_config, render_documents
from planner.ops.verify import NG, OK, SKIP, Check, group, network_mode, summary, trusts
from planner.workspace.selection import SelectSpec, load_options

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "single-service"
TD_ARN = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:3"


# --- init ----------------------------------------------------------------------------------


def described_service(**kw: Any) -> dict[str, Any]:
    """A DescribeServices entry of a service created with defaults everywhere."""
    return {
        "serviceName": "web",
        "serviceArn": "arn:aws:ecs:ap-northeast-1:123456789012:service/c/web",
        "clusterArn": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/c",
        "status": "ACTIVE",
        "taskDefinition": TD_ARN,
        "desiredCount": 2,
        "runningCount": 2,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "deployments": [{"id": "ecs-svc/1", "status": "PRIMARY", "taskDefinition": TD_ARN}],
        "events": [{"message": "steady"}],
        "roleArn": "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/"
        "AWSServiceRoleForECS",
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "enableECSManagedTags": False,
        "propagateTags": "NONE",
        "enableExecuteCommand": False,
        "healthCheckGracePeriodSeconds": 0,
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": ["subnet-b", "subnet-a"],
                "securityGroups": ["sg-1"],
                "assignPublicIp": "DISABLED",
            }
        },
        "tags": [{"key": "team", "value": "web"}],
        "createdAt": "2026-01-01T00:00:00Z",
        **kw,
    }


DESCRIBED_TD = {
    "taskDefinition": {
        "taskDefinitionArn": TD_ARN,
        "family": "web",
        "revision": 3,
        "status": "ACTIVE",
        "containerDefinitions": [
            {
                "name": "app",
                "image": "nginx:1.27",
                "cpu": 0,
                "essential": True,
                "portMappings": [],
                "environment": [],
                "mountPoints": [],
                "volumesFrom": [],
                "privileged": False,
            }
        ],
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "volumes": [],
        "placementConstraints": [],
        "compatibilities": ["EC2", "FARGATE"],
        "registeredAt": "2026-01-01T00:00:00Z",
        "registeredBy": "arn:aws:iam::123456789012:user/alice",
        "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
    },
    "tags": [{"key": "team", "value": "web"}],
}


def test_init_service_definition_drops_defaults_and_read_only_fields() -> None:
    assert service_definition_file(described_service()) == {
        "desiredCount": 2,
        "launchType": "FARGATE",
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": ["subnet-a", "subnet-b"], "securityGroups": ["sg-1"]}
        },
        "tags": [{"key": "team", "value": "web"}],
    }


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {
                "capacityProviderStrategy": [
                    {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
                ]
            },
            {
                "capacityProviderStrategy": [
                    {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
                ]
            },
            id="capacity-providers-replace-the-launch-type",
        ),
        pytest.param(
            {"roleArn": "arn:aws:iam::123456789012:role/my-ecs-role"},
            {"role": "my-ecs-role"},
            id="a-custom-service-role",
        ),
        pytest.param(
            {
                "propagateTags": "SERVICE",
                "enableExecuteCommand": True,
                "healthCheckGracePeriodSeconds": 60,
            },
            {
                "propagateTags": "SERVICE",
                "enableExecuteCommand": True,
                "healthCheckGracePeriodSeconds": 60,
            },
            id="non-default-settings",
        ),
        pytest.param(
            {
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 150,
                    "minimumHealthyPercent": 100,
                }
            },
            {
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 150,
                }
            },
            id="non-default-deployment-configuration",
        ),
    ],
)
def test_init_service_definition_keeps_what_differs(changes, expected) -> None:
    doc = service_definition_file(described_service(**changes))
    for key, value in expected.items():
        assert doc[key] == value
    if "capacityProviderStrategy" in changes:
        assert "launchType" not in doc
    if "roleArn" not in changes:
        assert "role" not in doc


def test_init_writes_no_desired_count_for_a_daemon_service() -> None:
    """ECS reports one task per instance as a DAEMON service's desiredCount and refuses one
    in UpdateService; the DAEMON deployment defaults (100/0) stay, as they differ from
    REPLICA's."""
    doc = service_definition_file(
        described_service(
            schedulingStrategy="DAEMON",
            desiredCount=3,
            launchType="EC2",
            networkConfiguration=None,
            deploymentConfiguration={"maximumPercent": 100, "minimumHealthyPercent": 0},
        )
    )
    assert doc["schedulingStrategy"] == "DAEMON"
    assert "desiredCount" not in doc
    assert doc["deploymentConfiguration"] == {"maximumPercent": 100, "minimumHealthyPercent": 0}


def test_init_keeps_the_path_of_a_custom_service_role() -> None:
    arn = "arn:aws:iam::123456789012:role/ecs/my-ecs-role"
    doc = service_definition_file(described_service(roleArn=arn))
    assert doc["role"] == "/ecs/my-ecs-role"
    root = service_definition_file(described_service(roleArn="arn:aws:iam::1:role/svc"))
    assert root["role"] == "svc"


@pytest.mark.parametrize(
    "desired,live,same",
    [
        ("/ecs/my-ecs-role", "arn:aws:iam::1:role/ecs/my-ecs-role", True),
        ("arn:aws:iam::1:role/ecs/my-ecs-role", "arn:aws:iam::1:role/ecs/my-ecs-role", True),
        ("my-ecs-role", "arn:aws:iam::1:role/my-ecs-role", True),
        ("my-ecs-role", "arn:aws:iam::1:role/ecs/my-ecs-role", False),  # another role
    ],
)
def test_roles_compare_by_path_and_name(desired: str, live: str, same: bool) -> None:
    from planner.canonical.service import role_path

    assert (role_path(desired) == role_path(live)) is same


def test_init_task_definition_as_a_user_writes_it() -> None:
    assert task_definition_file(DESCRIBED_TD) == {
        "family": "web",
        "networkMode": "awsvpc",
        "containerDefinitions": [{"name": "app", "image": "nginx:1.27", "essential": True}],
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "tags": [{"key": "team", "value": "web"}],
    }


def test_init_config_yaml_and_jsonnet() -> None:
    assert yaml.safe_load(config_file("ap-northeast-1", "c", "web")) == {
        "region": "ap-northeast-1",
        "cluster": "c",
        "service": "web",
        "service_definition": "ecs-service-def.json",
        "task_definition": "ecs-task-def.json",
        "timeout": "10m",
    }
    doc = json.loads(
        config_file(
            "us-east-1",
            "c",
            "web",
            ("AppECS-c-web", "DgpECS-c-web"),
            paths=("svc.jsonnet", "td.jsonnet"),
            jsonnet=True,
        )
    )
    assert doc["codedeploy"] == {
        "application_name": "AppECS-c-web",
        "deployment_group_name": "DgpECS-c-web",
    }
    assert (doc["service_definition"], doc["task_definition"]) == ("svc.jsonnet", "td.jsonnet")


def test_init_files_written_with_sorted_keys(tmp_path: Path) -> None:
    files = init_files("ap-northeast-1", "c", described_service(), DESCRIBED_TD)
    targets = [tmp_path / "new" / n for n in ("ecspresso.yml", "svc.json", "td.json")]
    texts = [files.config, files.service_definition, files.task_definition]
    assert write_files(targets, texts) == targets
    svc_text = (tmp_path / "new" / "svc.json").read_text()
    assert svc_text.endswith("}\n")
    assert list(json.loads(svc_text)) == sorted(json.loads(svc_text))
    assert yaml.safe_load(targets[0].read_text())["service"] == "web"
    assert json.loads(targets[2].read_text())["family"] == "web"


# --- verify --------------------------------------------------------------------------------

ECS_TASKS = "ecs-tasks.amazonaws.com"


@pytest.mark.parametrize(
    ("statement", "trusted"),
    [
        (
            {"Effect": "Allow", "Principal": {"Service": ECS_TASKS}, "Action": "sts:AssumeRole"},
            True,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": {"Service": ["ec2.amazonaws.com", ECS_TASKS]},
                "Action": ["sts:TagSession", "sts:AssumeRole"],
            },
            True,
        ),
        ({"Effect": "Allow", "Principal": "*", "Action": "sts:*"}, True),
        (
            {"Effect": "Deny", "Principal": {"Service": ECS_TASKS}, "Action": "sts:AssumeRole"},
            False,
        ),
        (
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "*"},
            False,
        ),
        (
            {"Effect": "Allow", "Principal": {"Service": ECS_TASKS}, "Action": "sts:TagSession"},
            False,
        ),
    ],
)
def test_trust_policy(statement, trusted) -> None:
    assert trusts({"Statement": [statement]}, ECS_TASKS) is trusted
    assert trusts({"Statement": statement}, ECS_TASKS) is trusted  # a single statement


@pytest.mark.parametrize(
    ("statuses", "status"),
    [([OK, SKIP], OK), ([OK, NG, SKIP], NG), ([SKIP, SKIP], SKIP), ([], SKIP)],
)
def test_a_group_is_ng_when_any_leaf_is(statuses, status) -> None:
    assert group("g", [Check(f"c{i}", s) for i, s in enumerate(statuses)]).status == status


def test_summary_counts_leaves_of_every_tree() -> None:
    tree = group(
        "c/web",
        [
            Check("cluster c", OK),
            group("task definition web", [Check("role", NG, "role not found"), Check("x", SKIP)]),
        ],
    )
    leaves = list(tree.leaves())
    assert [path for path, _ in leaves] == [
        ("c/web", "cluster c"),
        ("c/web", "task definition web", "role"),
        ("c/web", "task definition web", "x"),
    ]
    assert tree.status == NG
    assert summary([tree, Check("c/api", OK)]) == {OK: 2, NG: 1, SKIP: 1}


@pytest.mark.parametrize(
    ("td", "mode"),
    [
        ({"networkMode": "host"}, "host"),
        ({"requiresCompatibilities": ["FARGATE"]}, "awsvpc"),
        ({"requiresCompatibilities": ["EC2"]}, "bridge"),
        ({}, "bridge"),
    ],
)
def test_network_mode_defaults(td, mode) -> None:
    assert network_mode(td) == mode


# --- validate / render ---------------------------------------------------------------------


@pytest.fixture
def options():
    return load_options(SelectSpec(), AwsContext(region="ap-northeast-1"))


@pytest.fixture
def example(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "svc")
    return tmp_path / "svc" / "ecspresso.yml"


def test_validate_a_good_config(example, options) -> None:
    c = check_config(example, options)
    assert c.config is not None and c.config.service == "myservice"
    assert (c.errors, c.warnings) == ([], [])


def test_validate_names_file_line_and_field(example, options) -> None:
    sd = example.parent / "ecs-service-def.json"
    doc = json.loads(sd.read_text())
    doc["desiredCount"] = "three"
    sd.write_text(json.dumps(doc, indent=2))
    example.write_text(example.read_text() + "bogus: 1\n")

    c = check_config(example, options)
    assert c.config is None
    assert [str(e) for e in c.errors] == [
        f'{sd}:2: $.desiredCount: expected integer, got string "three"'
    ]
    assert c.warnings == [f"{example}:7: $.bogus: unknown key 'bogus' is ignored"]


@pytest.mark.parametrize(
    ("targets", "labels"),
    [
        (["taskdef"], ["ecs-task-def.json"]),
        (["servicedef", "config"], ["ecs-service-def.json", "ecspresso.yml"]),
        ([], ["ecspresso.yml", "ecs-service-def.json", "ecs-task-def.json"]),
    ],
)
def test_render_documents_in_the_order_asked(example, options, targets, labels) -> None:
    got = render_documents([example], options, targets, warn=lambda w: None)
    assert [Path(r.label).name for r in got] == labels


def test_render_knows_the_secret_values_a_display_hides(example, options, monkeypatch) -> None:
    td = example.parent / "ecs-task-def.json"
    doc = json.loads(td.read_text())
    env = doc["containerDefinitions"][0]["environment"]
    env.append({"name": "API_TOKEN", "value": "tok-0123456789"})
    td.write_text(json.dumps(doc))
    monkeypatch.setenv("IMAGE_TAG", "1.99")
    (rendered,) = render_documents([example], options, ["taskdef"], warn=lambda w: None)
    assert "tok-0123456789" in rendered.sensitive
    assert rendered.data["containerDefinitions"][0]["image"] == "nginx:1.99"
