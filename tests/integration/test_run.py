"""`ecsplan run` on the sandbox: the exit code follows the essential container's.

Sandbox convention (sandbox/ecsplan_sandbox/task_runs.py): run tasks go PROVISIONING -> PENDING ->
RUNNING -> STOPPED with exit code 0; an image tag ending `-fail` exits 1, `-nostart` never
starts (TaskFailedToStart, CannotPullContainerError).
"""

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

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fargate-spot" / "ecspresso.yml"
REGION = "ap-northeast-1"


def ecs() -> Any:
    return boto3.client("ecs", region_name=REGION, endpoint_url=os.environ["AWS_ENDPOINT_URL"])


@pytest.fixture
def service(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/fargate-spot deployed with `ecsplan deploy`."""
    monkeypatch.setenv("ECSPLAN_POLL_INTERVAL", "0.02")
    sandbox.prepare([str(EXAMPLE)])
    code, out, err = ecsplan("-c", str(EXAMPLE), "--state", str(tmp_path / "state"), "deploy")
    assert code == 0, out + err


def register(image: str) -> str:
    """A revision of the example's family with another image; its ARN."""
    td = json.loads((EXAMPLE.parent / "ecs-task-def.json").read_text())
    td["containerDefinitions"][0]["image"] = image
    return str(ecs().register_task_definition(**td)["taskDefinition"]["taskDefinitionArn"])


def test_run_exits_0_with_the_services_network(service: None) -> None:
    code, out, err = ecsplan("-c", str(EXAMPLE), "run")
    assert code == 0, out + err
    assert "started task" in out and "(spot-service:1)" in out
    for status in ("RUNNING", "STOPPED"):
        assert f": {status}" in out
    assert "essential containers exited with code 0" in out
    stopped = ecs().list_tasks(cluster="my-cluster", desiredStatus="STOPPED", startedBy="ecsplan")
    task = ecs().describe_tasks(cluster="my-cluster", tasks=stopped["taskArns"])["tasks"][0]
    subnets = task["attachments"][0]["details"][0]["value"]
    assert subnets == "subnet-12345678"  # the service's awsvpc configuration
    assert task["capacityProviderName"] == "FARGATE_SPOT"


def test_run_exit_code_follows_a_failing_container(service: None) -> None:
    arn = register("nginx:1.27-fail")
    code, out, err = ecsplan("-c", str(EXAMPLE), "run", "--task-definition", arn)
    assert code == 1, out + err
    assert "essential container web exited with code 1" in err


def test_task_failed_to_start_is_an_error(service: None) -> None:
    arn = register("nginx:1.27-nostart")
    code, out, err = ecsplan("-c", str(EXAMPLE), "run", "--task-definition", arn)
    assert code == 1, out + err
    assert err.startswith("Error: task ")
    assert "failed to start (TaskFailedToStart): CannotPullContainerError" in err


def test_wait_until_running_and_no_wait(service: None) -> None:
    """run.go RunOption @v2.6.0: `--count` tasks, `--wait-until running` returns once they run,
    `--no-wait` (Wait negatable) returns at once."""
    code, out, err = ecsplan("-c", str(EXAMPLE), "run", "--wait-until", "running", "--count", "2")
    assert code == 0, out + err
    assert out.count("started task") == 2 and ": RUNNING" in out
    assert "exited" not in out
    code, out, err = ecsplan("-c", str(EXAMPLE), "run", "--no-wait", "--task-definition", "latest")
    assert code == 0, out + err
    assert out.startswith("started task") and len(out.strip().splitlines()) == 1


def test_bad_overrides(service: None) -> None:
    code, _, err = ecsplan("-c", str(EXAMPLE), "run", "--overrides", "{nope")
    assert code == 1
    assert "--overrides is not valid JSON" in err
