"""A service task stopped by StopTask is replaced, and later deployments still complete."""

from __future__ import annotations

import time

import boto3

from ecsplan_sandbox.server import Sandbox

NET = {"awsvpcConfiguration": {"subnets": ["subnet-12345678"], "securityGroups": ["sg-1"]}}


def _wait(ecs, pred, what: str, tries: int = 400) -> dict:
    for _ in range(tries):
        svc = ecs.describe_services(cluster="c", services=["s"])["services"][0]
        if pred(svc):
            return svc
        time.sleep(0.02)
    raise AssertionError(f"never {what}: {svc}")


def test_stopped_task_is_replaced_and_next_deploy_completes(sandbox: Sandbox) -> None:
    ecs = boto3.client("ecs")
    ecs.create_cluster(clusterName="c")
    td = {"family": "s", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
          "cpu": "256", "memory": "512",
          "containerDefinitions": [{"name": "app", "image": "nginx:1", "essential": True}]}  # fmt: skip
    arn1 = ecs.register_task_definition(**td)["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="c", serviceName="s", taskDefinition=arn1, desiredCount=2,
                       launchType="FARGATE", networkConfiguration=NET)  # fmt: skip
    _wait(ecs, lambda s: s["runningCount"] == 2, "running 2")
    task = ecs.list_tasks(cluster="c", serviceName="s")["taskArns"][0]
    ecs.stop_task(cluster="c", task=task, reason="by hand")
    svc = _wait(ecs, lambda s: s["runningCount"] == 2 and task not in
                ecs.list_tasks(cluster="c", serviceName="s")["taskArns"], "replaced")  # fmt: skip
    assert svc["desiredCount"] == 2
    td["containerDefinitions"][0]["image"] = "nginx:2"
    arn2 = ecs.register_task_definition(**td)["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster="c", service="s", taskDefinition=arn2)
    _wait(
        ecs,
        lambda s: len(s["deployments"]) == 1 and s["deployments"][0]["rolloutState"] == "COMPLETED"
        and s["deployments"][0]["taskDefinition"] == arn2,
        "completed the second deployment",
    )  # fmt: skip
