"""`ecsplan rollback`: undo what a run changed, from its journal (planner/apply/undo.py)."""

from __future__ import annotations

import sys

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.errors import EcsplanError


@cli.command()
@click.option("--run", "run_id", metavar="ID", help="The run to undo (default: the newest apply).")
@click.option(
    "--deregister-task-definition/--no-deregister-task-definition",
    default=True,
    show_default=True,
    help="Deregister the revision that is rolled back (as ecspresso does).",
)
@click.option(
    "--no-wait/--wait",
    "no_wait",
    default=False,
    help="Do not wait for the service to settle (--wait, the default, as ecspresso's pair).",
)
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
    from planner.apply.undo import RollbackOptions, marker, plan_undo, release_dead_locks
    from planner.cli.running import run_and_report, show_plan

    session = g.session()
    backend = session.backend()
    keys = list(session.state_keys().values())
    options = RollbackOptions(run_id, deregister_task_definition, not no_wait, force)
    undo = plan_undo(backend, session.aws, keys, options)
    for note in undo.notes:
        click.echo(note, err=True)
    show_plan(g, session, undo.plan)
    if dry_run:
        return 0
    if undo.deletes and not auto_approve:
        if not sys.stdin.isatty():
            raise EcsplanError(
                f"rollback deletes {', '.join(undo.deletes)} (created by run {undo.run_id}); "
                "pass --auto-approve to confirm"
            )
        click.confirm(f"Delete {', '.join(undo.deletes)}?", default=False, abort=True)
    for w in release_dead_locks(backend, undo, other_hosts=take_over_locks):
        click.echo(f"warning: {w}", err=True)
    return run_and_report(
        g,
        session,
        undo.plan,
        verb="Rollback",
        operation="rollback",
        stale_check=False,
        on_finish=marker(backend, undo.run_id, lambda w: click.echo(f"warning: {w}", err=True)),
        undoes=undo.run_id,
    )
