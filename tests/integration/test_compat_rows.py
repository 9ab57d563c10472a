"""Rows of docs/ecspresso-compat.md that no other test proved: each test follows the ecspresso
v2.6.0 source it names (litanyofmadness/ecspresso 27449f2) and runs the CLI against the
sandbox as a user would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import delta, plan_steps, requests, writes_of
from test_ops_support import active_revisions, client, deployed, ecsplan, example

pytestmark = pytest.mark.integration


def _single(sandbox: Any, tmp_path: Path) -> tuple[Path, Path]:
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    return cfg, state


def _wait_untils(plan_file: Path) -> list[str]:
    return [s["payload"]["until"] for s in plan_steps(plan_file) if s["kind"] == "wait_rollout"]


def _update_td(plan_file: Path) -> str:
    (update,) = [s for s in plan_steps(plan_file) if s["kind"] == "update_service"]
    return str(update["payload"]["service"]["taskDefinition"])


def test_ecspresso_debug_env_turns_on_debug_lines(sandbox: Any, tmp_path: Path) -> None:
    """cli.go CLIOptions.Debug (`env:"ECSPRESSO_DEBUG"`): the variable turns debug lines on
    (stderr) as --debug does; stdout does not change."""
    cfg, state = _single(sandbox, tmp_path)
    quiet = ecsplan([cfg], state, "status")
    loud = ecsplan([cfg], state, "status", env={"ECSPRESSO_DEBUG": "true"})
    assert quiet.code == loud.code == 0, loud
    assert "debug: aws ecs.DescribeServices -> 200" in loud.stderr.splitlines()
    assert "debug:" not in quiet.stderr
    strip = [line for line in loud.stdout.splitlines() if not line[:4].isdigit()]
    assert strip == [line for line in quiet.stdout.splitlines() if not line[:4].isdigit()]


def test_revision_wins_over_skip_task_definition_and_clashes_with_latest(
    sandbox: Any, tmp_path: Path
) -> None:
    """deploy.go taskDefinitionArnForDeploy: `--revision N` is checked first (its help says
    "when --skip-task-definition"), then --latest-task-definition, then
    --skip-task-definition; --revision with --latest-task-definition is
    ErrConflictOptions("revision and latest-task-definition are exclusive"), exit 1."""
    cfg, state = _single(sandbox, tmp_path)
    assert ecsplan([cfg], state, "deploy", env={"IMAGE_TAG": "1.28"}).code == 0
    assert active_revisions(sandbox, "myservice") == [1, 2]

    out = tmp_path / "p.json"
    r = ecsplan(
        [cfg], state, "plan", "--skip-task-definition", "--revision", "1", "--out", str(out)
    )
    assert r.code == 0, r
    assert _update_td(out).endswith("task-definition/myservice:1")

    client(sandbox, "ecs").deregister_task_definition(taskDefinition="myservice:2")
    latest = tmp_path / "latest.json"
    r = ecsplan(
        [cfg],
        state,
        "plan",
        "--skip-task-definition",
        "--latest-task-definition",
        "--out",
        str(latest),
    )
    assert r.code == 0, r  # the newest ACTIVE one is 1 now, not the running 2
    assert _update_td(latest).endswith("task-definition/myservice:1")

    before = requests(sandbox)
    clash = ecsplan([cfg], state, "deploy", "--revision", "1", "--latest-task-definition")
    assert clash.code == 1
    assert clash.stderr == "Error: revision and latest-task-definition are exclusive\n"
    assert delta(before, requests(sandbox)) == {}  # refused before any AWS call


def test_deploy_waits_until_deployed_by_default(sandbox: Any, tmp_path: Path) -> None:
    """deploy.go DeployOption @v2.6.0: `Wait bool default:"true" negatable:""` and
    `WaitUntil ... default:"deployed" enum:"stable,deployed"`: the rollout is waited for
    until deployed unless --wait-until stable; --no-wait does not wait; --wait is the
    default spelled out."""
    cfg, state = _single(sandbox, tmp_path)
    env = {"IMAGE_TAG": "1.28"}
    plans = {}
    for name, flags in {
        "default": [],
        "stable": ["--wait-until", "stable"],
        "no-wait": ["--no-wait"],
        "wait": ["--wait", "--wait-until", "deployed"],
    }.items():
        out = tmp_path / f"{name}.json"
        r = ecsplan([cfg], state, "plan", *flags, "--out", str(out), env=env)
        assert r.code == 0, r
        plans[name] = _wait_untils(out)
    assert plans == {
        "default": ["deployed"],
        "stable": ["stable"],
        "no-wait": [],
        "wait": ["deployed"],
    }
    r = ecsplan([cfg], state, "deploy", "--wait", env=env)
    assert r.code == 0, r
    assert "wait until service my-cluster/myservice is deployed" in r.stdout


def test_refresh_waits_until_deployed_and_scale_until_stable(sandbox: Any, tmp_path: Path) -> None:
    """refresh.go RefreshOption.DeployOption @v2.6.0 sets WaitUntil "deployed" and
    scale.go ScaleOption.DeployOption WaitUntil "stable"; both keep deploy's --[no-]wait."""
    cfg, state = _single(sandbox, tmp_path)
    refresh = ecsplan([cfg], state, "refresh", "--dry-run")
    assert refresh.code == 0, refresh
    assert "wait until service my-cluster/myservice is deployed" in refresh.stdout
    scale = ecsplan([cfg], state, "scale", "--tasks", "2", "--dry-run")
    assert scale.code == 0, scale
    assert "wait until service my-cluster/myservice is stable" in scale.stdout
    no_wait = ecsplan([cfg], state, "scale", "--tasks", "2", "--no-wait", "--dry-run")
    assert no_wait.code == 0, no_wait
    assert "wait until" not in no_wait.stdout
    before = requests(sandbox)
    done = ecsplan([cfg], state, "scale", "--tasks", "2", "--wait")
    assert done.code == 0, done
    assert writes_of(delta(before, requests(sandbox))) == {"ecs:UpdateService": 1}
    svc = client(sandbox, "ecs").describe_services(cluster="my-cluster", services=["myservice"])
    assert svc["services"][0]["desiredCount"] == svc["services"][0]["runningCount"] == 2


def test_rollback_takes_wait_and_no_wait(sandbox: Any, tmp_path: Path) -> None:
    """rollback.go RollbackOption: `Wait bool default:"true" negatable:""`, so both --wait and
    --no-wait are accepted. ecspresso refuses --no-wait while --deregister-task-definition
    (the default) is on; ecsplan deregisters right after UpdateService (docs: different)."""
    cfg, state = _single(sandbox, tmp_path)
    assert ecsplan([cfg], state, "deploy", env={"IMAGE_TAG": "1.28"}).code == 0
    waited = ecsplan([cfg], state, "rollback", "--dry-run", "--wait")
    assert waited.code == 0, waited
    assert "runs myservice:1 again" in waited.stdout
    quick = ecsplan([cfg], state, "rollback", "--dry-run", "--no-wait")
    assert quick.code == 0, quick
    assert "runs myservice:1 again" not in quick.stdout
    assert "deregister" in quick.stdout
    both = ecsplan([cfg], state, "rollback", "--wait", "--no-wait")
    assert both.code == 1 and "both forms given" in both.stderr


def test_run_watch_container_names_the_exit_code(sandbox: Any, tmp_path: Path) -> None:
    """run.go RunOption.WatchContainer and ecspresso.go DescribeTaskStatus: the exit code of
    the watched container decides; a name the task definition lacks is refused
    (run.go: "container %s not found in the task definition")."""
    cfg, state = _single(sandbox, tmp_path)
    ecs = client(sandbox, "ecs")
    td = ecs.describe_task_definition(taskDefinition="myservice:1")["taskDefinition"]
    web = td["containerDefinitions"][0]
    job = {**web, "name": "job", "image": "nginx:1.27-fail", "essential": False}
    job.pop("portMappings", None)
    keep = ("family", "executionRoleArn", "networkMode", "requiresCompatibilities", "cpu", "memory")
    arn = ecs.register_task_definition(
        **{k: td[k] for k in keep if k in td}, containerDefinitions=[web, job]
    )["taskDefinition"]["taskDefinitionArn"]
    ok = ecsplan([cfg], state, "run", "--task-definition", arn)
    assert ok.code == 0, ok
    watched = ecsplan([cfg], state, "run", "--task-definition", arn, "--watch-container", "job")
    assert watched.code == 1, watched
    assert "job" in watched.stderr.splitlines()[-1]
    missing = ecsplan([cfg], state, "run", "--task-definition", arn, "--watch-container", "nope")
    assert missing.code == 1 and "--watch-container nope: not in" in missing.stderr


def test_render_prints_secretsmanager_arn_values(sandbox: Any, tmp_path: Path) -> None:
    """secretsmanager/funcs.go FuncMap `secretsmanager_arn` returns DescribeSecret's ARN and
    render.go prints it as is (an ARN is a reference, not a secret); the secret's value is
    never read."""
    sandbox.prepare([])
    arn = client(sandbox, "secretsmanager").create_secret(Name="app/token", SecretString="pw")[
        "ARN"
    ]
    cfg = example("single-service", tmp_path)
    td_path = cfg.parent / "ecs-task-def.json"
    td = json.loads(td_path.read_text())
    td["containerDefinitions"][0]["secrets"] = [
        {"name": "APP_TOKEN", "valueFrom": "{{ secretsmanager_arn `app/token` }}"}
    ]
    td_path.write_text(json.dumps(td, indent=2))
    r = ecsplan([cfg], tmp_path / "state", "render", "taskdef")
    assert r.code == 0, r
    rendered = json.loads(r.stdout)
    assert rendered["containerDefinitions"][0]["secrets"] == [
        {"name": "APP_TOKEN", "valueFrom": arn}
    ]
    assert sandbox.stats()["requests"].get("secretsmanager:GetSecretValue", 0) == 0
