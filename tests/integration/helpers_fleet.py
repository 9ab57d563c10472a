"""A live cluster mixing the kinds of services `init --all` must write right, on the sandbox.

Services are created the way an earlier deploy (or the console) would leave them, with
plain boto3 calls: the examples' definitions (rolling with a circuit breaker, Fargate Spot,
CodeDeploy blue/green, auto scaling), two services running one task definition ARN, and a
DAEMON service on the EC2 launch type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers_cli import EXAMPLES, client

from ecsplan_sandbox.server import Sandbox
from planner.config import LoadOptions, load_config

CLUSTER = "my-cluster"
#: example directory -> the service its config names
EXAMPLE_SERVICES = {
    "single-service": "myservice",  # rolling, circuit breaker, load balancer, tags
    "fargate-spot": "spot-service",  # capacity provider strategy
    "blue-green": "bg-service",  # CODE_DEPLOY controller, CodeDeploy group
    "autoscaling": "scaled-service",  # scalable target and policy (prepare creates it)
}
SHARED = ("shared-a", "shared-b")  # one task definition ARN, two services
DAEMON = "agent"
ALL_SERVICES = sorted([*EXAMPLE_SERVICES.values(), *SHARED, DAEMON])

NET = {
    "awsvpcConfiguration": {
        "subnets": ["subnet-12345678"],
        "securityGroups": ["sg-12345678"],
        "assignPublicIp": "DISABLED",
    }
}


def create_from_config(sandbox: Sandbox, config: Path) -> None:
    """Register the config's task definition and create its service with its definition."""
    cfg = load_config(config, LoadOptions())
    ecs = client(sandbox, "ecs")
    found = ecs.describe_services(cluster=cfg.cluster, services=[cfg.service])["services"]
    if any(s["status"] == "ACTIVE" for s in found):
        return  # sandbox-prepare.json created it already
    td = dict(cfg.task_definition or {})
    arn = ecs.register_task_definition(**td)["taskDefinition"]["taskDefinitionArn"]
    sd = {k: v for k, v in (cfg.service_definition or {}).items() if k != "serviceName"}
    ecs.create_service(cluster=cfg.cluster, serviceName=cfg.service, taskDefinition=arn, **sd)


def create_shared_family(sandbox: Sandbox, cluster: str = CLUSTER) -> str:
    """Two rolling services on one revision of the family ``shared-web``; its ARN."""
    ecs = client(sandbox, "ecs")
    arn = ecs.register_task_definition(
        family="shared-web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "web", "image": "nginx:1.27", "essential": True}],
    )["taskDefinition"]["taskDefinitionArn"]
    for name in SHARED:
        ecs.create_service(
            cluster=cluster,
            serviceName=name,
            taskDefinition=arn,
            desiredCount=2,
            launchType="FARGATE",
            networkConfiguration=NET,
        )
    return str(arn)


def create_daemon(sandbox: Sandbox, cluster: str = CLUSTER) -> None:
    """A DAEMON service on the EC2 launch type (bridge networking, no desired count)."""
    ecs = client(sandbox, "ecs")
    arn = ecs.register_task_definition(
        family=DAEMON,
        networkMode="bridge",
        requiresCompatibilities=["EC2"],
        containerDefinitions=[
            {"name": "agent", "image": "datadog/agent:7", "memory": 256, "essential": True}
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(
        cluster=cluster,
        serviceName=DAEMON,
        taskDefinition=arn,
        launchType="EC2",
        schedulingStrategy="DAEMON",
    )


def build_mixed_cluster(sandbox: Sandbox) -> list[str]:
    """Every kind of service in CLUSTER; returns their names, sorted."""
    configs = [EXAMPLES / name / "ecspresso.yml" for name in EXAMPLE_SERVICES]
    sandbox.prepare([str(c) for c in configs])
    for config in configs:
        create_from_config(sandbox, config)
    create_shared_family(sandbox)
    create_daemon(sandbox)
    return ALL_SERVICES


def describe_all(sandbox: Sandbox, names: list[str], cluster: str = CLUSTER) -> dict[str, Any]:
    ecs = client(sandbox, "ecs")
    out: dict[str, Any] = {}
    for i in range(0, len(names), 10):
        for s in ecs.describe_services(cluster=cluster, services=names[i : i + 10])["services"]:
            out[s["serviceName"]] = s
    return out
