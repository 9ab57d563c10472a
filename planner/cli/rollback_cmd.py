"""`ecsplan rollback`: undo what a run changed, from its journal."""

from __future__ import annotations

import sys

import click

from planner.apply.executor import ServiceResult
from planner.apply.resume import later_runs_on
from planner.apply.resume import take_over_locks as release_dead_locks
from planner.apply.undo import RollbackOptions, plan_undo
from planner.cli.apply_cmd import _print_results, run_journaled
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.services import select, state_location
from planner.errors import EcsplanError
from planner.plan.model import ServicePlan
from planner.render.text import render_text
from planner.state.backend import open_backend
from planner.state.journal import Journal


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
@click.option(
    "--take-over-locks",
    is_flag=True,
    help="Take over the undone run's locks also when they were taken on another host.",
)
@pass_globals
def rollback(
    g: Globals,
    run_id: str | None,
    deregister_task_definition: bool,
    no_wait: bool,
    dry_run: bool,
    auto_approve: bool,
    force: bool,
    take_over_locks: bool,
) -> int:
    """Undo what a run changed: previous task definition and counts, scaling state; then
    deregister the rolled-back revision."""
    sel = select(g)
    aws = g.aws(sel.entries[0].config.region if sel.entries else None)
    backend = open_backend(state_location(g, sel), aws)
    keys = [f"{e.config.cluster}/{e.config.service}" for e in sel.entries]
    undo = plan_undo(
        backend,
        aws,
        keys,
        RollbackOptions(run_id, deregister_task_definition, not no_wait, force),
    )
    rid = undo.run_id
    for note in undo.notes:
        click.echo(note, err=True)
    click.echo(render_text(undo.plan, color=g.color, sensitive=sel.sensitive), nl=False)
    if dry_run:
        return 0
    if undo.deletes and not auto_approve:
        if not sys.stdin.isatty():
            raise EcsplanError(
                f"rollback deletes {', '.join(undo.deletes)} (created by run {rid}); "
                "pass --auto-approve to confirm"
            )
        click.confirm(f"Delete {', '.join(undo.deletes)}?", default=False, abort=True)
    covered = undo.record.state_keys if undo.record else tuple(keys)
    dead = [rid, *(later_runs_on(backend, undo.record) if undo.record else ())]
    for w in release_dead_locks(backend, dead, covered, other_hosts=take_over_locks):
        click.echo(f"warning: {w}", err=True)

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
        g,
        undo.plan,
        sel,
        operation="rollback",
        stale_check=False,
        on_finish=mark_rolled_back,
        undoes=rid,
    )
    return _print_results(results, g, "Rollback")
