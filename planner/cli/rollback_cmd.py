"""`ecsplan rollback`: undo what a run changed, from its journal."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import click

from planner.apply.executor import ServiceResult
from planner.aws.writes import Writer
from planner.cli.apply_cmd import _print_results, run_journaled
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.services import select, state_location
from planner.errors import EcsplanError
from planner.plan.codec import plan_from_data
from planner.plan.model import Plan, ServicePlan, StepKind
from planner.plan.rollback import rollback_plan
from planner.render.text import render_text
from planner.state.backend import StateBackend, open_backend
from planner.state.journal import Journal
from planner.state.model import step_states

FINISHED_CD = ("Succeeded", "Failed", "Stopped")


def _pick_run(backend: StateBackend, keys: list[str], run_id: str | None) -> str:
    """The run to undo: the one given, else the newest apply among the selected services
    (run ids sort by time). Services that were not part of it are left alone."""
    if run_id:
        return run_id
    newest: str | None = None
    for key in keys:
        for r in backend.runs(key):
            if r.operation == "apply" and r.outcome != "rolled_back":
                newest = max(newest or r.run_id, r.run_id)
                break
    if newest is None:
        raise EcsplanError("no applied run to roll back (see: ecsplan state list)")
    return newest


def _left_by_run(sp: ServicePlan, states: Mapping[str, Any]) -> set[str | None]:
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


def _run_plan(backend: StateBackend, key: str, run_id: str) -> tuple[ServicePlan, dict[str, Any]]:
    entries = backend.entries(key, run_id)
    start = next((e for e in entries if e.event == "run_start"), None)
    if start is None or "service" not in start.data:
        raise EcsplanError(f"{key}: run {run_id} has no recorded plan; cannot roll it back")
    plan = plan_from_data({"format_version": 1, "services": [start.data["service"]]})
    return plan.services[0], step_states(entries)


@cli.command()
@click.option("--run", "run_id", metavar="ID", help="The run to undo (default: the newest apply).")
@click.option(
    "--deregister-task-definition/--no-deregister-task-definition",
    default=True,
    show_default=True,
    help="Deregister the revision that is rolled back (as ecspresso does).",
)
@click.option("--no-wait", is_flag=True, help="Do not wait for the service to settle.")
@click.option("--dry-run", is_flag=True, help="Show the rollback plan only.")
@click.option("--auto-approve", is_flag=True, help="Do not ask before deleting a created service.")
@click.option("--force", is_flag=True, help="Roll back even if the service changed since the run.")
@pass_globals
def rollback(
    g: Globals,
    run_id: str | None,
    deregister_task_definition: bool,
    no_wait: bool,
    dry_run: bool,
    auto_approve: bool,
    force: bool,
) -> int:
    """Undo what a run changed: previous task definition and counts, scaling state; then
    deregister the rolled-back revision."""
    sel = select(g)
    aws = g.aws(sel.entries[0].config.region if sel.entries else None)
    backend = open_backend(state_location(g, sel), aws)
    keys = [f"{e.config.cluster}/{e.config.service}" for e in sel.entries]
    rid = _pick_run(backend, keys, run_id)
    plans, originals = [], []
    for key in keys:
        if not any(r.run_id == rid for r in backend.runs(key)):
            click.echo(f"{key}: not part of run {rid}; left alone", err=True)
            continue
        later = [
            r.run_id
            for r in backend.runs(key)
            if r.run_id > rid and r.operation == "apply" and r.outcome != "rolled_back"
        ]
        if later and not force:
            raise EcsplanError(
                f"{key}: run {later[-1]} applied after run {rid}; roll that one back first "
                "(or pass --force)"
            )
        sp, states = _run_plan(backend, key, rid)
        writer = Writer(aws, sp.region)
        live = writer.describe_service(sp.cluster, sp.service) or {}
        running = live.get("taskDefinition")
        moved = live.get("status") == "ACTIVE" and running not in _left_by_run(sp, states)
        if moved and not force:
            raise EcsplanError(
                f"{key}: the service runs {str(running).rsplit('/', 1)[-1]}, deployed after "
                f"run {rid}; rolling back would undo that later change (roll back the later "
                "run, or pass --force)"
            )
        in_flight = False
        cd = next((s for s in sp.steps if s.kind is StepKind.CREATE_CODEDEPLOY_DEPLOYMENT), None)
        if cd is not None and cd.id in states:
            dep = (states[cd.id].outputs or {}).get("deploymentId")
            if dep:
                info = writer.get_deployment(str(dep))
                in_flight = info.get("status") not in FINISHED_CD
        plans.append(
            rollback_plan(
                sp,
                states,
                deregister=deregister_task_definition,
                wait=not no_wait,
                codedeploy_in_flight=in_flight,
            )
        )
        originals.append(key)
    if not plans:
        raise EcsplanError(f"none of the selected services was part of run {rid}")
    plan = Plan(services=tuple(plans))
    click.echo(render_text(plan, color=g.color, sensitive=sel.sensitive), nl=False)
    if dry_run:
        return 0
    deletes = [
        sp.key for sp in plan.services if any(s.kind is StepKind.DELETE_SERVICE for s in sp.steps)
    ]
    if deletes and not auto_approve:
        if not sys.stdin.isatty():
            raise EcsplanError(
                f"rollback deletes {', '.join(deletes)} (created by run {rid}); "
                "pass --auto-approve to confirm"
            )
        click.confirm(f"Delete {', '.join(deletes)}?", default=False, abort=True)

    def mark_rolled_back(sp: ServicePlan, result: ServiceResult) -> None:
        if result.outcome != "succeeded":
            return
        try:  # still under the service's lock
            Journal.resume(backend, f"{sp.cluster}/{sp.service}", rid).end("rolled_back")
        except EcsplanError as e:
            click.echo(
                f"warning: {sp.key}: rolled back, but run {rid} is not marked: {e}", err=True
            )

    results = run_journaled(
        g, plan, sel, operation="rollback", stale_check=False, on_finish=mark_rolled_back
    )
    return _print_results(results, g, "Rollback")
