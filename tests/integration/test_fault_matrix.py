"""Fault matrix (issue 9): plan and apply keep working when the AWS side throttles or answers
503 on a share of calls, fail with a clear message when a write always fails, and finish on
`apply --resume` once the fault is gone. Retries are bounded and counted."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from helpers_cli import (
    EXAMPLES,
    all_entries,
    copy_example,
    describe_service,
    family_revisions,
    image_of,
    popen,
    requests,
    run_inproc,
    run_sub,
)

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration
TIMEOUT = ("--timeout", "90s")
FAULTS = {
    "throttle-30%": {"throttle_rate": 0.3},
    "503-10%": {"error_rate": 0.1},
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_rolling_deploy_survives(sandbox: Sandbox, tmp_path: Path, fault: str) -> None:
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT).code == 0
    sandbox.set_faults(**FAULTS[fault], seed=7)
    before = sum(requests(sandbox).values())
    r = run_sub(
        sandbox, [cfg], state, "plan", "--out", str(tmp_path / "p.json"), env={"IMAGE_TAG": "1.28"}
    )
    assert r.code == 0, r
    r = run_sub(
        sandbox,
        [cfg],
        state,
        "apply",
        str(tmp_path / "p.json"),
        *TIMEOUT,
        env={"IMAGE_TAG": "1.28"},
    )
    assert r.code == 0, r
    faulted = sum(sandbox.stats()["faults_injected"].values())
    assert faulted > 0  # the faults really happened...
    assert "AWS calls retried:" in r.stdout  # ...and the run says how many retries it made
    sandbox.set_faults()
    svc = describe_service(sandbox, "my-cluster", "myservice")
    assert svc is not None and image_of(sandbox, svc["taskDefinition"]) == "nginx:1.28"
    assert family_revisions(sandbox, "myservice") == [1, 2]  # no duplicate register
    assert sum(requests(sandbox).values()) - before < 200  # bounded: no retry storm


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_workspace_and_blue_green_survive(sandbox: Sandbox, tmp_path: Path, fault: str) -> None:
    import shutil

    ws_dir = tmp_path / "microservices"
    shutil.copytree(EXAMPLES / "microservices", ws_dir)
    bg = copy_example("blue-green", tmp_path)
    sandbox.prepare([str(ws_dir / "workspace.yml"), str(bg)])
    state = tmp_path / "state"
    sandbox.set_faults(**FAULTS[fault], seed=11)
    r = run_sub(
        sandbox, [], state, "-w", str(ws_dir / "workspace.yml"), "apply", "--auto-approve", *TIMEOUT
    )
    assert r.code == 0, r
    r = run_sub(sandbox, [bg], state, "deploy", *TIMEOUT)
    assert r.code == 0, r
    r = run_sub(sandbox, [bg], state, "deploy", *TIMEOUT, env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    assert sum(sandbox.stats()["faults_injected"].values()) > 0
    sandbox.set_faults()
    svc = describe_service(sandbox, "my-cluster", "bg-service")
    assert svc is not None and image_of(sandbox, svc["taskDefinition"]) == "nginx:1.28"


def test_write_that_always_fails_then_resume(sandbox: Sandbox, tmp_path: Path) -> None:
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT).code == 0
    sandbox.set_faults(error_rate=1.0, operations=["ecs:UpdateService"], seed=3)
    new = {"IMAGE_TAG": "1.28", "ECSPLAN_MAX_ATTEMPTS": "3"}
    before = requests(sandbox)
    r = run_sub(sandbox, [cfg], state, "deploy", *TIMEOUT, env=new)
    assert r.code == 1
    error = next(ln for ln in r.stderr.splitlines() if ln.startswith("Error:"))
    assert error.startswith(
        "Error: myservice failed: ecs:UpdateService my-cluster/myservice: AWS answered HTTP 503"
    ), r
    # bounded: 3 attempts of the failing call, not a storm
    assert requests(sandbox)["ecs:UpdateService"] - before.get("ecs:UpdateService", 0) == 3, (
        sandbox.stats(),
        r.stderr,
    )
    failures = [e for e in all_entries(state, "my-cluster", "myservice") if e["event"] == "failure"]
    assert failures and failures[-1]["kind"] == "update_service"  # the journal says where
    assert "503" in failures[-1]["error"]
    sandbox.set_faults()
    r = run_inproc([cfg], state, "apply", "--resume", *TIMEOUT, env=new)
    assert r.code == 0, r
    svc = describe_service(sandbox, "my-cluster", "myservice")
    assert svc is not None and image_of(sandbox, svc["taskDefinition"]) == "nginx:1.28"
    assert family_revisions(sandbox, "myservice") == [1, 2]
    outcomes = [
        e["data"].get("outcome")
        for e in all_entries(state, "my-cluster", "myservice")
        if e["event"] == "run_end"
    ]
    assert outcomes[-2:] == ["failed", "succeeded"], json.dumps(outcomes)


def test_resume_of_a_failed_run_suspends_auto_scaling_again(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The failed attempt resumed auto scaling (never left suspended); the resumed run
    suspends it again before deploying, and resumes it at the end."""
    cfg = copy_example("autoscaling", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    flags = ("--suspend-auto-scaling", "--resume-auto-scaling")
    env = {"IMAGE_TAG": "1.28", "ECSPLAN_MAX_ATTEMPTS": "2"}
    sandbox.set_faults(error_rate=1.0, operations=["ecs:UpdateService"], seed=5)
    r = run_sub(sandbox, [cfg], state, "deploy", *flags, *TIMEOUT, env=env)
    assert r.code == 1, r
    sandbox.set_faults()
    entries = all_entries(state, "my-cluster", "scaled-service")
    restores = [e for e in entries if e["event"] == "success" and e["step_id"].endswith(":restore")]
    assert len(restores) == 1  # the failure put scaling back as it was
    r = run_inproc([cfg], state, "apply", "--resume", *TIMEOUT, env=env)
    assert r.code == 0, r
    entries = all_entries(state, "my-cluster", "scaled-service")
    kinds = [e["kind"] for e in entries if e["event"] == "success" and ":" not in e["step_id"]]
    assert kinds.count("suspend_auto_scaling") == 2, kinds  # suspended again on resume
    assert kinds[-1] == "resume_auto_scaling"


def test_plan_under_heavy_faults_fails_with_one_clear_line(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """50% throttling and 20% 503 on every call: retries are bounded (2 attempts here), so
    the plan may give up; when it does, it says which call in one line (no traceback)."""
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT).code == 0
    sandbox.set_faults(throttle_rate=0.5, error_rate=0.2, seed=11)
    outcomes = set()
    for _ in range(4):
        r = run_sub(sandbox, [cfg], state, "plan", env={"ECSPLAN_MAX_ATTEMPTS": "2"})
        assert r.code in (0, 1), r
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r
        if r.code == 1:
            first = next(ln for ln in r.stderr.splitlines() if not ln.startswith("warning"))
            assert first.startswith("Error: "), r
            assert first.startswith("Error: ecs:") or first.startswith("Error: application-"), r
            assert "throttled by AWS after retries" in first or "AWS answered HTTP 503" in first
        outcomes.add(r.code)
    assert 1 in outcomes, "at 70% faults and 2 attempts per call some plan must give up"


def test_failed_read_during_apply_then_resume(sandbox: Sandbox, tmp_path: Path) -> None:
    """Reads while waiting for the rollout fail every time: after its bounded retries the
    apply fails at the wait step (exit 1, journaled), and `apply --resume` goes on from
    there: no second revision, no second UpdateService."""
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT).code == 0
    new = {"IMAGE_TAG": "1.28", "ECSPLAN_MAX_ATTEMPTS": "2"}
    before = requests(sandbox)
    old_runs = {e["run_id"] for e in all_entries(state, "my-cluster", "myservice")}

    def waiting() -> bool:
        return any(
            e["event"] == "begin" and e["kind"] == "wait_rollout" and e["run_id"] not in old_runs
            for e in all_entries(state, "my-cluster", "myservice")
        )

    sandbox.pause()
    try:
        proc = popen(sandbox, [cfg], state, "deploy", *TIMEOUT, env=new)
        deadline = time.monotonic() + 60
        while not waiting():
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        sandbox.set_faults(error_rate=1.0, operations=["ecs:DescribeServices"], seed=5)
        out, err = proc.communicate(timeout=90)
    finally:
        sandbox.set_faults()
        sandbox.resume()
    assert proc.returncode == 1, f"{out}\n{err}"
    assert "ecs:DescribeServices" in err and "apply --resume" in err, err
    failures = [e for e in all_entries(state, "my-cluster", "myservice") if e["event"] == "failure"]
    assert failures[-1]["kind"] == "wait_rollout"

    r = run_inproc([cfg], state, "apply", "--resume", *TIMEOUT, env=new)
    assert r.code == 0, r
    svc = describe_service(sandbox, "my-cluster", "myservice")
    assert svc is not None and image_of(sandbox, svc["taskDefinition"]) == "nginx:1.28"
    assert family_revisions(sandbox, "myservice") == [1, 2]
    after = requests(sandbox)
    for op in ("ecs:RegisterTaskDefinition", "ecs:UpdateService"):
        assert after[op] - before.get(op, 0) == 1, (op, sandbox.stats())
