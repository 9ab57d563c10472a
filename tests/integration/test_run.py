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
    """Without a pin flag the local task definition is registered and that revision runs
    (ecspresso run.go taskDefinitionArnForRun, default case)."""
    code, out, err = ecsplan("-c", str(EXAMPLE), "run")
    assert code == 0, out + err
    assert "spot-service: registered spot-service:2" in err
    assert "started task" in out and "(spot-service:2)" in out
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


def last_run_task(sandbox: Sandbox) -> dict[str, Any]:
    """The parameters of the newest RunTask call, as the sandbox received them."""
    return sandbox.writes("ecs:RunTask")[-1].params


def test_client_token_tags_and_propagation_reach_run_task(service: None, sandbox: Sandbox) -> None:
    """ecspresso run.go RunTask: --client-token is RunTask's clientToken, --tags its tags,
    --propagate-tags TASK_DEFINITION its propagateTags."""
    code, out, err = ecsplan(
        "-c", str(EXAMPLE), "run", "--no-wait", "--client-token", "migrate-42",
        "--tags", "job=migrate", "--propagate-tags", "TASK_DEFINITION",
    )  # fmt: skip
    assert code == 0, out + err
    sent = last_run_task(sandbox)
    assert sent["clientToken"] == "migrate-42"
    assert sent["tags"] == [{"key": "job", "value": "migrate"}]
    assert sent["propagateTags"] == "TASK_DEFINITION"


def test_propagate_tags_service_adds_the_services_tags(service: None, sandbox: Sandbox) -> None:
    """ecspresso run.go: SERVICE appends the service's tags (RunTask cannot propagate from a
    service); NONE sends no propagateTags at all (ECS refuses NONE in RunTask)."""
    arn = ecs().describe_services(cluster="my-cluster", services=["spot-service"])["services"][0]
    ecs().tag_resource(resourceArn=arn["serviceArn"], tags=[{"key": "team", "value": "web"}])
    code, out, err = ecsplan(
        "-c", str(EXAMPLE), "run", "--no-wait", "--tags", "a=1", "--propagate-tags", "SERVICE"
    )
    assert code == 0, out + err
    sent = last_run_task(sandbox)
    assert sent["tags"] == [{"key": "a", "value": "1"}, {"key": "team", "value": "web"}]
    assert "propagateTags" not in sent
    code, out, err = ecsplan("-c", str(EXAMPLE), "run", "--no-wait", "--propagate-tags", "NONE")
    assert code == 0, out + err
    assert "propagateTags" not in last_run_task(sandbox) and "tags" not in last_run_task(sandbox)


def test_managed_ebs_volumes_follow_the_service_definition(
    service: None, sandbox: Sandbox, tmp_path: Path
) -> None:
    """ecspresso util.go serviceVolumeConfigurationsToTask: the service definition's managed
    EBS volumes go to RunTask with --[no-]ebs-delete-on-termination as their termination
    policy, SERVICE tag propagation left out."""
    for name in ("ecspresso.yml", "ecs-task-def.json"):
        (tmp_path / name).write_text((EXAMPLE.parent / name).read_text())
    sv = json.loads((EXAMPLE.parent / "ecs-service-def.json").read_text())
    role = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"
    sv["volumeConfigurations"] = [
        {
            "name": "data",
            "managedEBSVolume": {
                "roleArn": role,
                "sizeInGiB": 20,
                "volumeType": "gp3",
                "tagSpecifications": [
                    {"resourceType": "volume", "propagateTags": "SERVICE"},
                    {"resourceType": "volume", "tags": [{"key": "k", "value": "v"}]},
                ],
            },
        }
    ]
    (tmp_path / "ecs-service-def.json").write_text(json.dumps(sv))
    config = str(tmp_path / "ecspresso.yml")
    for flag, delete in (
        ("--ebs-delete-on-termination", True),
        ("--no-ebs-delete-on-termination", False),
    ):
        code, out, err = ecsplan("-c", config, "run", "--no-wait", flag)
        assert code == 0, out + err
        assert last_run_task(sandbox)["volumeConfigurations"] == [
            {
                "name": "data",
                "managedEBSVolume": {
                    "roleArn": role,
                    "sizeInGiB": 20,
                    "volumeType": "gp3",
                    "tagSpecifications": [
                        {"resourceType": "volume", "tags": [{"key": "k", "value": "v"}]}
                    ],
                    "terminationPolicy": {"deleteOnTermination": delete},
                },
            }
        ]


def test_pins_run_a_registered_revision_and_task_def_registers_a_file(
    service: None, sandbox: Sandbox, tmp_path: Path
) -> None:
    """ecspresso run.go taskDefinitionArnForRun: --skip-task-definition runs the service's
    revision and registers nothing; --task-def FILE registers that file instead of the
    config's (rendered the same way) and runs it; --dry-run registers nothing."""
    code, out, err = ecsplan("-c", str(EXAMPLE), "run", "--skip-task-definition", "--no-wait")
    assert code == 0, out + err
    assert "(spot-service:1)" in out and "registered" not in err
    code, out, err = ecsplan("-c", str(EXAMPLE), "run", "--dry-run")
    assert (code, out) == (
        0,
        "Dry run: would register a new revision of spot-service and run 1 task(s)\n",
    )
    assert not sandbox.writes("ecs:RegisterTaskDefinition")[1:]  # only the deploy's

    other = json.loads((EXAMPLE.parent / "ecs-task-def.json").read_text())
    other["containerDefinitions"][0]["image"] = "nginx:{{ must_env `MIGRATE_TAG` }}"
    (tmp_path / "migrate.json").write_text(json.dumps(other))
    code, out, err = ecsplan(
        "-c", str(EXAMPLE), "run", "--task-def", str(tmp_path / "migrate.json"), "--no-wait",
        env={"MIGRATE_TAG": "1.30"},
    )  # fmt: skip
    assert code == 0, out + err
    assert "(spot-service:2)" in out
    td = ecs().describe_task_definition(taskDefinition="spot-service:2")["taskDefinition"]
    assert td["containerDefinitions"][0]["image"] == "nginx:1.30"


def test_task_def_file_problems_are_one_line(service: None, tmp_path: Path) -> None:
    """ecspresso run.go taskDefinitionArnForRun: --task-def FILE is loaded as the config's
    task definition is (LoadTaskDefinition); a missing or invalid file is one located error,
    exit 1, nothing registered."""
    code, out, err = ecsplan("-c", str(EXAMPLE), "run", "--task-def", str(tmp_path / "none.json"))
    assert code == 1 and out == ""
    assert err.startswith(f"Error: {tmp_path / 'none.json'}:1: $: --task-def: file not found")
    (tmp_path / "bad.json").write_text('{"family": "x", "containerDefinitions": "no"}')
    code, out, err = ecsplan("-c", str(EXAMPLE), "run", "--task-def", str(tmp_path / "bad.json"))
    assert code == 1 and "bad.json:1: $.containerDefinitions" in err.splitlines()[0]
