"""AWS calls of verify, run and exec: existence checks, RunTask/DescribeTasks, ExecuteCommand.

Existence checks answer True/False (or the thing found) and leave "not found" to the caller
to report; any other failure (access denied, throttling after retries) is an AwsError.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from planner.aws.clients import AwsContext
from planner.aws.errors import aws_call, error_code, translate
from planner.errors import AwsError

_NOT_FOUND = {
    "NoSuchEntity",
    "RepositoryNotFoundException",
    "ImageNotFoundException",
    "ParameterNotFound",
    "ResourceNotFoundException",
    "TargetGroupNotFound",
    "InvalidSubnetID.NotFound",
    "InvalidGroup.NotFound",
    "ValidationError",
}


def _missing(e: ClientError) -> bool:
    return error_code(e) in _NOT_FOUND


class Checks:
    """Read-only lookups used by `ecsplan verify`."""

    def __init__(self, aws: AwsContext) -> None:
        self.aws = aws

    def _call(self, service: str, region: str, action: str, op: str, **kw: Any) -> Any:
        """The response, or None when AWS says the resource does not exist."""
        client = self.aws.client(service, region)
        try:
            return getattr(client, op)(**kw)
        except ClientError as e:
            if _missing(e):
                return None
            raise translate(e, action) from e

    def cluster_status(self, region: str, cluster: str) -> str | None:
        """The cluster's status (ACTIVE, INACTIVE...), None when ECS does not know it."""
        resp = self._call(
            "ecs",
            region,
            f"ecs:DescribeClusters {cluster}",
            "describe_clusters",
            clusters=[cluster],
        )
        found = (resp or {}).get("clusters") or []
        return str(found[0].get("status")) if found else None

    def role_trust_policy(self, role_arn: str) -> dict[str, Any] | None:
        """The role's assume role policy document (parsed), None when the role is missing."""
        name = role_arn.rsplit("/", 1)[-1]
        resp = self._call("iam", "us-east-1", f"iam:GetRole {name}", "get_role", RoleName=name)
        if resp is None:
            return None
        doc = resp["Role"].get("AssumeRolePolicyDocument") or {}
        if isinstance(doc, str):
            doc = json.loads(urllib.parse.unquote(doc))
        return dict(doc)

    def ecr_image_exists(
        self, region: str, registry_id: str, repository: str, tag: str | None, digest: str | None
    ) -> bool:
        image_id = {"imageDigest": digest} if digest else {"imageTag": tag or "latest"}
        resp = self._call(
            "ecr",
            region,
            f"ecr:DescribeImages {repository}",
            "describe_images",
            registryId=registry_id,
            repositoryName=repository,
            imageIds=[image_id],
        )
        return bool(resp and resp.get("imageDetails"))

    def ssm_parameter_exists(self, region: str, name: str) -> bool:
        resp = self._call(
            "ssm",
            region,
            f"ssm:GetParameter {name}",
            "get_parameter",
            Name=name,
            WithDecryption=False,
        )
        return resp is not None

    def secret_exists(self, region: str, secret_id: str) -> bool:
        resp = self._call(
            "secretsmanager",
            region,
            f"secretsmanager:DescribeSecret {secret_id}",
            "describe_secret",
            SecretId=secret_id,
        )
        return resp is not None

    def log_group_exists(self, region: str, name: str) -> bool:
        logs = self.aws.client("logs", region)
        with aws_call(f"logs:DescribeLogGroups {name}"):
            pages = logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
            return any(g.get("logGroupName") == name for p in pages for g in p["logGroups"])

    def target_group(self, region: str, arn: str) -> dict[str, Any] | None:
        resp = self._call(
            "elbv2",
            region,
            f"elbv2:DescribeTargetGroups {arn}",
            "describe_target_groups",
            TargetGroupArns=[arn],
        )
        groups = (resp or {}).get("TargetGroups") or []
        return dict(groups[0]) if groups else None

    def missing_subnets(self, region: str, ids: Sequence[str]) -> list[str]:
        ec2 = self.aws.client("ec2", region)
        with aws_call("ec2:DescribeSubnets"):
            resp = ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": list(ids)}])
        found = {s["SubnetId"] for s in resp.get("Subnets", [])}
        return [i for i in ids if i not in found]

    def missing_security_groups(self, region: str, ids: Sequence[str]) -> list[str]:
        ec2 = self.aws.client("ec2", region)
        with aws_call("ec2:DescribeSecurityGroups"):
            resp = ec2.describe_security_groups(Filters=[{"Name": "group-id", "Values": list(ids)}])
        found = {g["GroupId"] for g in resp.get("SecurityGroups", [])}
        return [i for i in ids if i not in found]


class TaskCalls:
    """RunTask, DescribeTasks, ListTasks and ExecuteCommand for `ecsplan run` / `exec`."""

    def __init__(self, aws: AwsContext, region: str) -> None:
        self.region = region
        self.ecs = aws.client("ecs", region)

    def run_task(self, **kw: Any) -> list[dict[str, Any]]:
        with aws_call(f"ecs:RunTask {kw.get('taskDefinition')}"):
            resp = self.ecs.run_task(**kw)
        failures = resp.get("failures") or []
        if failures:
            raise AwsError(f"ecs:RunTask failed: {_failure_text(failures[0])}")
        return list(resp.get("tasks", []))

    def describe_tasks(self, cluster: str, arns: Sequence[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i in range(0, len(arns), 100):
            with aws_call("ecs:DescribeTasks"):
                resp = self.ecs.describe_tasks(cluster=cluster, tasks=list(arns[i : i + 100]))
            out.extend(resp.get("tasks", []))
        return out

    def running_task_arns(self, cluster: str, service: str) -> list[str]:
        with aws_call(f"ecs:ListTasks {cluster}/{service}"):
            pages = self.ecs.get_paginator("list_tasks").paginate(
                cluster=cluster, serviceName=service, desiredStatus="RUNNING"
            )
            return [a for p in pages for a in p.get("taskArns", [])]

    def execute_command(
        self, cluster: str, task: str, container: str, command: str
    ) -> dict[str, Any]:
        with aws_call(f"ecs:ExecuteCommand {task}"):
            resp = self.ecs.execute_command(
                cluster=cluster, task=task, container=container, command=command, interactive=True
            )
        return dict(resp)

    @property
    def endpoint_url(self) -> str:
        return str(self.ecs.meta.endpoint_url)


def _failure_text(f: dict[str, Any]) -> str:
    parts = [str(f.get(k)) for k in ("arn", "reason", "detail") if f.get(k)]
    return ": ".join(parts) or "unknown failure"
