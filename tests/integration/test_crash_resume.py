"""Crash and interrupt tests of apply (issue 5): SIGKILL at every journal boundary, then resume.

The apply runs in a subprocess with ECSPLAN_TEST_CRASH_AT=<begin|after_call|success>:<step kind>,
which makes it SIGKILL itself right after writing that journal entry (after_call: right after
the AWS call returned, before its outcome was journaled). `apply --resume` must then
reach the same final state as an uninterrupted run: the service on the new revision, exactly one
new task definition revision, no step succeeding twice, and no repeated AWS side effect in the
sandbox's call counters. SIGINT during the rollout wait must leave a resumable journal.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import (
    EXAMPLES,
    all_entries,
    delta,
    describe_service,
    family_revisions,
    image_of,
    popen,
    requests,
    revision_of,
    run_end_outcomes,
    run_inproc,
    run_sub,
    writes_of,
)

from ecsplan_sandbox.server import Sandbox
from planner.state.local import LocalBackend

pytestmark = pytest.mark.integration

SINGLE = EXAMPLES / "single-service" / "ecspresso.yml"
CLUSTER = "my-cluster"
SERVICE = "myservice"
KEY = f"{CLUSTER}/{SERVICE}"
TIMEOUT = ("--timeout", "60s")
NEW = {"IMAGE_TAG": "1.28"}

BOUNDARIES = [
    f"{event}:{kind}"
    for kind in ("register_task_definition", "{service_write}", "wait_rollout")
    for event in ("begin", "success")
] + [
    # The AWS call happened but its outcome never reached the journal: resume must adopt it
    # (by the run tags on the revision, by the live service), not repeat it.
    f"after_call:{kind}"
    for kind in ("register_task_definition", "{service_write}")
]


def _boundaries(service_write: str) -> list[str]:
    return [b.format(service_write=service_write) for b in BOUNDARIES]


def _run_ids(state: Path) -> list[str]:
    seen: list[str] = []
    for e in all_entries(state, CLUSTER, SERVICE):
        if e["run_id"] not in seen:
            seen.append(e["run_id"])
    return seen


def _check_journal(state: Path, runs_before: int) -> list[dict[str, Any]]:
    """Entries of the runs made since `runs_before`; no (run, step) succeeded twice."""
    new_runs = set(_run_ids(state)[runs_before:])
    entries = [e for e in all_entries(state, CLUSTER, SERVICE) if e["run_id"] in new_runs]
    per_step: dict[tuple[str, str], int] = {}
    for e in entries:
        if e.get("event") == "success":
            k = (e["run_id"], e["step_id"])
            per_step[k] = per_step.get(k, 0) + 1
    assert all(n == 1 for n in per_step.values()), per_step
    # and no step kind succeeded in two different runs (a resume that started over)
    kinds = [e["kind"] for e in entries if e.get("event") == "success"]
    assert len(kinds) == len(set(kinds)), kinds
    return entries


def _check_final(sandbox: Sandbox, revision: int, image: str) -> None:
    svc = describe_service(sandbox, CLUSTER, SERVICE)
    assert svc is not None
    assert revision_of(svc["taskDefinition"]) == revision
    assert image_of(sandbox, svc["taskDefinition"]) == image
    assert svc["desiredCount"] == 3 and svc["runningCount"] == 3
    primary = [d for d in svc["deployments"] if d["status"] == "PRIMARY"]
    assert len(primary) == 1 and primary[0]["rolloutState"] == "COMPLETED", svc["deployments"]
    assert primary[0]["taskDefinition"] == svc["taskDefinition"]


def _crash(sandbox: Sandbox, state: Path, at: str, *args: str) -> None:
    """Run until the hook kills the process; then release its lock as a user would."""
    r = run_sub(sandbox, [SINGLE], state, *args, env={**NEW, "ECSPLAN_TEST_CRASH_AT": at})
    assert r.code == -signal.SIGKILL, r
    last = all_entries(state, CLUSTER, SERVICE)[-1]
    event, kind = at.split(":")
    event = "begin" if event == "after_call" else event  # the outcome was never written
    assert (last["event"], last["kind"]) == (event, kind), last
    # The dead run's lock stays; its process is gone, so the resume on this host takes it over.
    (held,) = LocalBackend(state).locks()
    assert held.run_id == last["run_id"]
    assert held.pid is not None


def _resume(state: Path) -> None:
    held = LocalBackend(state).locks()
    r = run_inproc([SINGLE], state, "apply", "--resume", *TIMEOUT, env=NEW)
    assert r.code == 0, r
    for lock in held:  # a killed run's lock is taken over, and said so
        assert f"took over the lock of {KEY} left by run {lock.run_id}" in r.stderr, r
    assert LocalBackend(state).locks() == []


@pytest.mark.slow
@pytest.mark.parametrize("at", _boundaries("update_service"))
def test_image_update_killed_then_resumed(sandbox: Sandbox, tmp_path: Path, at: str) -> None:
    state = tmp_path / "state"
    sandbox.prepare([SINGLE])
    assert run_inproc([SINGLE], state, "deploy", *TIMEOUT).code == 0
    r = run_inproc([SINGLE], state, "plan", "--out", str(tmp_path / "p.json"), env=NEW)
    assert r.code == 0, r
    runs_before = len(_run_ids(state))
    before = requests(sandbox)

    _crash(sandbox, state, at, "apply", str(tmp_path / "p.json"), *TIMEOUT)
    _resume(state)

    _check_final(sandbox, revision=2, image="nginx:1.28")
    assert family_revisions(sandbox, SERVICE) == [1, 2]
    writes = writes_of(delta(before, requests(sandbox)))
    assert writes == {"ecs:RegisterTaskDefinition": 1, "ecs:UpdateService": 1}, writes
    entries = _check_journal(state, runs_before)
    assert run_end_outcomes(entries)[-1] == "succeeded"
    # a later plan agrees that nothing is left to do
    r = run_inproc([SINGLE], state, "plan", "--detailed-exitcode", env=NEW)
    assert r.code == 0, r


@pytest.mark.slow
@pytest.mark.parametrize("at", _boundaries("create_service"))
def test_create_killed_then_resumed(sandbox: Sandbox, tmp_path: Path, at: str) -> None:
    state = tmp_path / "state"
    sandbox.prepare([SINGLE])
    before = requests(sandbox)

    _crash(sandbox, state, at, "apply", "--auto-approve", *TIMEOUT)
    _resume(state)

    _check_final(sandbox, revision=1, image="nginx:1.28")
    assert family_revisions(sandbox, SERVICE) == [1]
    writes = writes_of(delta(before, requests(sandbox)))
    assert writes == {"ecs:RegisterTaskDefinition": 1, "ecs:CreateService": 1}, writes
    entries = _check_journal(state, 0)
    assert run_end_outcomes(entries)[-1] == "succeeded"


def test_resume_with_nothing_to_resume_says_so(sandbox: Sandbox, tmp_path: Path) -> None:
    state = tmp_path / "state"
    sandbox.prepare([SINGLE])
    assert run_inproc([SINGLE], state, "deploy", *TIMEOUT).code == 0
    before = requests(sandbox)
    r = run_inproc([SINGLE], state, "apply", "--resume", *TIMEOUT)
    assert r.code == 1, r
    assert "nothing to resume" in r.stderr, r
    assert writes_of(delta(before, requests(sandbox))) == {}


def _wait_for(pred: Callable[[], bool], what: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not pred():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"process ended before {what}: {proc.returncode}\n{out}\n{err}")
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_sigint_during_rollout_wait_leaves_a_resumable_journal(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    sandbox.prepare([SINGLE])
    assert run_inproc([SINGLE], state, "deploy", *TIMEOUT).code == 0
    r = run_inproc([SINGLE], state, "plan", "--out", str(tmp_path / "p.json"), env=NEW)
    assert r.code == 0, r
    runs_before = len(_run_ids(state))
    before = requests(sandbox)

    old_runs = set(_run_ids(state))

    def waiting() -> bool:
        return any(
            e["event"] == "begin" and e["kind"] == "wait_rollout" and e["run_id"] not in old_runs
            for e in all_entries(state, CLUSTER, SERVICE)
        )

    sandbox.pause()  # the rollout stays in progress until we resume the clock
    try:
        proc = popen(sandbox, [SINGLE], state, "apply", str(tmp_path / "p.json"), *TIMEOUT, env=NEW)
        _wait_for(waiting, "the wait_rollout begin entry", proc)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        sandbox.resume()
    assert proc.returncode not in (0, -signal.SIGINT), f"{proc.returncode}\n{out}\n{err}"
    assert "--resume" in err, err
    entries = all_entries(state, CLUSTER, SERVICE)
    assert run_end_outcomes(entries)[-1] == "interrupted", entries[-3:]
    assert LocalBackend(state).locks() == []  # the interrupted run released its lock

    _resume(state)
    _check_final(sandbox, revision=2, image="nginx:1.28")
    assert family_revisions(sandbox, SERVICE) == [1, 2]
    writes = writes_of(delta(before, requests(sandbox)))
    assert writes == {"ecs:RegisterTaskDefinition": 1, "ecs:UpdateService": 1}, writes
    _check_journal(state, runs_before)
