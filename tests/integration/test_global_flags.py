"""ecspresso's global flags in any position, its env vars and defaults (issue 12).

Every line here is one an ecspresso user types: flags after the subcommand, ECSPRESSO_*
variables, `ecspresso.yml` found in the current directory. Bad flags fail before any AWS call.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers_cli import copy_example, ecsplan, run_inproc

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration


@pytest.fixture
def single(sandbox: Sandbox, tmp_path: Path) -> Path:
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([str(cfg)])
    return cfg


def _plan_json(*args: str, env: dict[str, str | None] | None = None) -> dict:
    r = ecsplan(*args, "--format", "json", env=env)
    assert r.code == 0, r
    doc = json.loads(r.stdout)
    doc.pop("created_at")
    return doc


def test_flags_after_the_subcommand_mean_the_same(single: Path, tmp_path: Path) -> None:
    """cli.go CLIOptions (kong v1.10.0): global flags are read before or after the subcommand."""
    state = str(tmp_path / "state")
    before = _plan_json("--config", str(single), "--state", state, "plan")
    after = _plan_json("plan", "--config", str(single), "--state", state)
    mixed = _plan_json("--state", state, "plan", "-c", str(single))
    assert before == after == mixed
    assert before["resource_changes"], "the plan should create the service"


def test_a_flag_twice_with_different_values_is_refused(sandbox: Sandbox, single: Path) -> None:
    r = ecsplan("--region", "us-east-1", "plan", "--config", str(single), "--region", "eu-west-1")
    assert r.code == 1
    assert r.stderr.splitlines()[0] == (
        "Error: --region given twice with different values: 'us-east-1' and 'eu-west-1'"
    )
    r = ecsplan("--timeout", "5m", "wait", "--config", str(single), "--timeout", "10m")
    assert r.code == 1 and "--timeout given twice" in r.stderr
    same = ecsplan(
        "--region", "ap-northeast-1", "validate", "-c", str(single), "--region=ap-northeast-1"
    )
    assert same.code == 0, same
    assert sandbox.stats()["total"] == 0  # nothing reached AWS


def test_unknown_flag_after_the_subcommand_is_one_line(sandbox: Sandbox, single: Path) -> None:
    r = ecsplan("deploy", "--config", str(single), "--no-such-flag")
    assert r.code == 1
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "--no-such-flag" in r.stderr
    assert sandbox.stats()["total"] == 0


def test_default_config_is_found_in_the_current_directory(
    single: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cli.go resolveConfigFilePath @v2.6.0: with the default `ecspresso.yml` absent, the first of
    ecspresso.yml, .yaml, .json, .jsonnet in the current directory is used."""
    work = single.parent
    shutil.move(str(single), str(work / "ecspresso.yaml"))  # ecspresso also tries .yaml/.json
    monkeypatch.chdir(work)
    r = ecsplan("validate")
    assert r.code == 0, r
    assert "ecspresso.yaml" in r.output


def test_ecspresso_env_vars(single: Path, tmp_path: Path) -> None:
    """cli.go CLIOptions @v2.6.0: ECSPRESSO_CONFIG (`--config`) and ECSPRESSO_TIMEOUT (`--timeout`,
    a Go duration) are read from the environment."""
    env: dict[str, str | None] = {
        "ECSPRESSO_CONFIG": str(single),
        "ECSPRESSO_TIMEOUT": "7m",
        "ECSPLAN_STATE": str(tmp_path / "state"),
    }
    plan = _plan_json("plan", env=env)
    assert plan["resource_changes"][0]["address"].endswith("myservice")
    r = ecsplan("plan", "--out", str(tmp_path / "p.json"), env=env)
    assert r.code == 0, r
    saved = json.loads((tmp_path / "p.json").read_text())
    assert saved["options"]["timeout_seconds"] == 420


def test_global_timeout_overrides_the_config(single: Path, tmp_path: Path) -> None:
    """cli.go CLIOptions.Timeout (`*time.Duration`) and config.go OverrideByCLIOptions: --timeout
    replaces the config's timeout; a value time.ParseDuration refuses is an error, exit 1."""
    out = tmp_path / "p.json"
    r = ecsplan("plan", "-c", str(single), "--timeout", "90s", "--out", str(out))
    assert r.code == 0, r
    assert json.loads(out.read_text())["options"]["timeout_seconds"] == 90
    bad = ecsplan("plan", "-c", str(single), "--timeout", "soon")
    assert bad.code == 1 and bad.stderr.startswith("Error: --timeout")


def test_version_command_and_help_command() -> None:
    v = ecsplan("version")
    assert v.code == 0 and v.stdout.startswith("ecsplan ")
    h = ecsplan("help")
    assert h.code == 0 and "deploy" in h.stdout


def test_debug_logs_each_aws_call_without_parameters(single: Path) -> None:
    """cli.go CLIOptions.Debug: debug lines on stderr (ecsplan's: each AWS call, never its
    parameters)."""
    r = ecsplan("plan", "--config", str(single), "--debug", env={"SECRET_TOKEN": "s3cr3t-value"})
    assert r.code == 0, r
    calls = [ln for ln in r.stderr.splitlines() if ln.startswith("debug: aws ")]
    assert "debug: aws ecs.DescribeServices -> 200" in calls
    assert "s3cr3t-value" not in r.output


def test_assume_role_arn(sandbox: Sandbox, single: Path, tmp_path: Path) -> None:
    """cli.go CLIOptions.AssumeRoleARN (`env:"ECSPRESSO_ASSUME_ROLE_ARN"`): every call runs as the
    assumed role (the sandbox's STS hands out its own keys)."""
    role = "arn:aws:iam::123456789012:role/deployer"
    r = ecsplan(
        "deploy", "--config", str(single), "--assume-role-arn", role, "--state", str(tmp_path / "s")
    )
    assert r.code == 0, r
    assert sandbox.stats()["requests"].get("sts:AssumeRole") == 1
    env = {"ECSPRESSO_ASSUME_ROLE_ARN": role, "ECSPLAN_STATE": str(tmp_path / "s")}
    again = ecsplan("status", "--config", str(single), env=env)
    assert again.code == 0, again
    assert sandbox.stats()["requests"].get("sts:AssumeRole") == 2
    assert os.environ.get("ECSPRESSO_ASSUME_ROLE_ARN") is None


def test_status_wait_and_tasks_do_not_render_the_definitions(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """As in ecspresso, commands that only read live state load the config alone: a
    `must_env` in the task definition does not have to be set for them (the guide's
    status-all.sh runs `status` without IMAGE_TAG); plan still needs it."""
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([str(cfg)])
    td = cfg.parent / "ecs-task-def.json"
    td.write_text(
        td.read_text().replace("{{ env `IMAGE_TAG` `1.27` }}", '{{ must_env "IMAGE_TAG" }}')
    )
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", env={"IMAGE_TAG": "1.27"}).code == 0
    unset = {"IMAGE_TAG": None}
    for args in (("status",), ("wait", "--timeout", "30s"), ("tasks",)):
        r = run_inproc([], None, *args, "--config", str(cfg), env=unset)
        assert r.code == 0, (args, r)
    r = run_inproc([], None, "plan", "--config", str(cfg), env=unset)
    assert r.code == 1
    assert "IMAGE_TAG" in r.stderr.splitlines()[0]
