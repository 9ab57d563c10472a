"""Shared bench helpers: a sandbox with N services created from generated ecspresso configs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import boto3

NET = {
    "awsvpcConfiguration": {
        "subnets": ["subnet-12345678"],
        "securityGroups": ["sg-12345678"],
        "assignPublicIp": "DISABLED",
    }
}


def write_configs(root: Path, n: int, cluster: str = "bench", desired: int = 1) -> list[Path]:
    """N service directories, each with ecspresso.yml + definitions (image from IMAGE_TAG)."""
    paths = []
    for i in range(n):
        name = f"svc-{i:03d}"
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        (d / "ecspresso.yml").write_text(
            f"region: ap-northeast-1\ncluster: {cluster}\nservice: {name}\n"
            "service_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\n"
        )
        td = {
            "family": name,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "512",
            "containerDefinitions": [
                {"name": "app", "image": "nginx:{{ env `IMAGE_TAG` `1.27` }}", "essential": True}
            ],
        }
        sd = {
            "desiredCount": desired,
            "launchType": "FARGATE",
            "networkConfiguration": NET,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
        }
        (d / "ecs-task-def.json").write_text(json.dumps(td, indent=2))
        (d / "ecs-service-def.json").write_text(json.dumps(sd, indent=2))
        paths.append(d / "ecspresso.yml")
    return paths


def create_live(
    n: int, cluster: str = "bench", desired: int = 1, image: str = "nginx:1.27"
) -> None:
    """Register and create the N services with plain boto3 (what a previous deploy left)."""
    ecs = boto3.client(
        "ecs", region_name="ap-northeast-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"]
    )
    ecs.create_cluster(clusterName=cluster)
    for i in range(n):
        name = f"svc-{i:03d}"
        arn = ecs.register_task_definition(
            family=name,
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "app", "image": image, "essential": True}],
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(
            cluster=cluster,
            serviceName=name,
            taskDefinition=arn,
            desiredCount=desired,
            launchType="FARGATE",
            networkConfiguration=NET,
            deploymentConfiguration={
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
        )


class RemoteSandbox:
    """`ecsplan sandbox` in its own process, so client and emulator do not share one GIL."""

    def __init__(self, port: int = 4610, tick: float = 0.05) -> None:
        import subprocess
        import sys
        import time
        import urllib.request

        self.endpoint = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "planner", "sandbox", "--port", str(port), "--tick", str(tick)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                urllib.request.urlopen(self.endpoint + "/_sandbox/stats", timeout=1)
                break
            except OSError:
                time.sleep(0.05)

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "ap-northeast-1",
            "AWS_REGION": "ap-northeast-1",
        }

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        import urllib.request

        data = json.dumps(body or {}).encode() if method == "POST" else None
        req = urllib.request.Request(self.endpoint + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
        return json.loads(raw) if raw.strip().startswith(b"{") else {}

    def stats(self) -> dict:
        return self._call("GET", "/_sandbox/stats")

    def reset(self) -> None:
        self._call("POST", "/_sandbox/reset")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def __enter__(self) -> RemoteSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
