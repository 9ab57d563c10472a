"""Rollback touches only what the chosen run changed, and refuses to undo later changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import boto3
import pytest
from helpers_cli import EXAMPLES, copy_example, run_inproc

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration
TIMEOUT = ("--timeout", "60s")


def _images(names: list[str]) -> dict[str, str]:
    ecs = boto3.client("ecs")
    out = {}
    for svc in ecs.describe_services(cluster="my-cluster", services=names)["services"]:
        td = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
        out[svc["serviceName"]] = td["containerDefinitions"][0]["image"]
    return out


def test_workspace_rollback_undoes_only_the_newest_run(sandbox: Sandbox, tmp_path: Path) -> None:
    ws_dir = tmp_path / "microservices"
    shutil.copytree(EXAMPLES / "microservices", ws_dir)
    ws = str(ws_dir / "workspace.yml")
    sandbox.prepare([ws])
    state = tmp_path / "state"
    assert run_inproc([], state, "-w", ws, "apply", "--auto-approve", *TIMEOUT).code == 0
    r = run_inproc([], state, "-w", ws, "apply", "--auto-approve", *TIMEOUT, env={"API_TAG": "2.5"})
    assert r.code == 0, r

    r = run_inproc([], state, "-w", ws, "rollback", *TIMEOUT[:0])
    assert r.code == 0, r
    assert "database: not changed by run" in r.stderr
    assert "frontend: not changed by run" in r.stderr
    assert "delete service" not in r.stdout  # the services created by the first run stay
    assert _images(["database", "api", "frontend"]) == {
        "database": "postgres:16",
        "api": "public.ecr.aws/docker/library/httpd:2.4",
        "frontend": "nginx:1.27",
    }


def test_rollback_of_a_create_asks_before_deleting(sandbox: Sandbox, tmp_path: Path) -> None:
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT).code == 0
    r = run_inproc([cfg], state, "rollback")
    assert r.code == 1
    assert "rollback deletes myservice" in r.stderr and "--auto-approve" in r.stderr
    assert (
        boto3.client("ecs").describe_services(cluster="my-cluster", services=["myservice"])[
            "services"
        ][0]["status"]
        == "ACTIVE"
    )
    r = run_inproc([cfg], state, "rollback", "--auto-approve")
    assert r.code == 0, r
    svc = boto3.client("ecs").describe_services(cluster="my-cluster", services=["myservice"])
    assert svc["services"][0]["status"] != "ACTIVE"


def test_rollback_keeps_a_desired_count_the_run_did_not_manage(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """examples/autoscaling leaves desiredCount to auto scaling: undoing an image deploy must
    not reset the count auto scaling chose since."""
    cfg = copy_example("autoscaling", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT, env={"IMAGE_TAG": "1.28"}).code == 0
    ecs = boto3.client("ecs")
    ecs.update_service(cluster="my-cluster", service="scaled-service", desiredCount=6)
    r = run_inproc([cfg], state, "rollback", "--dry-run")
    assert r.code == 0, r
    assert "restore service my-cluster/scaled-service: taskDefinition" in r.stdout
    assert "desiredCount" not in r.stdout
    assert run_inproc([cfg], state, "rollback", *TIMEOUT[:0]).code == 0
    svc = ecs.describe_services(cluster="my-cluster", services=["scaled-service"])["services"][0]
    assert svc["desiredCount"] == 6
    assert _images(["scaled-service"]) == {"scaled-service": "nginx:1.27"}


def test_rollback_refuses_to_undo_a_later_deploy(sandbox: Sandbox, tmp_path: Path) -> None:
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT).code == 0
    assert run_inproc([cfg], state, "deploy", *TIMEOUT, env={"IMAGE_TAG": "1.28"}).code == 0
    assert run_inproc([cfg], state, "deploy", *TIMEOUT, env={"IMAGE_TAG": "1.29"}).code == 0
    from planner.state.local import LocalBackend

    runs = LocalBackend(state).runs("my-cluster/myservice")  # newest first
    older = runs[1].run_id  # the 1.28 deploy
    r = run_inproc([cfg], state, "rollback", "--run", older)
    assert r.code == 1
    assert f"applied after run {older}" in r.stderr and "--force" in r.stderr
    assert _images(["myservice"]) == {"myservice": "nginx:1.29"}

    # A deploy made outside ecsplan since the newest run is refused too.
    ecs = boto3.client("ecs")
    first = ecs.list_task_definitions(familyPrefix="myservice", sort="ASC")["taskDefinitionArns"][0]
    ecs.update_service(cluster="my-cluster", service="myservice", taskDefinition=first)
    r = run_inproc([cfg], state, "rollback")
    assert r.code == 1
    assert "myservice:1, deployed after run" in r.stderr, r
