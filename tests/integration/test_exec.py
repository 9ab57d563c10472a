"""`ecsplan exec` on the sandbox: the plugin is required before any AWS call, then it is run
with the ExecuteCommand session as the AWS CLI runs it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers_cli import ecsplan, fake_session_manager_plugin

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fargate-spot" / "ecspresso.yml"


def test_missing_plugin_is_an_error_before_any_aws_call(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no session-manager-plugin here
    code, _, err = ecsplan("-c", str(EXAMPLE), "exec", "--command", "ls")
    assert code == 1
    first = err.splitlines()[0]
    assert first.startswith("Error: exec needs session-manager-plugin, which is not on PATH")
    assert "session-manager-working-with-install-plugin" in first
    assert sandbox.stats()["total"] == 0


def test_exec_runs_the_plugin_with_the_session(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECSPLAN_POLL_INTERVAL", "0.02")
    sandbox.prepare([str(EXAMPLE)])
    code, out, err = ecsplan("-c", str(EXAMPLE), "--state", str(tmp_path / "state"), "deploy")
    assert code == 0, out + err

    args_file = fake_session_manager_plugin(tmp_path, monkeypatch, exit_code=7)

    code, out, err = ecsplan("-c", str(EXAMPLE), "exec", "--container", "web")
    assert code == 7, out + err  # the plugin's exit code
    assert "(1 of 3; choose one with --task)" in err
    session, region, op, profile, params, endpoint = args_file.read_text().splitlines()
    assert json.loads(session)["sessionId"].startswith("ecs-execute-command-")
    assert (region, op, profile, endpoint) == (
        "ap-northeast-1",
        "StartSession",
        "",
        os.environ["AWS_ENDPOINT_URL"],
    )
    target = json.loads(params)["Target"]
    assert target.startswith("ecs:my-cluster_")
    assert len(target.split("_")) == 3 and target.split("_")[2] != "None"
    assert sandbox.stats()["requests"]["ecs:ExecuteCommand"] == 1

    code, out, err = ecsplan("-c", str(EXAMPLE), "exec", "--container", "nope")
    assert code == 1
    assert "task has no container nope (it has: web)" in err
