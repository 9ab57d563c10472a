"""`rollback` as an operation: which run to undo, and the plan that undoes it.

The run is the one given, else the newest apply of the selected services that is not rolled
back yet. Every selected service of it is covered: those it changed get inverse steps (from
their journals), those it had not reached yet are named and left alone, and the dead run's
locks are the caller's to take over (:func:`planner.apply.resume.take_over_locks`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from planner.apply.resume import later_runs_on, load_record, take_over_locks
from planner.apply.run import FinishHook
from planner.aws.clients import AwsContext
from planner.aws.writes import Writer, paused_hook
from planner.errors import EcsplanError
from planner.plan.codec import plan_from_data
from planner.plan.model import Plan, ServicePlan, StepKind
from planner.plan.outcome import ServiceResult
from planner.plan.rollback import DONE, rollback_plan
from planner.state.backend import StateBackend
from planner.state.journal import Journal
from planner.state.model import APPLY_OPERATIONS, StepState, step_states
from planner.state.run_record import RunRecord

FINISHED_CD = ("Succeeded", "Failed", "Stopped")


@dataclass(frozen=True)
class RollbackOptions:
    run_id: str | None = None
    deregister: bool = True
    wait: bool = True
    force: bool = False


@dataclass(frozen=True)
class Rollback:
    """The undo plan of one run, and what the user should be told about the rest."""

    run_id: str
    plan: Plan
    notes: tuple[str, ...]
    record: RunRecord | None

    @property
    def deletes(self) -> list[str]:
        return [
            sp.key
            for sp in self.plan.services
            if any(s.kind is StepKind.DELETE_SERVICE for s in sp.steps)
        ]


def _outcomes(backend: StateBackend, record: RunRecord) -> dict[str, str | None]:
    """State key -> the outcome of this run's journal there (services it touched only)."""
    out: dict[str, str | None] = {}
    for key in record.state_keys:
        run = next((r for r in backend.runs(key) if r.run_id == record.run_id), None)
        if run is not None:
            out[key] = run.outcome
    return out


def _undone(backend: StateBackend, record: RunRecord) -> bool:
    """Every service the run touched is rolled back (a rollback cut short is not)."""
    outcomes = _outcomes(backend, record)
    return bool(outcomes) and all(o == "rolled_back" for o in outcomes.values())


def pick_run(backend: StateBackend, keys: Sequence[str], run_id: str | None) -> str:
    """The run to undo: the one given, else the newest apply of these services not rolled
    back yet (runs without a record, from older versions, are found in the journals)."""
    if run_id:
        return run_id
    candidates: list[str] = []
    wanted = set(keys)
    for rid in reversed(backend.run_record_ids()):
        record = load_record(backend, rid)
        if record is None or not _touched(backend, rid, wanted & set(record.state_keys)):
            continue
        if record.operation in APPLY_OPERATIONS and not _undone(backend, record):
            candidates.append(rid)
            break
    for key in keys:  # journals without a record
        for r in backend.runs(key):
            if r.operation in APPLY_OPERATIONS and r.outcome != "rolled_back":
                if backend.run_record(r.run_id) is None:
                    candidates.append(r.run_id)
                break
    if not candidates:
        raise EcsplanError("no applied run to roll back (see: ecsplan state list)")
    return max(candidates)


def _touched(backend: StateBackend, run_id: str, keys: set[str]) -> bool:
    """The run journaled something for one of ``keys`` (a workspace run lists every
    service, also those it had nothing to do for)."""
    return any(backend.entries(key, run_id) for key in keys)


def _left_by_run(sp: ServicePlan, states: Mapping[str, StepState]) -> set[str | None]:
    """Task definitions the service may run if nothing happened since the run: the one it
    deployed, or the previous one (the circuit breaker or CodeDeploy rolled back)."""
    out: set[str | None] = {sp.fingerprint.task_definition}
    for st in states.values():
        for key in ("taskDefinitionArn", "taskDefinition"):  # registered, or deployed
            arn = (st.outputs or {}).get(key)
            if arn:
                out.add(str(arn))
    for step in sp.steps:  # a pinned revision (--revision, --latest-task-definition)
        arn = (step.payload.get("service") or {}).get("taskDefinition")
        if arn:
            out.add(str(arn))
    return out


def _run_plan(
    backend: StateBackend, key: str, run_id: str
) -> tuple[ServicePlan, dict[str, StepState]] | None:
    entries = backend.entries(key, run_id)
    if not entries:
        return None
    start = next((e for e in entries if e.event == "run_start"), None)
    if start is None or "service" not in start.data:
        raise EcsplanError(f"{key}: run {run_id} has no recorded plan; cannot roll it back")
    plan = plan_from_data({"format_version": 1, "services": [start.data["service"]]})
    return plan.services[0], step_states(entries)


def _check_not_moved(
    backend: StateBackend,
    key: str,
    run_id: str,
    sp: ServicePlan,
    live: Mapping[str, Any],
    states: Mapping[str, StepState],
) -> None:
    """Refuse to undo a run whose work a later run or deploy has replaced."""
    later = [
        r.run_id
        for r in backend.runs(key)
        if r.run_id > run_id and r.operation in APPLY_OPERATIONS and r.outcome != "rolled_back"
    ]
    if later:
        raise EcsplanError(
            f"{key}: run {later[-1]} applied after run {run_id}; roll that one back first "
            "(or pass --force)"
        )
    running = live.get("taskDefinition")
    if live.get("status") == "ACTIVE" and running not in _left_by_run(sp, states):
        raise EcsplanError(
            f"{key}: the service runs {str(running).rsplit('/', 1)[-1]}, deployed after "
            f"run {run_id}; rolling back would undo that later change (roll back the later "
            "run, or pass --force)"
        )


def _in_flight(writer: Writer, sp: ServicePlan, states: Mapping[str, StepState]) -> bool:
    cd = next((s for s in sp.steps if s.kind is StepKind.CREATE_CODEDEPLOY_DEPLOYMENT), None)
    if cd is None or cd.id not in states:
        return False
    dep = (states[cd.id].outputs or {}).get("deploymentId")
    return bool(dep) and writer.get_deployment(str(dep)).get("status") not in FINISHED_CD


def _paused_at_hook(
    writer: Writer, sp: ServicePlan, live: Mapping[str, Any]
) -> tuple[str, str] | None:
    """(ARN, hook id) when the service's deployment waits at a PAUSE lifecycle hook (ecspresso's
    rollbackActiveECSDeployment checks findPausedLifecycleHook first, rollback.go); read only
    for ECS services whose deployment is still in progress."""
    if sp.controller != "ECS" or not any(
        d.get("rolloutState") == "IN_PROGRESS" for d in live.get("deployments") or ()
    ):
        return None
    arn = writer.active_service_deployment(sp.cluster, sp.service)
    hook = paused_hook(writer.service_deployment(arn) or {}) if arn else None
    return (arn, hook) if arn and hook else None


def _why_untouched(record: RunRecord | None, key: str, rid: str) -> str:
    if record is None:
        return f"not part of run {rid}"
    services = dict(zip(record.state_keys, record.plan.get("services") or (), strict=True))
    if services[key].get("steps"):
        return f"not started by run {rid} (interrupted before it)"
    return f"not changed by run {rid}"


def plan_undo(
    backend: StateBackend, aws: AwsContext, keys: Sequence[str], opts: RollbackOptions
) -> Rollback:
    """The rollback of the chosen run for the selected services (``keys``: state keys)."""
    rid = pick_run(backend, keys, opts.run_id)
    record = load_record(backend, rid)
    covered = list(record.state_keys) if record else list(keys)
    outcomes = _outcomes(backend, record) if record else {}
    plans, notes = [], []
    for key in keys:
        if key not in covered:
            notes.append(f"{key}: not part of run {rid}; left alone")
            continue
        found = _run_plan(backend, key, rid)
        if found is None:
            notes.append(f"{key}: {_why_untouched(record, key, rid)}; nothing to undo")
            continue
        sp, states = found
        if outcomes.get(key) == "rolled_back":
            notes.append(f"{key}: already rolled back")
            continue
        if not any(st.state in DONE for st in states.values()):
            notes.append(f"{key}: run {rid} changed nothing there; nothing to undo")
            continue
        writer = Writer(aws.scoped(sp.principal), sp.region)  # as the run acted
        live = writer.describe_service(sp.cluster, sp.service) or {}
        if not opts.force:
            _check_not_moved(backend, key, rid, sp, live, states)
        plans.append(
            rollback_plan(
                sp,
                states,
                deregister=opts.deregister,
                wait=opts.wait,
                codedeploy_in_flight=_in_flight(writer, sp, states),
                paused=_paused_at_hook(writer, sp, live),
            )
        )
    if not plans:
        raise EcsplanError(f"none of the selected services was changed by run {rid}")
    return Rollback(rid, Plan(services=tuple(plans)), tuple(notes), record)


def release_dead_locks(backend: StateBackend, undo: Rollback, *, other_hosts: bool) -> list[str]:
    """The locks the undone run (or a rollback of it that died) left: taken over, so none
    outlives the rollback. Returns the warnings to show."""
    covered = undo.record.state_keys if undo.record else ()
    dead = [undo.run_id, *(later_runs_on(backend, undo.record) if undo.record else ())]
    return take_over_locks(backend, dead, covered, other_hosts=other_hosts)


def marker(backend: StateBackend, run_id: str, warn: Callable[[str], None]) -> FinishHook:
    """What the rollback does as each service finishes: mark the undone run rolled back
    there (still under the service's lock), so it is neither rolled back nor resumed again."""

    def mark(sp: ServicePlan, result: ServiceResult) -> None:
        if result.outcome != "succeeded":
            return
        try:
            Journal.resume(backend, sp.state_key, run_id).end("rolled_back")
        except EcsplanError as e:
            warn(f"{sp.key}: rolled back, but run {run_id} is not marked: {e}")

    return mark
