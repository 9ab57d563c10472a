"""Crash matrix for the scaling and extras step kinds (issue 9): SIGKILL right after the AWS
call (before its outcome is journaled) and right after the success entry, then `apply
--resume`: the final state is the one an uninterrupted run reaches, and no write happened
twice (counted by the sandbox). register/create/update/wait are covered in
test_crash_resume.py, CodeDeploy in test_blue_green.py."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from helpers_cli import (
    copy_example,
    delta,
    requests,
    run_inproc,
    run_sub,
    scalable_target,
    writes_of,
)

from ecsplan_sandbox.server import Sandbox
from planner.state.local import LocalBackend

pytestmark = pytest.mark.integration
TIMEOUT = ("--timeout", "60s")


def _crash_and_resume(
    sandbox: Sandbox, cfg: Path, state: Path, at: str, *args: str, env: dict[str, str]
) -> None:
    r = run_sub(sandbox, [cfg], state, *args, env={**env, "ECSPLAN_TEST_CRASH_AT": at})
    assert r.code == -signal.SIGKILL, r
    (held,) = LocalBackend(state).locks()  # the dead run's lock, released as a user would
    assert run_inproc([cfg], state, "state", "unlock", held.id).code == 0
    r = run_inproc([cfg], state, "apply", "--resume", *TIMEOUT, env=env)
    assert r.code == 0, r


@pytest.mark.parametrize(
    "at",
    [
        f"{event}:{kind}"
        for kind in ("set_scaling_capacity", "put_scaling_policy", "put_metric_alarm")
        for event in ("after_call", "success")
    ],
)
def test_extras_steps(sandbox: Sandbox, tmp_path: Path, at: str) -> None:
    cfg = copy_example("managed-scaling", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    before = requests(sandbox)
    _crash_and_resume(sandbox, cfg, state, at, "deploy", *TIMEOUT, env={})
    writes = writes_of(delta(before, requests(sandbox)))
    # Re-registering a target or re-putting a policy/alarm is idempotent; only an
    # in-doubt step may run twice, never a completed one, and nothing else repeats.
    kind = at.split(":")[1]
    repeatable = {
        "set_scaling_capacity": "application-autoscaling:RegisterScalableTarget",
        "put_scaling_policy": "application-autoscaling:PutScalingPolicy",
        "put_metric_alarm": "monitoring:PutMetricAlarm",
    }[kind]
    expected = {
        "ecs:RegisterTaskDefinition": 1,
        "ecs:CreateService": 1,
        "application-autoscaling:RegisterScalableTarget": 1,
        "application-autoscaling:PutScalingPolicy": 1,
        "monitoring:PutMetricAlarm": 2,
    }
    if at.startswith("after_call"):
        expected[repeatable] += 1
    assert writes == expected, writes
    target = scalable_target(sandbox, "my-cluster", "managed-service")
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 10)
    r = run_inproc([cfg], state, "plan", "--detailed-exitcode")
    assert r.code == 0, r


@pytest.mark.parametrize(
    "at",
    [
        f"{event}:{kind}"
        for kind in ("suspend_auto_scaling", "resume_auto_scaling")
        for event in ("after_call", "success")
    ],
)
def test_suspend_resume_steps(sandbox: Sandbox, tmp_path: Path, at: str) -> None:
    cfg = copy_example("autoscaling", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    env = {"IMAGE_TAG": "1.28"}
    flags = ("--suspend-auto-scaling", "--resume-auto-scaling")
    before = requests(sandbox)
    _crash_and_resume(sandbox, cfg, state, at, "deploy", *flags, *TIMEOUT, env=env)
    writes = writes_of(delta(before, requests(sandbox)))
    assert writes["ecs:RegisterTaskDefinition"] == 1
    assert writes["ecs:UpdateService"] == 1
    # suspend + resume, plus at most the one in-doubt registration sent again
    extra = 1 if at.startswith("after_call") else 0
    assert writes["application-autoscaling:RegisterScalableTarget"] == 2 + extra, writes
    target = scalable_target(sandbox, "my-cluster", "scaled-service")
    assert not any(target["SuspendedState"].values()), target  # resumed in the end
