"""`ecsplan apply / deploy / rollback` against the sandbox (issue 5 acceptance).

Outcomes are checked the way a user would: exit codes, messages, the live service and task
definitions read with plain boto3, the journal, and the sandbox's call counters.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from helpers_cli import (
    EXAMPLES,
    Result,
    all_entries,
    client,
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
    scalable_target,
    successes_per_step,
    writes_of,
)

from ecsplan_sandbox.server import Sandbox
from planner.state.local import LocalBackend

pytestmark = pytest.mark.integration

SINGLE = EXAMPLES / "single-service" / "ecspresso.yml"
AUTOSCALING = EXAMPLES / "autoscaling" / "ecspresso.yml"
CLUSTER = "my-cluster"
SERVICE = "myservice"
KEY = f"{CLUSTER}/{SERVICE}"
TIMEOUT = ("--timeout", "60s")  # a hung rollout fails the test instead of waiting 10m


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


def deploy(cfg: Path, state: Path, *flags: str, env: dict[str, str] | None = None) -> Result:
    return run_inproc([cfg], state, "deploy", *TIMEOUT, *flags, env=env)


def live(sandbox: Sandbox, service: str = SERVICE) -> dict:
    svc = describe_service(sandbox, CLUSTER, service)
    assert svc is not None, f"service {service} not found"
    return svc


def primary_done(svc: dict) -> bool:
    deps = svc.get("deployments") or []
    prim = [d for d in deps if d.get("status") == "PRIMARY"]
    return len(prim) == 1 and prim[0].get("rolloutState") == "COMPLETED"


@pytest.fixture
def single(sandbox: Sandbox, state: Path) -> Path:
    """examples/single-service deployed at revision 1 (nginx:1.27, 3 tasks)."""
    sandbox.prepare([SINGLE])
    r = deploy(SINGLE, state)
    assert r.code == 0, r
    return SINGLE


# --- create, update, scale, no-op -------------------------------------------------------------


def test_apply_creates_a_new_service(sandbox: Sandbox, state: Path, tmp_path: Path) -> None:
    sandbox.prepare([SINGLE])
    r = run_inproc([SINGLE], state, "plan", "--out", str(tmp_path / "plan.json"))
    assert r.code == 0, r
    before = requests(sandbox)
    r = run_sub(sandbox, [SINGLE], state, "apply", str(tmp_path / "plan.json"))
    assert r.code == 0, r
    svc = live(sandbox)
    assert revision_of(svc["taskDefinition"]) == 1
    assert svc["desiredCount"] == 3 and svc["runningCount"] == 3
    assert primary_done(svc), svc["deployments"]
    assert family_revisions(sandbox, SERVICE) == [1]
    writes = writes_of(delta(before, requests(sandbox)))
    assert writes == {"ecs:RegisterTaskDefinition": 1, "ecs:CreateService": 1}
    entries = all_entries(state, CLUSTER, SERVICE)
    assert run_end_outcomes(entries) == ["succeeded"]
    assert all(n == 1 for n in successes_per_step(entries).values())
    tags = client(sandbox, "ecs").describe_task_definition(
        taskDefinition=svc["taskDefinition"], include=["TAGS"]
    )["tags"]
    assert {t["key"] for t in tags} >= {"ecsplan:run-id", "ecsplan:step-id"}


def test_apply_without_planfile_needs_approval(sandbox: Sandbox, state: Path) -> None:
    sandbox.prepare([SINGLE])
    before = requests(sandbox)
    # no terminal to ask on: refused, nothing written
    r = run_sub(sandbox, [SINGLE], state, "apply", *TIMEOUT)
    assert r.code == 1, r
    assert "--auto-approve" in r.stderr, r
    assert writes_of(delta(before, requests(sandbox))) == {}
    assert describe_service(sandbox, CLUSTER, SERVICE) is None
    r = run_inproc([SINGLE], state, "apply", "--auto-approve", *TIMEOUT)
    assert r.code == 0, r
    assert revision_of(live(sandbox)["taskDefinition"]) == 1


def test_apply_saved_plan_updates_the_image(
    sandbox: Sandbox, single: Path, state: Path, tmp_path: Path
) -> None:
    env = {"IMAGE_TAG": "1.28"}
    r = run_inproc([single], state, "plan", "--out", str(tmp_path / "p.json"), env=env)
    assert r.code == 0, r
    before = requests(sandbox)
    r = run_sub(sandbox, [single], state, "apply", str(tmp_path / "p.json"), env=env)
    assert r.code == 0, r
    svc = live(sandbox)
    assert revision_of(svc["taskDefinition"]) == 2
    assert image_of(sandbox, svc["taskDefinition"]) == "nginx:1.28"
    assert primary_done(svc), svc["deployments"]
    assert svc["runningCount"] == 3
    assert family_revisions(sandbox, SERVICE) == [1, 2]
    writes = writes_of(delta(before, requests(sandbox)))
    assert writes == {"ecs:RegisterTaskDefinition": 1, "ecs:UpdateService": 1}
    r = run_inproc([single], state, "plan", "--detailed-exitcode", env=env)
    assert r.code == 0 and "No changes" in r.stdout, r


def test_deploy_tasks_scales_without_a_new_revision(
    sandbox: Sandbox, single: Path, state: Path
) -> None:
    before = requests(sandbox)
    r = deploy(single, state, "--tasks", "1")
    assert r.code == 0, r
    svc = live(sandbox)
    assert svc["desiredCount"] == 1 and svc["runningCount"] == 1
    assert revision_of(svc["taskDefinition"]) == 1
    assert family_revisions(sandbox, SERVICE) == [1]
    assert writes_of(delta(before, requests(sandbox))) == {"ecs:UpdateService": 1}


def test_noop_deploy_writes_nothing_and_registers_no_revision(
    sandbox: Sandbox, single: Path, state: Path, tmp_path: Path
) -> None:
    runs_before = all_entries(state, CLUSTER, SERVICE)
    before = requests(sandbox)
    r = deploy(single, state)
    assert r.code == 0, r
    assert "No changes" in r.output
    r = run_inproc([single], state, "plan", "--out", str(tmp_path / "p.json"))
    r = run_sub(sandbox, [single], state, "apply", str(tmp_path / "p.json"))
    assert r.code == 0, r
    assert writes_of(delta(before, requests(sandbox))) == {}
    assert family_revisions(sandbox, SERVICE) == [1]
    assert revision_of(live(sandbox)["taskDefinition"]) == 1
    # and no journal entry claims a write happened
    new = all_entries(state, CLUSTER, SERVICE)[len(runs_before) :]
    assert not [e for e in new if e.get("event") in ("begin", "success")], new


# --- rollout failure --------------------------------------------------------------------------


def test_circuit_breaker_failure_exits_1_and_names_the_rolled_back_revision(
    sandbox: Sandbox, single: Path, state: Path
) -> None:
    r = run_sub(sandbox, [single], state, "deploy", *TIMEOUT, env={"IMAGE_TAG": "1.29-fail"})
    assert r.code == 1, r
    assert "myservice:1" in r.stderr, r
    assert "rolled back" in r.stderr.lower(), r
    first = r.stderr.strip().splitlines()
    assert any(ln.startswith("Error:") and "myservice:1" in ln for ln in first), r
    svc = live(sandbox)
    assert revision_of(svc["taskDefinition"]) == 1
    entries = all_entries(state, CLUSTER, SERVICE)
    assert run_end_outcomes(entries)[-1] == "failed"


def test_circuit_breaker_failure_resumes_suspended_auto_scaling(
    sandbox: Sandbox, state: Path
) -> None:
    sandbox.prepare([AUTOSCALING])
    before = scalable_target(sandbox, CLUSTER, "scaled-service")
    assert not any(before.get("SuspendedState", {}).values())
    r = run_sub(
        sandbox,
        [AUTOSCALING],
        state,
        "deploy",
        *TIMEOUT,
        "--suspend-auto-scaling",
        env={"IMAGE_TAG": "1.29-fail"},
    )
    assert r.code == 1, r
    assert "scaled-service:1" in r.stderr, r
    after = scalable_target(sandbox, CLUSTER, "scaled-service")
    assert after["SuspendedState"] == {
        "DynamicScalingInSuspended": False,
        "DynamicScalingOutSuspended": False,
        "ScheduledScalingSuspended": False,
    }, after
    assert (after["MinCapacity"], after["MaxCapacity"]) == (2, 10)
    assert revision_of(live(sandbox, "scaled-service")["taskDefinition"]) == 1


def test_suspend_and_resume_auto_scaling_around_a_good_deploy(
    sandbox: Sandbox, state: Path
) -> None:
    """deploy.go DeployOption.AutoScalingMin/Max and modifyAutoScaling: the scalable target gets
    the new capacity. With both --suspend- and --resume-auto-scaling ecsplan suspends for the
    rollout and resumes after it (the guide's use); ecspresso's ModifyAutoScalingParams would
    only suspend (docs: different)."""
    sandbox.prepare([AUTOSCALING])
    r = deploy(
        AUTOSCALING,
        state,
        "--suspend-auto-scaling",
        "--resume-auto-scaling",
        "--auto-scaling-min",
        "1",
        "--auto-scaling-max",
        "4",
        env={"IMAGE_TAG": "1.28"},
    )
    assert r.code == 0, r
    target = scalable_target(sandbox, CLUSTER, "scaled-service")
    assert not any(target["SuspendedState"].values()), target
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)
    svc = live(sandbox, "scaled-service")
    assert image_of(sandbox, svc["taskDefinition"]) == "nginx:1.28"


# --- refusing plans ---------------------------------------------------------------------------


def test_stale_plan_refused_after_desired_count_change(
    sandbox: Sandbox, single: Path, state: Path, tmp_path: Path
) -> None:
    r = run_inproc([single], state, "plan", "--tasks", "5", "--out", str(tmp_path / "p.json"))
    assert r.code == 0, r
    client(sandbox, "ecs").update_service(cluster=CLUSTER, service=SERVICE, desiredCount=2)
    before = requests(sandbox)
    r = run_sub(sandbox, [single], state, "apply", str(tmp_path / "p.json"), "--tasks", "5")
    assert r.code == 1, r
    assert "plan is stale" in r.stderr, r
    assert "myservice: desiredCount 3 -> 2" in r.stderr, r
    assert writes_of(delta(before, requests(sandbox))) == {}
    assert live(sandbox)["desiredCount"] == 2


def test_stale_plan_refused_after_a_new_deployment(
    sandbox: Sandbox, single: Path, state: Path, tmp_path: Path
) -> None:
    env = {"IMAGE_TAG": "1.28"}
    r = run_inproc([single], state, "plan", "--out", str(tmp_path / "p.json"), env=env)
    assert r.code == 0, r
    client(sandbox, "ecs").update_service(cluster=CLUSTER, service=SERVICE, forceNewDeployment=True)
    before = requests(sandbox)
    r = run_sub(sandbox, [single], state, "apply", str(tmp_path / "p.json"), env=env)
    assert r.code == 1, r
    assert r.stderr.startswith("Error: plan is stale: "), r
    assert "run plan again" in r.stderr
    assert writes_of(delta(before, requests(sandbox))) == {}
    assert family_revisions(sandbox, SERVICE) == [1]


def test_stale_plan_refused_after_another_revision_is_deployed(
    sandbox: Sandbox, single: Path, state: Path, tmp_path: Path
) -> None:
    r = run_inproc([single], state, "plan", "--tasks", "2", "--out", str(tmp_path / "p.json"))
    assert r.code == 0, r
    assert deploy(single, state, env={"IMAGE_TAG": "1.28"}).code == 0
    r = run_sub(sandbox, [single], state, "apply", str(tmp_path / "p.json"), "--tasks", "2")
    assert r.code == 1, r
    assert "plan is stale" in r.stderr, r
    assert live(sandbox)["desiredCount"] == 3


def test_plan_made_for_other_inputs_is_refused(
    sandbox: Sandbox, single: Path, state: Path, tmp_path: Path
) -> None:
    r = run_inproc(
        [single], state, "plan", "--out", str(tmp_path / "p.json"), env={"IMAGE_TAG": "1.28"}
    )
    assert r.code == 0, r
    before = requests(sandbox)
    r = run_sub(
        sandbox, [single], state, "apply", str(tmp_path / "p.json"), env={"IMAGE_TAG": "1.30"}
    )
    assert r.code == 1, r
    assert "other inputs" in r.stderr, r
    # without IMAGE_TAG at all the definition renders differently too
    r = run_sub(sandbox, [single], state, "apply", str(tmp_path / "p.json"))
    assert r.code == 1, r
    assert "other inputs" in r.stderr, r
    assert writes_of(delta(before, requests(sandbox))) == {}
    assert family_revisions(sandbox, SERVICE) == [1]


def test_plan_file_of_another_format_version_is_refused(
    sandbox: Sandbox, single: Path, state: Path, tmp_path: Path
) -> None:
    env = {"IMAGE_TAG": "1.28"}
    r = run_inproc([single], state, "plan", "--out", str(tmp_path / "p.json"), env=env)
    assert r.code == 0, r
    doc = json.loads((tmp_path / "p.json").read_text())
    doc["format_version"] = 999
    (tmp_path / "p.json").write_text(json.dumps(doc))
    before = requests(sandbox)
    r = run_sub(sandbox, [single], state, "apply", str(tmp_path / "p.json"), env=env)
    assert r.code == 1, r
    assert "format_version" in r.stderr, r
    assert writes_of(delta(before, requests(sandbox))) == {}


# --- locks ------------------------------------------------------------------------------------


def test_held_lock_refuses_apply_at_once_naming_the_holder(
    sandbox: Sandbox, single: Path, state: Path
) -> None:
    held = LocalBackend(state).lock(KEY, operation="apply", run_id="20990101T000000Z-abcdef")
    before = requests(sandbox)
    r = run_sub(sandbox, [single], state, "deploy", *TIMEOUT, env={"IMAGE_TAG": "1.28"})
    assert r.code == 1, r
    assert "locked" in r.stderr, r
    assert held.who in r.stderr and held.id in r.stderr, r
    assert "20990101T000000Z-abcdef" in r.stderr, r
    assert writes_of(delta(before, requests(sandbox))) == {}
    LocalBackend(state).unlock(held)
    r = deploy(single, state, env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r


def test_state_unlock_releases_a_stale_lock(sandbox: Sandbox, single: Path, state: Path) -> None:
    held = LocalBackend(state).lock(KEY, operation="apply", run_id="20990101T000000Z-abcdef")
    r = run_sub(sandbox, [single], state, "state", "unlock", held.id)
    assert r.code == 0, r
    assert LocalBackend(state).locks() == []
    r = deploy(single, state, env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r


def _wait_for(pred, what: str, proc=None, limit: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not pred():
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"process ended before {what}: {proc.returncode}\n{out}\n{err}")
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def _waiting_rollout(state: Path, service: str = SERVICE):  # type: ignore[no-untyped-def]
    """True once a run that is not in the journal yet has begun waiting for its rollout."""
    old_runs = {e["run_id"] for e in all_entries(state, CLUSTER, service)}

    def pred() -> bool:
        return any(
            e.get("event") == "begin"
            and e.get("kind") == "wait_rollout"
            and e["run_id"] not in old_runs
            for e in all_entries(state, CLUSTER, service)
        )

    return pred


def test_lock_contention_between_two_processes(sandbox: Sandbox, single: Path, state: Path) -> None:
    waiting = _waiting_rollout(state)
    sandbox.pause()  # the first apply's rollout cannot finish: it keeps the lock
    try:
        first = popen(sandbox, [single], state, "deploy", *TIMEOUT, env={"IMAGE_TAG": "1.28"})
        _wait_for(waiting, "the first apply to wait for its rollout", first)
        second = run_sub(sandbox, [single], state, "deploy", *TIMEOUT, "--tasks", "2")
        assert first.poll() is None  # the second did not wait for the first
        assert second.code == 1, second
        assert "locked" in second.stderr, second
        (holder,) = LocalBackend(state).locks()
        assert holder.id in second.stderr and holder.who in second.stderr, second
        first_run = all_entries(state, CLUSTER, SERVICE)[-1]["run_id"]
        assert holder.run_id == first_run
        assert first_run in second.stderr, second
    finally:
        sandbox.resume()
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, f"{out}\n{err}"
    assert LocalBackend(state).locks() == []
    assert family_revisions(sandbox, SERVICE) == [1, 2]


# --- S3 state ---------------------------------------------------------------------------------


def test_s3_state_backend_full_apply(sandbox: Sandbox, tmp_path: Path) -> None:
    s3 = client(sandbox, "s3")
    s3.create_bucket(
        Bucket="ecsplan-state",
        CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"},
    )
    sandbox.prepare([SINGLE])
    url = "s3://ecsplan-state/team/prod"
    r = run_sub(sandbox, [SINGLE], url, "deploy", *TIMEOUT)
    assert r.code == 0, r
    r = run_sub(sandbox, [SINGLE], url, "deploy", *TIMEOUT, env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    svc = live(sandbox)
    assert image_of(sandbox, svc["taskDefinition"]) == "nginx:1.28"
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket="ecsplan-state", Prefix="team/prod/"
        )
        for o in page.get("Contents", [])
    ]
    assert keys, "no state objects under the prefix"
    assert all(k.startswith("team/prod/") for k in keys)
    assert not [k for k in keys if k.endswith("lock.json") or "/lock" in k], keys
    assert "team/prod/.secret-key" in keys  # the placeholders' HMAC key, made on first use
    bodies = [
        s3.get_object(Bucket="ecsplan-state", Key=k)["Body"].read().decode()
        for k in keys
        if not k.endswith(".secret-key")
    ]
    events = [json.loads(b).get("event") for b in bodies if b.startswith("{")]
    assert events.count("run_start") == 2 and events.count("run_end") == 2, events
    # nothing was written to a local ./state
    assert not (tmp_path / "state").exists()
    # a held S3 lock refuses a second apply
    from planner.aws.clients import AwsContext
    from planner.state.factory import open_backend

    backend = open_backend(url, AwsContext(endpoint_url=sandbox.endpoint))
    held = backend.lock(KEY, operation="apply", run_id="20990101T000000Z-abcdef")
    r = run_sub(sandbox, [SINGLE], url, "deploy", *TIMEOUT, "--tasks", "2")
    assert r.code == 1, r
    assert held.id in r.stderr, r
    backend.unlock(held)
    r = run_sub(sandbox, [SINGLE], url, "deploy", *TIMEOUT, "--tasks", "2")
    assert r.code == 0, r
    assert live(sandbox)["desiredCount"] == 2


# --- rollback ---------------------------------------------------------------------------------


def test_rollback_restores_previous_revision_and_deregisters(
    sandbox: Sandbox, single: Path, state: Path
) -> None:
    """rollback.go RollbackOption.DeregisterTaskDefinition (default true) and
    rollbackTaskDefinition: the rolled-back revision is deregistered once the service runs the
    previous one."""
    r = deploy(single, state, env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    assert revision_of(live(sandbox)["taskDefinition"]) == 2
    before = requests(sandbox)
    r = run_sub(sandbox, [single], state, "rollback")
    assert r.code == 0, r
    svc = live(sandbox)
    assert revision_of(svc["taskDefinition"]) == 1
    assert image_of(sandbox, svc["taskDefinition"]) == "nginx:1.27"
    assert svc["desiredCount"] == 3
    assert family_revisions(sandbox, SERVICE) == [1]
    assert family_revisions(sandbox, SERVICE, "INACTIVE") == [2]
    writes = writes_of(delta(before, requests(sandbox)))
    assert writes.get("ecs:RegisterTaskDefinition", 0) == 0
    assert writes.get("ecs:UpdateService") == 1
    assert writes.get("ecs:DeregisterTaskDefinition") == 1


def test_rollback_without_deregister_keeps_the_revision(
    sandbox: Sandbox, single: Path, state: Path
) -> None:
    """rollback.go RollbackOption `--no-deregister-task-definition`: the rolled-back revision stays
    ACTIVE."""
    r = deploy(single, state, "--tasks", "2", env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    r = run_sub(sandbox, [single], state, "rollback", "--no-deregister-task-definition")
    assert r.code == 0, r
    svc = live(sandbox)
    assert revision_of(svc["taskDefinition"]) == 1
    assert svc["desiredCount"] == 3
    assert family_revisions(sandbox, SERVICE) == [1, 2]


def test_rollback_dry_run_changes_nothing(sandbox: Sandbox, single: Path, state: Path) -> None:
    """rollback.go RollbackOption.DryRun: show what would happen, change nothing."""
    r = deploy(single, state, env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    before = requests(sandbox)
    r = run_inproc([single], state, "rollback", "--dry-run")
    assert r.code == 0, r
    assert "myservice:1" in r.output, r
    assert writes_of(delta(before, requests(sandbox))) == {}
    assert revision_of(live(sandbox)["taskDefinition"]) == 2
