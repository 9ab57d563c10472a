"""ECS built-in blue/green, linear and canary deployments through ecsplan on the sandbox.

The sandbox runs these strategies in stages (scale up next to the old revision, traffic
shifts, one tick per bake minute, clean-up); the tests check what a user sees: the plan's
deployment type, the exit code and message, and the live service read with plain boto3.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import (
    Result,
    copy_example,
    describe_service,
    image_of,
    popen,
    revision_of,
    run_inproc,
)

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

CLUSTER, SERVICE = "my-cluster", "web-bg"
TIMEOUT = ("--timeout", "60s")


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


def _set_strategy(cfg: Path, **conf: Any) -> None:
    sd_path = cfg.parent / "ecs-service-def.json"
    sd = json.loads(sd_path.read_text())
    sd["deploymentConfiguration"].update(conf)
    sd_path.write_text(json.dumps(sd, indent=2))


def _deployed(sandbox: Sandbox, state: Path, tmp_path: Path, **conf: Any) -> Path:
    """examples/ecs-blue-green (copied; strategy settings changed) created at nginx:1.27."""
    cfg = copy_example("ecs-blue-green", tmp_path)
    if conf:
        _set_strategy(cfg, **conf)
    sandbox.prepare([str(cfg)])
    r = deploy(cfg, state)
    assert r.code == 0, r
    return cfg


def deploy(cfg: Path, state: Path, *flags: str, tag: str | None = None) -> Result:
    return run_inproc([cfg], state, "deploy", *TIMEOUT, *flags, env={"IMAGE_TAG": tag})


def live(sandbox: Sandbox) -> dict[str, Any]:
    svc = describe_service(sandbox, CLUSTER, SERVICE)
    assert svc is not None
    return svc


def messages(sandbox: Sandbox) -> list[str]:
    """Service events, oldest first."""
    return [e["message"] for e in reversed(live(sandbox)["events"])]


def wait_for(cond: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Poll live state (the limit only bounds a broken sandbox; no timing is asserted)."""
    end = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.02)


def _completed_alone(svc: dict[str, Any], td: str) -> bool:
    deps = svc["deployments"]
    return (
        len(deps) == 1
        and deps[0]["rolloutState"] == "COMPLETED"
        and deps[0]["taskDefinition"] == td
        and deps[0]["runningCount"] == svc["desiredCount"]
    )


# --- plan ----------------------------------------------------------------------------------


def test_plan_shows_the_strategy(sandbox: Sandbox, state: Path, tmp_path: Path) -> None:
    cfg = _deployed(sandbox, state, tmp_path)
    md = run_inproc([cfg], state, "plan", "--format", "markdown", env={"IMAGE_TAG": "1.28"})
    assert md.code == 0, md
    (row,) = [line for line in md.stdout.splitlines() if line.startswith("| `my-cluster/web-bg`")]
    assert row.rstrip(" |").endswith("blue_green"), row
    js = run_inproc([cfg], state, "plan", "--format", "json", env={"IMAGE_TAG": "1.28"})
    assert js.code == 0, js
    (svc,) = json.loads(js.stdout)["services"]
    assert svc["summary"]["deployment"] == "blue_green"
    kinds = [s["kind"] for s in svc["steps"]]
    assert kinds == ["register_task_definition", "update_service", "wait_rollout"]


# --- blue/green ----------------------------------------------------------------------------


def test_blue_green_waits_through_the_bake_and_completes(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    cfg = _deployed(sandbox, state, tmp_path)
    td1 = live(sandbox)["taskDefinition"]
    sandbox.pause()
    proc = popen(sandbox, [cfg], state, "deploy", *TIMEOUT, env={"IMAGE_TAG": "1.28"})
    try:
        wait_for(lambda: live(sandbox)["taskDefinition"] != td1, "UpdateService")
        # Step to the bake time: the green revision runs fully next to blue, still IN_PROGRESS.
        for _ in range(50):
            if any("bake time of 2 minute(s) started" in m for m in messages(sandbox)):
                break
            sandbox.step(1)
        svc = live(sandbox)
        green, blue = svc["deployments"]
        assert (green["status"], green["rolloutState"]) == ("PRIMARY", "IN_PROGRESS")
        assert green["runningCount"] == 2 and blue["runningCount"] == 2
        assert blue["taskDefinition"] == td1
        assert proc.poll() is None  # ecsplan is still waiting through the bake
        sandbox.resume()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, (out, err)
    svc = live(sandbox)
    assert _completed_alone(svc, svc["taskDefinition"]), svc["deployments"]
    assert image_of(sandbox, svc["taskDefinition"]) == "nginx:1.28"
    events = messages(sandbox)
    hook = "web-bg-smoke-test succeeded at stage POST_TEST_TRAFFIC_SHIFT"
    order = [
        "shifted test traffic",
        hook,
        "shifted 100% of production traffic",
        "bake time of 2 minute(s) started",
        "deployment completed",
    ]
    positions = [max(i for i, m in enumerate(events) if key in m) for key in order]
    assert positions == sorted(positions), events

    again = run_inproc([cfg], state, "plan", "--detailed-exitcode", env={"IMAGE_TAG": "1.28"})
    assert again.code == 0, again
    assert "No changes" in again.stdout


@pytest.mark.parametrize(
    "conf,shifts",
    [
        (
            {
                "strategy": "CANARY",
                "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 1},
            },
            ["10%", "100%"],
        ),
        (
            {
                "strategy": "LINEAR",
                "linearConfiguration": {"stepPercent": 50.0, "stepBakeTimeInMinutes": 1},
            },
            ["50%", "100%"],
        ),
    ],
    ids=["canary", "linear"],
)
def test_canary_and_linear_shift_in_steps(
    sandbox: Sandbox, state: Path, tmp_path: Path, conf: dict[str, Any], shifts: list[str]
) -> None:
    cfg = _deployed(sandbox, state, tmp_path, bakeTimeInMinutes=1, **conf)
    r = deploy(cfg, state, tag="1.28")
    assert r.code == 0, r
    svc = live(sandbox)
    assert _completed_alone(svc, svc["taskDefinition"]), svc["deployments"]
    assert image_of(sandbox, svc["taskDefinition"]) == "nginx:1.28"
    seen = [m.split("shifted ")[1].split(" ")[0] for m in messages(sandbox) if "% of prod" in m]
    assert seen == shifts
    assert svc["deploymentConfiguration"]["strategy"] == conf["strategy"]

    again = run_inproc([cfg], state, "plan", "--detailed-exitcode", env={"IMAGE_TAG": "1.28"})
    assert again.code == 0, again


def test_failing_image_rolls_back_to_blue_and_exits_1(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    cfg = _deployed(sandbox, state, tmp_path)
    td1 = live(sandbox)["taskDefinition"]
    r = deploy(cfg, state, tag="1.28-fail")
    assert r.code == 1, r
    (error,) = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    # Either "deployment failed (ECS deployment circuit breaker: ...)" or, when the quick
    # rollback to blue already removed the failed deployment, "the deployment of web-bg:2 was
    # rolled back"; both name the revision ECS went back to.
    assert f"ECS rolled back to web-bg:{revision_of(td1)}" in error, error
    wait_for(lambda: _completed_alone(live(sandbox), td1), "the rollback to complete")
    svc = live(sandbox)
    assert svc["taskDefinition"] == td1
    assert image_of(sandbox, td1) == "nginx:1.27"
