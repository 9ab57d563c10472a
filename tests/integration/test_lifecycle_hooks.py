"""PAUSE lifecycle hooks of ECS-native deployments through the CLI, on the sandbox
(examples/ecs-blue-green-pause: BLUE_GREEN, a PAUSE hook at POST_TEST_TRAFFIC_SHIFT).

What a user sees: `deploy --wait-until paused` returns at the hook, `continue` finishes the
deployment (next plan: No changes), `wait --wait-until ecs:STAGE` returns at that stage,
`continue` with nothing paused is ecspresso's error line, and a deploy waiting for the end
says once that it is paused and how to go on. Live state is read with plain boto3.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import Result, client, copy_example, image_of, run_inproc

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

CLUSTER, SERVICE = "my-cluster", "web-pause"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


def _created(sandbox: Sandbox, state: Path, tmp_path: Path, bake: int | None = None) -> Path:
    """The example (bake time changed if asked) created at nginx:1.27."""
    cfg = copy_example("ecs-blue-green-pause", tmp_path)
    if bake is not None:
        sd_path = cfg.parent / "ecs-service-def.json"
        sd = json.loads(sd_path.read_text())
        sd["deploymentConfiguration"]["bakeTimeInMinutes"] = bake
        sd_path.write_text(json.dumps(sd, indent=2))
    sandbox.prepare([str(cfg)])
    r = ecsplan(cfg, state, "deploy")
    assert r.code == 0, r
    return cfg


def ecsplan(cfg: Path, state: Path, *args: str, tag: str | None = None) -> Result:
    timeout = ("--timeout", "60s") if "--timeout" not in args else ()
    return run_inproc([cfg], state, *args, *timeout, env={"IMAGE_TAG": tag})


def _deployment(sandbox: Sandbox) -> dict[str, Any]:
    """The newest service deployment, as DescribeServiceDeployments reports it."""
    ecs = client(sandbox, "ecs")
    briefs = ecs.list_service_deployments(cluster=CLUSTER, service=SERVICE)["serviceDeployments"]
    arn = briefs[0]["serviceDeploymentArn"]
    (sd,) = ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"]
    return dict(sd)


def _service(sandbox: Sandbox) -> dict[str, Any]:
    ecs = client(sandbox, "ecs")
    return dict(ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0])


def test_deploy_until_paused_then_continue_finishes(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    """ecspresso wait.go waitServiceDeployment with deploymentPaused: returns when a PAUSE
    hook is AWAITING_ACTION; continue.go Continue: CONTINUE, then wait until deployed."""
    cfg = _created(sandbox, state, tmp_path)
    r = ecsplan(cfg, state, "deploy", "--wait-until", "paused", tag="1.28")
    assert r.code == 0, r
    sd = _deployment(sandbox)
    assert (sd["status"], sd["lifecycleStage"]) == ("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT")
    assert [h["status"] for h in sd["lifecycleHookDetails"]] == ["AWAITING_ACTION"]
    assert len(_service(sandbox)["deployments"]) == 2  # blue still serves next to green

    c = ecsplan(cfg, state, "continue")
    assert c.code == 0, c
    hook = sd["lifecycleHookDetails"][0]["hookId"]
    name = sd["serviceDeploymentArn"].rsplit("/", 1)[-1]
    assert f"web-pause: continued deployment {name} at hook {hook}" in c.stderr
    assert c.stdout == ""  # continue.go only logs (stderr), as ecspresso
    svc = _service(sandbox)
    (only,) = svc["deployments"]
    assert only["rolloutState"] == "COMPLETED"
    assert image_of(sandbox, svc["taskDefinition"]) == "nginx:1.28"
    assert _deployment(sandbox)["status"] == "SUCCESSFUL"

    plan = ecsplan(cfg, state, "plan", "--detailed-exitcode", tag="1.28")
    assert plan.code == 0, plan
    assert "No changes" in plan.stdout


def test_wait_until_an_ecs_stage_and_continue_without_a_pause(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    """ecspresso wait.go WaitServiceDeployLifecycleStage: done once lifecycleStage's position
    reaches the target; continue.go Continue: `no paused lifecycle hook found in deployment
    NAME` when the active deployment has no hook awaiting action."""
    cfg = _created(sandbox, state, tmp_path, bake=1440)  # 1440 ticks: still baking at the end
    assert ecsplan(cfg, state, "deploy", "--wait-until", "paused", tag="1.28").code == 0
    c = ecsplan(cfg, state, "continue", "--no-wait")
    assert c.code == 0, c

    w = ecsplan(cfg, state, "wait", "--wait-until", "ecs:BAKE_TIME")
    assert w.code == 0, w
    assert "web-pause: ecs:BAKE_TIME" in w.stdout
    sd = _deployment(sandbox)
    assert (sd["status"], sd["lifecycleStage"]) == ("IN_PROGRESS", "BAKE_TIME")

    again = ecsplan(cfg, state, "continue")
    name = sd["serviceDeploymentArn"].rsplit("/", 1)[-1]
    assert again.code == 1, again
    assert again.stderr.splitlines()[0] == (
        f"Error: no paused lifecycle hook found in deployment {name}"
    )


def test_continue_with_no_deployment_in_progress(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    """ecspresso continue.go Continue: findActiveECSDeploymentArn finds no IN_PROGRESS
    service deployment -> `no active deployment found`, exit 1."""
    cfg = _created(sandbox, state, tmp_path)
    before = sandbox.write_calls()
    r = ecsplan(cfg, state, "continue")
    assert r.code == 1, r
    assert r.stderr.splitlines()[0] == "Error: no active deployment found"
    assert sandbox.write_calls() == before


def test_deploy_until_deployed_says_once_that_it_is_paused(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    """ecspresso wait.go waitServiceDeployment (no done func) keeps polling a paused
    deployment until the timeout; ecsplan does too, and says once where it is paused and
    how to go on, and its timeout line says so again."""
    cfg = _created(sandbox, state, tmp_path)
    r = ecsplan(cfg, state, "deploy", "--timeout", "2s", tag="1.28")
    assert r.code == 1, r
    sd = _deployment(sandbox)
    hook = sd["lifecycleHookDetails"][0]["hookId"]
    notice = (
        f"web-pause: the deployment is paused at lifecycle hook {hook} at stage "
        "POST_TEST_TRAFFIC_SHIFT; resume it with `ecsplan continue`"
    )
    assert sum(notice in line for line in r.stderr.splitlines()) == 1, r
    assert "it is paused at a lifecycle hook: ecsplan continue" in r.stderr
    assert sd["status"] == "IN_PROGRESS"


def test_wait_until_paused_on_a_rolling_service_waits_for_the_end(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    """ecspresso wait.go waitServiceDeployment: a ROLLING deployment never pauses; it warns
    and falls back to waiting for the deployment to complete."""
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([str(cfg)])
    assert run_inproc([cfg], state, "deploy", "--timeout", "60s").code == 0
    r = run_inproc(
        [cfg],
        state,
        "deploy",
        "--wait-until",
        "paused",
        "--timeout",
        "60s",
        env={"IMAGE_TAG": "1.28"},
    )
    assert r.code == 0, r
    assert "--wait-until paused is not effective for rolling deployments" in r.stderr


def test_rollback_of_a_deployment_paused_at_a_hook(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    """ecspresso rollback.go rollbackActiveECSDeployment: a deployment paused at a lifecycle
    hook is rolled back with ContinueServiceDeployment action ROLLBACK, not a new deployment
    (which would pause at the same hook again); ecsplan's journal rollback does the same."""
    cfg = _created(sandbox, state, tmp_path)
    before = _service(sandbox)["taskDefinition"]
    assert ecsplan(cfg, state, "deploy", "--wait-until", "paused", tag="1.28").code == 0
    sd = _deployment(sandbox)
    r = ecsplan(cfg, state, "rollback")
    assert r.code == 0, r
    hook = sd["lifecycleHookDetails"][0]["hookId"]
    name = sd["serviceDeploymentArn"].rsplit("/", 1)[-1]
    assert f"roll back service deployment {name} paused at hook {hook}" in r.stdout
    assert "Plan: 0 to register, 1 to update," in r.stdout
    continued = [w.params for w in sandbox.writes("ecs:ContinueServiceDeployment")]
    assert [p["action"] for p in continued] == ["ROLLBACK"]
    assert not sandbox.writes("ecs:UpdateService")[1:]  # only the deploy's UpdateService
    svc = _service(sandbox)
    assert svc["taskDefinition"] == before
    assert [d["rolloutState"] for d in svc["deployments"]] == ["COMPLETED"]
    (rolled,) = client(sandbox, "ecs").describe_service_deployments(
        serviceDeploymentArns=[sd["serviceDeploymentArn"]]
    )["serviceDeployments"]
    assert rolled["status"] == "ROLLBACK_SUCCESSFUL"


def test_deploy_until_a_stage_and_wait_until_paused(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    """ecspresso deploy.go/wait.go: `deploy --wait-until ecs:STAGE` returns once
    lifecycleStage's position reaches STAGE (WaitServiceDeployLifecycleStage); `wait
    --wait-until paused` returns when a PAUSE hook awaits action (deploymentPaused)."""
    cfg = _created(sandbox, state, tmp_path)
    r = ecsplan(cfg, state, "deploy", "--wait-until", "ecs:TEST_TRAFFIC_SHIFT", tag="1.28")
    assert r.code == 0, r
    assert _deployment(sandbox)["status"] == "IN_PROGRESS"
    w = ecsplan(cfg, state, "wait", "--wait-until", "paused")
    assert w.code == 0, w
    assert "web-pause: paused" in w.stdout
    sd = _deployment(sandbox)
    assert [h["status"] for h in sd["lifecycleHookDetails"]] == ["AWAITING_ACTION"]
