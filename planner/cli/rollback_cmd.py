"""`ecsplan rollback`: undo what a run changed, from its journal."""

from __future__ import annotations

from typing import Any

import click

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


def _target_run(backend: StateBackend, key: str, run_id: str | None) -> str:
    runs = backend.runs(key)
    if run_id:
        if not any(r.run_id == run_id for r in runs):
            raise EcsplanError(
                f"{key}: no run {run_id} in the state (see: ecsplan state show {key})"
            )
        return run_id
    for r in runs:
        if r.operation == "apply" and r.outcome != "rolled_back":
            return r.run_id
    raise EcsplanError(f"{key}: no applied run to roll back (see: ecsplan state show {key})")


def _run_plan(backend: StateBackend, key: str, run_id: str) -> tuple[ServicePlan, dict[str, Any]]:
    entries = backend.entries(key, run_id)
    start = next((e for e in entries if e.event == "run_start"), None)
    if start is None or "service" not in start.data:
        raise EcsplanError(f"{key}: run {run_id} has no recorded plan; cannot roll it back")
    plan = plan_from_data({"format_version": 1, "services": [start.data["service"]]})
    return plan.services[0], step_states(entries)


@cli.command()
@click.option("--run", "run_id", metavar="ID", help="The run to undo (default: the last apply).")
@click.option(
    "--deregister-task-definition/--no-deregister-task-definition",
    default=True,
    show_default=True,
    help="Deregister the revision that is rolled back (as ecspresso does).",
)
@click.option("--no-wait", is_flag=True, help="Do not wait for the service to settle.")
@click.option("--dry-run", is_flag=True, help="Show the rollback plan only.")
@pass_globals
def rollback(
    g: Globals, run_id: str | None, deregister_task_definition: bool, no_wait: bool, dry_run: bool
) -> int:
    """Undo what a run changed: previous task definition and counts, scaling state; then
    deregister the rolled-back revision."""
    sel = select(g)
    aws = g.aws(sel.entries[0].config.region if sel.entries else None)
    backend = open_backend(state_location(g, sel), aws)
    plans, originals = [], []
    for e in sel.entries:
        key = f"{e.config.cluster}/{e.config.service}"
        rid = _target_run(backend, key, run_id)
        sp, states = _run_plan(backend, key, rid)
        in_flight = False
        cd = next((s for s in sp.steps if s.kind is StepKind.CREATE_CODEDEPLOY_DEPLOYMENT), None)
        if cd is not None and cd.id in states:
            dep = (states[cd.id].outputs or {}).get("deploymentId")
            if dep:
                info = Writer(aws, sp.region).get_deployment(str(dep))
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
        originals.append((key, rid))
    plan = Plan(services=tuple(plans))
    click.echo(render_text(plan, color=g.color, sensitive=sel.sensitive), nl=False)
    if dry_run:
        return 0
    results = run_journaled(g, plan, sel, operation="rollback", stale_check=False)
    for (key, rid), r in zip(originals, results, strict=True):
        if r.outcome == "succeeded":
            Journal.resume(backend, key, rid).end("rolled_back")
    return _print_results(results, g, "Rollback")
