"""Crash matrix of a workspace run (issue 16): the microservices example (database <- api <-
frontend) applied with a new image everywhere, killed with SIGKILL before, during and after
each service's steps (so at every dependency level), then continued.

`apply --resume` must finish the whole run: every service of the plan applied, the next
plan empty, no lock left (the dead run's are taken over, this host's process being gone),
and no write made twice (the sandbox's write log: one RegisterTaskDefinition per family,
one UpdateService per service). `rollback` after such a crash must undo every service the
run changed, leave none locked, and a rollback killed half-way finishes when run again.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import boto3
import pytest
from helpers_cli import Result, run_inproc
from helpers_crash import applied, kill_at, last_seq

from ecsplan_sandbox.server import Sandbox
from planner.state.local import LocalBackend

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("database", "api", "frontend")  # dependency order: one level each
NEW_TAGS = {"DATABASE_TAG": "16.4", "API_TAG": "2.4.61", "FRONTEND_TAG": "1.27.3"}
TIMEOUT = ("--timeout", "60s")
# before its first write / between its two writes / after its last step
POINTS = ("begin:register_task_definition", "after_call:update_service", "success:wait_rollout")
MATRIX = [f"{point}@{service}" for service in SERVICES for point in POINTS]


@pytest.fixture
def ws(sandbox: Sandbox, tmp_path: Path) -> Path:
    work = tmp_path / "microservices"
    shutil.copytree(ROOT / "examples" / "microservices", work)
    sandbox.prepare([str(work / "workspace.yml")])
    assert ecsplan(work / "workspace.yml", tmp_path / "state", "apply", "--auto-approve").code == 0
    return work / "workspace.yml"


def ecsplan(ws: Path, state: Path | str, *args: str, env: dict[str, str] | None = None) -> Result:
    return run_inproc([], state, "-w", str(ws), *args, *TIMEOUT, env=env)


def crash(sandbox: Sandbox, ws: Path, state: Path | str, at: str, *args: str) -> None:
    kill_at(sandbox, ws, state, at, *args, *TIMEOUT, env=NEW_TAGS)


def images() -> dict[str, str]:
    ecs = boto3.client("ecs")
    out = {}
    for name in SERVICES:
        svc = ecs.describe_services(cluster="my-cluster", services=[name])["services"][0]
        td = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
        out[name] = td["containerDefinitions"][0]["image"].rsplit(":", 1)[1]
    return out


@pytest.mark.parametrize("at", MATRIX)
def test_resume_finishes_the_whole_run(sandbox: Sandbox, ws: Path, tmp_path: Path, at: str) -> None:
    state = tmp_path / "state"
    since = last_seq(sandbox)
    crash(sandbox, ws, state, at, "apply", "--auto-approve")
    assert LocalBackend(state).locks(), "the killed run held its locks"

    r = ecsplan(ws, state, "apply", "--resume", env=NEW_TAGS)
    assert r.code == 0, r
    assert "took over the lock" in r.stderr
    for name in SERVICES:  # the summary names every service of the run
        assert f"\n{name}: ok" in "\n" + r.stdout, r
    assert "Apply complete: 3 service(s)." in r.stdout
    assert images() == {"database": "16.4", "api": "2.4.61", "frontend": "1.27.3"}
    assert LocalBackend(state).locks() == []
    assert ecsplan(ws, state, "plan", "--detailed-exitcode", env=NEW_TAGS).code == 0
    # no write twice: one revision per family, one UpdateService per service
    assert applied(sandbox, "ecs:RegisterTaskDefinition", "family", since) == Counter(SERVICES)
    assert applied(sandbox, "ecs:UpdateService", "service", since) == Counter(SERVICES)


@pytest.mark.parametrize("at", [f"after_call:update_service@{s}" for s in SERVICES])
def test_rollback_undoes_every_service_the_run_changed(
    sandbox: Sandbox, ws: Path, tmp_path: Path, at: str
) -> None:
    state = tmp_path / "state"
    before = images()
    crash(sandbox, ws, state, at, "apply", "--auto-approve")
    since = last_seq(sandbox)

    r = ecsplan(ws, state, "rollback", env=NEW_TAGS)
    assert r.code == 0, r
    reached = SERVICES[: SERVICES.index(at.rsplit("@", 1)[1]) + 1]
    for name in SERVICES[len(reached) :]:
        assert f"my-cluster/{name}: not started by run" in r.stderr, r
    assert images() == before
    assert LocalBackend(state).locks() == []
    assert ecsplan(ws, state, "plan", "--detailed-exitcode").code == 0  # the old inputs again
    assert applied(sandbox, "ecs:UpdateService", "service", since) == Counter(reached)
    # the run is undone: there is nothing left to resume
    r = ecsplan(ws, state, "apply", "--resume", env=NEW_TAGS)
    assert r.code == 1 and "nothing to resume" in r.stderr, r


def test_rollback_killed_halfway_finishes_when_run_again(
    sandbox: Sandbox, ws: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    before = images()
    assert ecsplan(ws, state, "apply", "--auto-approve", env=NEW_TAGS).code == 0
    kill_at(sandbox, ws, state, "after_call:update_service@api", "rollback", *TIMEOUT)

    r = ecsplan(ws, state, "rollback")
    assert r.code == 0, r
    assert images() == before
    assert LocalBackend(state).locks() == []
    assert ecsplan(ws, state, "plan", "--detailed-exitcode").code == 0


# --- what a resume refuses ------------------------------------------------------------------


def _writes(sandbox: Sandbox, since: int) -> list[str]:
    return [w.operation for w in sandbox.writes() if w.seq > since]


def test_resume_refuses_another_workspace_file_or_changed_inputs(
    sandbox: Sandbox, ws: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    crash(sandbox, ws, state, "after_call:update_service@api", "apply", "--auto-approve")
    since = last_seq(sandbox)
    other = ws.with_name("other.yml")
    other.write_text(ws.read_text())
    r = ecsplan(other, state, "apply", "--resume", env=NEW_TAGS)
    assert r.code == 1 and f"was made with -w {ws}, not -w {other}" in r.stderr, r
    r = ecsplan(ws, state, "apply", "--resume", env={**NEW_TAGS, "API_TAG": "2.4.62"})
    assert r.code == 1 and "made for other inputs" in r.stderr, r
    assert "restore them to resume it" in r.stderr
    r = run_inproc([ws.parent / "services/api/ecspresso.yml"], state, "apply", "--resume")
    assert r.code == 1 and "leave out my-cluster/database, my-cluster/frontend" in r.stderr, r
    assert _writes(sandbox, since) == []
    assert ecsplan(ws, state, "apply", "--resume", env=NEW_TAGS).code == 0  # the right one


def test_nothing_to_resume_says_to_apply_again(sandbox: Sandbox, ws: Path, tmp_path: Path) -> None:
    r = ecsplan(ws, tmp_path / "empty-state", "apply", "--resume")
    assert r.code == 1, r
    assert "nothing to resume" in r.stderr and f"ecsplan -w {ws} apply` again" in r.stderr, r


def test_locks_of_another_host_need_take_over_locks(
    sandbox: Sandbox, ws: Path, tmp_path: Path
) -> None:
    """The run died on another CI runner: its locks are taken over only when asked, and
    the refusal names the holder and the lock's age."""
    state = tmp_path / "state"
    crash(sandbox, ws, state, "begin:update_service@database", "apply", "--auto-approve")
    for lock in state.glob("*/lock.json"):
        info = json.loads(lock.read_text())
        lock.write_text(json.dumps({**info, "who": "ci@runner-7", "host_id": "elsewhere"}))
    since = last_seq(sandbox)
    r = ecsplan(ws, state, "apply", "--resume", env=NEW_TAGS)
    assert r.code == 1, r
    assert "locked by run" in r.stderr and "ci@runner-7, taken 20" in r.stderr, r
    assert "--take-over-locks" in r.stderr and _writes(sandbox, since) == []
    r = ecsplan(ws, state, "apply", "--resume", "--take-over-locks", env=NEW_TAGS)
    assert r.code == 0, r
    assert "held by ci@runner-7 on another host" in r.stderr
    assert LocalBackend(state).locks() == []
    assert images() == {"database": "16.4", "api": "2.4.61", "frontend": "1.27.3"}


def test_resume_from_s3_state_alone(sandbox: Sandbox, ws: Path, tmp_path: Path) -> None:
    """The whole run is in the S3 state: a resume on another machine (no local state at all)
    finishes it."""
    boto3.client("s3").create_bucket(
        Bucket="ecsplan-state", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    url = "s3://ecsplan-state/prod"
    crash(sandbox, ws, url, "begin:register_task_definition@api", "apply", "--auto-approve")
    shutil.rmtree(tmp_path / "state")  # the fixture's first apply: not on this "machine"
    r = ecsplan(ws, url, "apply", "--resume", env=NEW_TAGS)
    assert r.code == 0, r
    assert "api, frontend to finish; database done" in r.stderr, r
    assert images() == {"database": "16.4", "api": "2.4.61", "frontend": "1.27.3"}
    assert not (tmp_path / "state").exists()
