"""`ecsplan init` on the sandbox: files from a live service that `plan` finds unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers_cli import ecsplan

from ecsplan_sandbox.server import Sandbox
from planner.canonical.service import canonical_service, managed_fields, service_view
from planner.canonical.taskdef import canonical_task_definition
from planner.config import LoadOptions, load_config

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fargate-spot" / "ecspresso.yml"


@pytest.fixture
def deployed(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """examples/fargate-spot deployed with `ecsplan deploy`; returns the state directory."""
    monkeypatch.setenv("ECSPLAN_POLL_INTERVAL", "0.05")
    sandbox.prepare([str(EXAMPLE)])
    state = tmp_path / "state"
    code, out, err = ecsplan("-c", str(EXAMPLE), "--state", str(state), "deploy")
    assert code == 0, out + err
    return state


def test_init_then_plan_says_no_changes(deployed: Path, tmp_path: Path) -> None:
    target = tmp_path / "svc" / "ecspresso.yml"
    code, out, err = ecsplan(
        "init", "--service", "spot-service", "--cluster", "my-cluster", "--config", str(target)
    )
    assert code == 0, out + err
    assert f"wrote {target}" in out
    assert yaml.safe_load(target.read_text())["cluster"] == "my-cluster"

    td = json.loads((target.parent / "ecs-task-def.json").read_text())
    sd = json.loads((target.parent / "ecs-service-def.json").read_text())
    assert list(td) == sorted(td)  # keys sorted as ecspresso writes them
    for gone in ("taskDefinitionArn", "revision", "status", "compatibilities"):
        assert gone not in td
    assert "cpu" not in td["containerDefinitions"][0]  # the container cpu 0 default
    assert "mountPoints" not in td["containerDefinitions"][0]
    assert "deploymentController" not in sd and "schedulingStrategy" not in sd
    assert sd["desiredCount"] == 3
    assert "launchType" not in sd  # capacity providers instead

    # The written files compare equal, in plan's canonical forms, to the example's.
    written = load_config(target, LoadOptions())
    example = load_config(EXAMPLE, LoadOptions())
    assert canonical_task_definition(written.task_definition or {}) == canonical_task_definition(
        example.task_definition or {}
    )
    managed = managed_fields(written.service_definition or {})
    want = service_view(canonical_service(written.service_definition or {}), managed)
    assert want == service_view(canonical_service(example.service_definition or {}), managed)

    code, out, err = ecsplan("-c", str(target), "--state", str(deployed), "plan")
    assert code == 0, out + err
    assert "No changes" in out


def test_init_refuses_to_overwrite(deployed: Path, tmp_path: Path) -> None:
    target = tmp_path / "ecspresso.yml"
    (tmp_path / "ecs-task-def.json").write_text("{}")
    args = ("init", "--service", "spot-service", "--cluster", "my-cluster", "--config", str(target))
    code, out, err = ecsplan(*args)
    assert code == 1
    assert "ecs-task-def.json already exist; use --force to overwrite" in err
    assert not target.exists()
    code, out, err = ecsplan(*args, "--force")
    assert code == 0, out + err
    assert json.loads((tmp_path / "ecs-task-def.json").read_text())["family"] == "spot-service"


def test_init_of_a_missing_service(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.prepare([str(EXAMPLE)])
    target = tmp_path / "ecspresso.yml"
    code, _, err = ecsplan(
        "init", "--service", "nope", "--cluster", "my-cluster", "--config", str(target)
    )
    assert code == 1
    assert "service my-cluster/nope not found" in err


def test_init_of_a_blue_green_service_names_its_codedeploy_group(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A CODE_DEPLOY service gets a `codedeploy:` section (application and group found in
    CodeDeploy), and plan right after says No changes."""
    bg = Path(__file__).resolve().parents[2] / "examples" / "blue-green" / "ecspresso.yml"
    sandbox.prepare([str(bg)])
    code, out, err = ecsplan(
        "--state", str(tmp_path / "s"), "-c", str(bg), "deploy", "--timeout", "60s"
    )
    assert code == 0, out + err
    cfg = tmp_path / "init" / "ecspresso.yml"
    code, out, err = ecsplan(
        "-c", str(cfg), "init", "--service", "bg-service", "--cluster", "my-cluster"
    )
    assert code == 0, out + err
    doc = yaml.safe_load(cfg.read_text())
    assert doc["codedeploy"] == {
        "application_name": "myapp",
        "deployment_group_name": "myapp-group",
    }
    code, out, err = ecsplan(
        "--state", str(tmp_path / "s"), "-c", str(cfg), "plan", "--detailed-exitcode"
    )
    assert code == 0, out + err
