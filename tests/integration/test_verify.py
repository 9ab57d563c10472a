"""`ecsplan verify` on the sandbox: all OK when everything exists, NG with its path otherwise."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3
import pytest
from helpers_cli import ecsplan

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

REGION = "ap-northeast-1"
ACCOUNT = "123456789012"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def client(name: str) -> Any:
    return boto3.client(name, region_name=REGION, endpoint_url=os.environ["AWS_ENDPOINT_URL"])


@pytest.fixture
def aws_world(sandbox: Sandbox) -> dict[str, str]:
    """Cluster, roles, an ECR image, an SSM parameter, a secret, a log group, a target group."""
    client("ecs").create_cluster(clusterName="verify")
    iam = client("iam")
    for role in ("ecsTaskExecutionRole", "appTaskRole"):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_role(
        RoleName="lambdaRole",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ]
            }
        ),
    )
    ecr = client("ecr")
    ecr.create_repository(repositoryName="app")
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"digest": "sha256:" + "1" * 64, "size": 1, "mediaType": "x"},
        "layers": [],
    }
    ecr.put_image(repositoryName="app", imageManifest=json.dumps(manifest), imageTag="v1")
    client("ssm").put_parameter(Name="/app/db_host", Value="db", Type="String")
    secret = client("secretsmanager").create_secret(Name="app/password", SecretString="x")
    client("logs").create_log_group(logGroupName="/ecs/app")
    ec2 = client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])[
        "Subnets"
    ][0]["SubnetId"]
    sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])[
        "SecurityGroups"
    ][0]["GroupId"]
    tg = client("elbv2").create_target_group(
        Name="app", Protocol="HTTP", Port=80, VpcId=vpc["VpcId"], TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    return {"secret": secret["ARN"], "subnet": subnet, "sg": sg, "tg": tg}


def write_config(tmp_path: Path, world: dict[str, str], **changes: Any) -> Path:
    td: dict[str, Any] = {
        "family": "app",
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/appTaskRole",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [
            {
                "name": "app",
                "image": changes.get("image", f"{REGISTRY}/app:v1"),
                "portMappings": [{"containerPort": 80}],
                "secrets": [
                    {"name": "DB_HOST", "valueFrom": "/app/db_host"},
                    {"name": "PASSWORD", "valueFrom": changes.get("secret", world["secret"])},
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": "/ecs/app",
                        "awslogs-region": REGION,
                        "awslogs-stream-prefix": "app",
                    },
                },
            },
            {
                "name": "sidecar",
                "image": "public.ecr.aws/nginx/nginx:1.27",
                "essential": False,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": "/ecs/new", "awslogs-create-group": "true"},
                },
            },
        ],
    }
    if "task_role" in changes:
        td["taskRoleArn"] = changes["task_role"]
    sd = {
        "desiredCount": 1,
        "launchType": "FARGATE",
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": [world["subnet"]], "securityGroups": [world["sg"]]}
        },
        "loadBalancers": [
            {
                "targetGroupArn": changes.get("tg", world["tg"]),
                "containerName": "app",
                "containerPort": 80,
            }
        ],
    }
    (tmp_path / "td.json").write_text(json.dumps(td))
    (tmp_path / "sd.json").write_text(json.dumps(sd))
    cfg = tmp_path / "ecspresso.yml"
    cfg.write_text(
        f"region: {REGION}\ncluster: verify\nservice: app\n"
        "service_definition: sd.json\ntask_definition: td.json\n"
    )
    return cfg


def test_everything_present_is_ok(aws_world: dict[str, str], tmp_path: Path) -> None:
    code, out, err = ecsplan("-c", str(write_config(tmp_path, aws_world)), "verify")
    assert code == 0, out + err
    assert "NG " not in out
    assert "OK   cluster verify" in out
    assert f"OK   image {REGISTRY}/app:v1" in out
    assert "SKIP image public.ecr.aws/nginx/nginx:1.27: not an ECR image" in out
    assert "OK   log group /ecs/new: will be created (awslogs-create-group)" in out
    assert f"OK   target group {aws_world['tg']}: app:80" in out
    assert out.strip().endswith("verify: 11 OK, 0 NG, 1 SKIP")


def test_missing_role_image_secret_and_target_group_are_ng(
    aws_world: dict[str, str], tmp_path: Path
) -> None:
    missing_secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/gone-AbCdEf"
    missing_tg = (
        f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/gone/0123456789abcdef"
    )
    cfg = write_config(
        tmp_path,
        aws_world,
        image=f"{REGISTRY}/app:v2",
        secret=missing_secret,
        tg=missing_tg,
        task_role=f"arn:aws:iam::{ACCOUNT}:role/noSuchRole",
    )
    code, out, err = ecsplan("-c", str(cfg), "verify")
    assert code == 1, out + err
    root = "verify/app > task definition app"
    expected = [
        f"NG {root} > task role arn:aws:iam::{ACCOUNT}:role/noSuchRole: role not found",
        f"NG {root} > container app > image {REGISTRY}/app:v2: tag v2 not found in repository app",
        f"NG {root} > container app > secret PASSWORD {missing_secret}: "
        "Secrets Manager secret not found",
        f"NG verify/app > service definition > target group {missing_tg}: target group not found",
    ]
    for line in expected:
        assert line in out, out
    assert out.strip().endswith("verify: 7 OK, 4 NG, 1 SKIP")


def test_role_not_trusting_ecs_tasks_and_json(aws_world: dict[str, str], tmp_path: Path) -> None:
    cfg = write_config(tmp_path, aws_world, task_role=f"arn:aws:iam::{ACCOUNT}:role/lambdaRole")
    code, out, err = ecsplan("-c", str(cfg), "verify", "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["summary"] == {"ok": 10, "ng": 1, "skip": 1}
    td = doc["services"][0]["children"][1]
    role = next(c for c in td["children"] if c["name"].startswith("task role"))
    assert role["status"] == "NG"
    assert "does not allow ecs-tasks.amazonaws.com" in role["reason"]
    assert role["path"][:2] == ["verify/app", "task definition app"]
    assert "verify: 10 OK, 1 NG, 1 SKIP" in err
