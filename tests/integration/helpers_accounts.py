"""The two-account workspace of the multi-account tests (issue 21) and how to read it back.

Staging and production each run `my-cluster/web` (the same names), production also a worker
in a second region; each service acts as its own role, so reading one back needs that role's
credentials (moto keeps accounts apart by the keys an AssumeRole returns).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from ecsplan_sandbox.server import Sandbox

STAGING, PRODUCTION = "111111111111", "222222222222"
STAGING_ROLE = f"arn:aws:iam::{STAGING}:role/deploy"
PRODUCTION_ROLE = f"arn:aws:iam::{PRODUCTION}:role/deploy"
TOKYO, OREGON = "ap-northeast-1", "us-west-2"
WHERE = {  # service key -> (account, role, region)
    "web-staging": (STAGING, STAGING_ROLE, TOKYO),
    "web-production": (PRODUCTION, PRODUCTION_ROLE, TOKYO),
    "worker-production": (PRODUCTION, PRODUCTION_ROLE, OREGON),
}


def write_service(d: Path, service: str, tag_var: str, ecsplan: str = "") -> None:
    d.mkdir(parents=True)
    (d / "ecspresso.yml").write_text(
        f"region: {TOKYO}\ncluster: my-cluster\nservice: {service}\n"
        "service_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\n"
        f"timeout: 2m\n{ecsplan}"
    )
    image = "nginx:{{ env `" + tag_var + "` `1.27` }}"
    td = {
        "family": service,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{"name": "app", "image": image, "essential": True}],
    }
    sd = {
        "desiredCount": 1,
        "launchType": "FARGATE",
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": ["subnet-12345678"], "assignPublicIp": "DISABLED"}
        },
    }
    (d / "ecs-task-def.json").write_text(json.dumps(td))
    (d / "ecs-service-def.json").write_text(json.dumps(sd))


def two_account_workspace(sandbox: Sandbox, tmp_path: Path) -> Path:
    """Staging names its role in its config; production's entries name theirs (and the
    worker its region) in the workspace. Prepared: each cluster in its role's account."""
    write_service(
        tmp_path / "staging", "web", "STAGING_TAG", f"ecsplan:\n  assume_role_arn: {STAGING_ROLE}\n"
    )
    write_service(tmp_path / "production", "web", "PRODUCTION_TAG")
    write_service(tmp_path / "worker", "worker", "WORKER_TAG")
    ws = tmp_path / "workspace.yml"
    ws.write_text(
        "services:\n"
        "  web-staging:\n    config: staging/ecspresso.yml\n"
        f"  web-production:\n    config: production/ecspresso.yml\n"
        f"    assume_role_arn: {PRODUCTION_ROLE}\n"
        f"  worker-production:\n    config: worker/ecspresso.yml\n"
        f"    assume_role_arn: {PRODUCTION_ROLE}\n    region: {OREGON}\n"
        "    depends_on: [web-production]\n"
    )
    sandbox.prepare([str(ws)])
    return ws


def client_as(sandbox: Sandbox, service: str, role: str | None, region: str) -> Any:
    """A client with the role's own credentials (None: the sandbox's default ones)."""
    kw: dict[str, Any] = {"endpoint_url": sandbox.endpoint, "region_name": region}
    if role is not None:
        sts = boto3.client("sts", **kw)
        c = sts.assume_role(RoleArn=role, RoleSessionName="test")["Credentials"]
        kw.update(
            aws_access_key_id=c["AccessKeyId"],
            aws_secret_access_key=c["SecretAccessKey"],
            aws_session_token=c["SessionToken"],
        )
    return boto3.client(service, **kw)


def ecs_as(sandbox: Sandbox, role: str | None, region: str) -> Any:
    return client_as(sandbox, "ecs", role, region)


def image_of(sandbox: Sandbox, key: str) -> str | None:
    """The image `key`'s service runs, read as its own role (None: no such service)."""
    account, role, region = WHERE[key]
    ecs = ecs_as(sandbox, role, region)
    service = "worker" if key.startswith("worker") else "web"
    found = ecs.describe_services(cluster="my-cluster", services=[service])["services"]
    if not found or found[0]["status"] != "ACTIVE":
        return None
    td = ecs.describe_task_definition(taskDefinition=found[0]["taskDefinition"])
    assert td["taskDefinition"]["taskDefinitionArn"].split(":")[4] == account
    return str(td["taskDefinition"]["containerDefinitions"][0]["image"])
