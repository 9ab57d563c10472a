"""The operations without the CLI, against the sandbox over real HTTP: each test builds a
Session as the CLI does (planner/cli/context.py) and calls planner/ops and planner/apply
directly, asserting what the returned data tells a user. Live AWS is read back with boto3."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

from ecsplan_sandbox.server import Sandbox
from planner.apply.operations import Hooks, prepare_resume, run_journaled
from planner.apply.resume import NothingToResume
from planner.apply.undo import RollbackOptions, marker, pick_run, plan_undo, release_dead_locks
from planner.apply.wait import NullObserver
from planner.aws.clients import AwsContext
from planner.errors import EcsplanError
from planner.ops.lifecycle import (
    delete_plan,
    narrowed_plan,
    only_changed,
    services_to_delete,
    wait_gone,
)
from planner.ops.planning import make_plan
from planner.ops.revisions import RevisionInUse, deregister, read_revisions, removals
from planner.ops.session import Session
from planner.ops.state_info import history
from planner.ops.status import gather
from planner.ops.tasks import list_tasks, stop_task, stoppable
from planner.plan.model import Action, PlanOptions, StepKind
from planner.plan.outcome import ServiceResult
from planner.workspace.selection import SelectSpec, select

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
KEY = "my-cluster/myservice"


@pytest.fixture
def cfg(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The single-service example, its prerequisites created in the sandbox; fast polling."""
    monkeypatch.setenv("ECSPLAN_POLL_INTERVAL", "0.05")
    monkeypatch.delenv("IMAGE_TAG", raising=False)
    shutil.copytree(ROOT / "examples" / "single-service", tmp_path / "svc")
    path = tmp_path / "svc" / "ecspresso.yml"
    sandbox.prepare([str(path)])
    return path


def session(cfg: Path) -> Session:
    """What `ecsplan -c CFG --state <tmp>/state` gives every operation (configs are read now,
    so a changed IMAGE_TAG takes a new session)."""
    aws = AwsContext()
    sel = select(SelectSpec(configs=(str(cfg),)), aws)
    aws.region = sel.entries[0].config.region
    return Session(sel, aws, state_override=str(cfg.parent.parent / "state"))


def apply(s: Session, options: PlanOptions | None = None) -> ServiceResult:
    """plan + apply, as `ecsplan deploy`."""
    plan = make_plan(s, options or PlanOptions())
    (result,) = run_journaled(s, plan, Hooks(NullObserver()))
    assert result.outcome == "succeeded", result
    return result


def deploy_tag(cfg: Path, monkeypatch: pytest.MonkeyPatch, tag: str) -> ServiceResult:
    monkeypatch.setenv("IMAGE_TAG", tag)
    return apply(session(cfg))


def live_service() -> dict[str, Any]:
    """DescribeServices' entry of my-cluster/myservice ({} when ECS does not know it)."""
    ecs = boto3.client("ecs")
    found = ecs.describe_services(cluster="my-cluster", services=["myservice"])["services"]
    return dict(found[0]) if found else {}


def active_revisions() -> list[int]:
    arns = boto3.client("ecs").list_task_definitions(familyPrefix="myservice", status="ACTIVE")
    return sorted(int(a.rsplit(":", 1)[1]) for a in arns["taskDefinitionArns"])


def test_plan_apply_then_the_next_plan_is_empty(cfg: Path) -> None:
    s = session(cfg)
    with pytest.raises(EcsplanError) as e:
        narrowed_plan(s, PlanOptions(tasks=1), {"desiredCount"}, "scale")
    assert e.value.message == "myservice: the service does not exist; nothing to scale"

    plan = make_plan(s, PlanOptions())
    (sp,) = plan.services
    assert sp.action is Action.CREATE
    assert [st.kind for st in sp.steps] == [
        StepKind.REGISTER_TASK_DEFINITION,
        StepKind.CREATE_SERVICE,
        StepKind.WAIT_ROLLOUT,
    ]
    (result,) = run_journaled(s, plan, Hooks(NullObserver()))
    assert (result.key, result.outcome) == ("myservice", "succeeded")
    svc = live_service()
    assert (svc["status"], svc["desiredCount"]) == ("ACTIVE", 3)
    assert svc["taskDefinition"].endswith("task-definition/myservice:1")

    again = make_plan(session(cfg), PlanOptions())
    assert not again.has_changes
    assert again.services[0].action is Action.NOOP

    h = history(s.backend(), s.state_location, "myservice", limit=5)
    assert [(r.run_id, r.operation, r.outcome) for r in h.runs] == [
        (result.run_id, "apply", "succeeded")
    ]
    assert [st.kind for st in h.steps[result.run_id]] == [
        "register_task_definition",
        "create_service",
        "wait_rollout",
    ]
    with pytest.raises(NothingToResume) as e:
        prepare_resume(s, "ecsplan apply", other_hosts=False)
    assert e.value.message == f"nothing to resume: run {result.run_id} finished (1 service(s) done)"


def test_an_interrupted_apply_is_resumed(cfg: Path) -> None:
    s = session(cfg)
    plan = make_plan(s, PlanOptions())
    hooks = Hooks(NullObserver())
    hooks.stop.set()  # Ctrl-C before the first step
    (stopped,) = run_journaled(s, plan, hooks)
    assert (stopped.outcome, stopped.message) == ("skipped", "not started: interrupted")
    assert live_service().get("status") in (None, "INACTIVE")
    assert active_revisions() == []  # nothing was written

    ready = prepare_resume(session(cfg), "ecsplan apply", other_hosts=False)
    assert ready.progress.record.run_id == stopped.run_id
    assert dict(ready.progress.outcomes) == {"myservice": "interrupted"}
    assert ready.warnings == ()
    assert [st.kind for st in ready.plan.services[0].steps] == [
        st.kind for st in plan.services[0].steps
    ]
    (result,) = run_journaled(
        ready.session, ready.plan, Hooks(NullObserver()), resume=ready.progress
    )
    assert (result.run_id, result.outcome) == (stopped.run_id, "succeeded")
    assert live_service()["taskDefinition"].endswith("task-definition/myservice:1")
    assert not make_plan(session(cfg), PlanOptions()).has_changes


def test_status_and_tasks_of_a_deployed_service(cfg: Path) -> None:
    s = session(cfg)
    apply(s)

    (st,) = gather(s, events=2)
    assert (st.key, st.status, st.revision) == ("myservice", "ACTIVE", "myservice:1")
    assert (st.desired, st.running, st.launch_type) == (3, 3, "FARGATE")
    assert [(d.status, d.rollout_state) for d in st.deployments] == [("PRIMARY", "COMPLETED")]
    assert 0 < len(st.events) <= 2

    tasks = list_tasks(s)
    running = [r for r in tasks.rows if r["lastStatus"] == "RUNNING"]
    assert len(running) == 3
    assert {(r["service"], r["revision"]) for r in running} == {("myservice", "myservice:1")}

    row = stoppable(tasks, running[0]["id"])
    stopped = stop_task(s, row, "ops test")
    assert stopped["taskArn"] == row["taskArn"]
    assert stopped["desiredStatus"] == "STOPPED"


def test_scale_changes_only_the_desired_count(cfg: Path, monkeypatch) -> None:
    apply(session(cfg))
    # drift that scale must leave to plan/apply: a new image, another grace period
    monkeypatch.setenv("IMAGE_TAG", "1.28")
    sd = cfg.parent / "ecs-service-def.json"
    sd.write_text(
        sd.read_text().replace(
            '"healthCheckGracePeriodSeconds": 60', '"healthCheckGracePeriodSeconds": 90'
        )
    )
    s = session(cfg)

    # the options `ecsplan scale --tasks 1` plans with (planner/cli/scale_cmd.py)
    options = PlanOptions(skip_task_definition=True, tasks=1, wait_until="stable")
    plan = only_changed(narrowed_plan(s, options, {"desiredCount"}, "scale"))
    (sp,) = plan.services
    assert [st.kind for st in sp.steps] == [StepKind.UPDATE_SERVICE, StepKind.WAIT_ROLLOUT]
    assert sp.steps[0].payload["service"] == {"desiredCount": 1}
    assert sp.warnings[-1] == (
        "other differences from the config are left for plan/apply: healthCheckGracePeriodSeconds"
    )
    (result,) = run_journaled(s, plan, Hooks(NullObserver()), stale_check=False)
    assert result.outcome == "succeeded", result.message

    svc = live_service()
    assert (svc["desiredCount"], svc["healthCheckGracePeriodSeconds"]) == (1, 60)
    assert svc["taskDefinition"].endswith(":1")  # the new image was not deployed
    assert active_revisions() == [1]

    undo = plan_undo(s.backend(), s.aws, [KEY], RollbackOptions())
    assert undo.run_id == result.run_id
    (back,) = run_journaled(
        s,
        undo.plan,
        Hooks(NullObserver()),
        operation="rollback",
        stale_check=False,
        on_finish=marker(s.backend(), undo.run_id, pytest.fail),
        undoes=undo.run_id,
    )
    assert back.outcome == "succeeded", back.message
    svc = live_service()
    assert (svc["desiredCount"], svc["taskDefinition"].rsplit(":", 1)[1]) == (3, "1")
    assert active_revisions() == [1]  # a scale's rollback deregisters nothing


def test_revisions_deregister_and_rollback(cfg: Path, monkeypatch) -> None:
    apply(session(cfg))
    second = deploy_tag(cfg, monkeypatch, "1.28")
    third = deploy_tag(cfg, monkeypatch, "1.29")
    s = session(cfg)

    (fam,) = read_revisions(s)
    assert fam.family == "myservice"
    assert [r.revision for r in fam.revisions] == [3, 2, 1]
    assert "service" in fam.revisions[0].uses
    assert fam.revisions[1].uses == (f"rollback target of the last run {third.run_id}",)
    assert not fam.revisions[2].in_use

    with pytest.raises(RevisionInUse) as e:
        removals(s, "2", None)
    assert e.value.message == (
        f"myservice:2 is in use (rollback target of the last run {third.run_id}); "
        "not deregistering it"
    )
    ((fam, removal),) = removals(s, None, 1)
    assert [r.revision for r in removal.remove] == [1]
    assert deregister(s, fam, removal, delete=False) == []
    assert active_revisions() == [2, 3]

    backend = s.backend()
    undo = plan_undo(backend, s.aws, [KEY], RollbackOptions())
    assert undo.run_id == third.run_id
    assert undo.deletes == []
    assert release_dead_locks(backend, undo, other_hosts=False) == []
    warnings: list[str] = []
    (result,) = run_journaled(
        s,
        undo.plan,
        Hooks(NullObserver()),
        operation="rollback",
        stale_check=False,
        on_finish=marker(backend, undo.run_id, warnings.append),
        undoes=undo.run_id,
    )
    assert (result.outcome, warnings) == ("succeeded", [])
    assert live_service()["taskDefinition"].endswith("task-definition/myservice:2")
    assert active_revisions() == [2]  # the rolled-back revision is deregistered

    runs = {r.run_id: r for r in backend.runs(KEY)}
    assert runs[third.run_id].outcome == "rolled_back"
    assert runs[result.run_id].operation == "rollback"
    assert pick_run(backend, [KEY], None) == second.run_id  # the deploy of 1.28 is next


def test_delete_removes_the_service(cfg: Path) -> None:
    s = session(cfg)
    apply(s)

    (doomed,) = services_to_delete(s)
    assert doomed.live["desiredCount"] == 3
    plan = delete_plan([doomed])
    (step,) = plan.services[0].steps
    assert (step.kind, step.destructive) == (StepKind.DELETE_SERVICE, True)
    assert step.payload == {"cluster": "my-cluster", "service": "myservice"}

    (result,) = run_journaled(s, plan, Hooks(NullObserver()), operation="delete", stale_check=False)
    assert result.outcome == "succeeded"
    assert wait_gone(s, doomed, 0.05) in ("DRAINING", "INACTIVE")
    assert live_service()["status"] in ("DRAINING", "INACTIVE")
    (st,) = gather(s, events=0)
    assert st.status in ("DRAINING", "INACTIVE", "MISSING")

    with pytest.raises(EcsplanError) as e:
        services_to_delete(s)
    assert e.value.message == "myservice: service my-cluster/myservice does not exist"
    h = history(s.backend(), s.state_location, KEY, limit=1)
    assert [(r.run_id, r.operation, r.outcome) for r in h.runs] == [
        (result.run_id, "delete", "succeeded")
    ]
