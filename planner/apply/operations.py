"""The journaled operations: apply a plan (apply, deploy, rollback, scale, refresh, delete,
register all end here), and continue an interrupted run. They take a Session, a plan and
the hooks the caller watches progress with; they return one result per service."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from planner.apply.executor import ApplyContext
from planner.apply.resume import (
    RunProgress,
    check_same_workspace,
    run_to_resume,
    take_over_locks,
)
from planner.apply.run import FinishHook, RunRequest, StartHook, run_plan
from planner.apply.saved_plan import verified_plan
from planner.apply.wait import Observer
from planner.ops.session import Session
from planner.plan.model import Plan
from planner.plan.outcome import ServiceResult
from planner.plan.secrets import sensitive_values


@dataclass
class Hooks:
    """How the caller follows a run: progress lines, and the event that stops it (Ctrl-C)."""

    observer: Observer
    stop: threading.Event = field(default_factory=threading.Event)
    on_start: StartHook | None = None


def run_journaled(
    session: Session,
    plan: Plan,
    hooks: Hooks,
    *,
    operation: str = "apply",
    stale_check: bool = True,
    on_finish: FinishHook | None = None,
    resume: RunProgress | None = None,
    undoes: str | None = None,
) -> list[ServiceResult]:
    """Run a plan through locks and journals. ``resume`` continues that recorded run: its
    finished services are reported, its unstarted ones stale-checked."""
    req = RunRequest(
        plan=plan,
        aws=session.aws,
        backend=session.backend(),
        secrets=session.secrets(),
        ctx=ApplyContext(aws=session.aws, observer=hooks.observer, stop=hooks.stop),
        parallelism=session.selection.parallelism,
        operation=operation,
        check_staleness=stale_check,
        on_start=hooks.on_start,
        sensitive=sensitive_values(plan, session.sensitive),
        on_finish=on_finish,
        workspace=session.workspace,
        undoes=undoes,
    )
    if resume is not None:
        rid = resume.record.run_id
        req.run_id = rid
        req.finished = {
            k: ServiceResult(k, o, rid, "done before the interruption" if o == "succeeded" else "")
            for k, o in resume.done.items()
        }
        req.stale_keys = frozenset(sp.key for sp in plan.services if sp.key not in resume.started)
    return run_plan(req)


@dataclass(frozen=True)
class Resumption:
    """An interrupted run, checked and ready to continue."""

    progress: RunProgress
    plan: Plan
    session: Session
    warnings: tuple[str, ...]


def prepare_resume(session: Session, again: str, *, other_hosts: bool) -> Resumption:
    """The newest unfinished run of the session's services: its plan (as its configs give
    it), on its services, with the dead run's locks taken over. ``again``: the command that
    starts afresh, for the messages."""
    by_state = {state: key for key, state in session.state_keys().items()}
    progress = run_to_resume(session.backend(), list(by_state), again)
    record = progress.record
    check_same_workspace(record, session.workspace)
    narrowed = session.narrowed([by_state[k] for k in record.state_keys])
    plan = verified_plan(narrowed, f"run {record.run_id}", dict(record.plan), None)
    warnings = take_over_locks(
        session.backend(), [record.run_id], record.state_keys, other_hosts=other_hosts
    )
    return Resumption(progress, plan, narrowed, tuple(warnings))
