"""`ecsplan refresh` (force a new deployment) and `ecsplan delete` (delete the service).

Both go through the journal and the service lock: refresh is a one-step plan of the normal
planner; delete is a delete_service step run by the executor, then a wait until ECS says the
service is DRAINING or INACTIVE (planner/ops/lifecycle.py).
"""

from __future__ import annotations

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.flags import timeout_of
from planner.cli.main import cli
from planner.cli.scale_cmd import run_narrowed
from planner.errors import EcsplanError
from planner.plan.model import PlanOptions


@cli.command()
@click.option("--dry-run", is_flag=True, help="Show the plan only; change nothing.")
@click.option("--wait/--no-wait", default=True, help="Wait for the new deployment (default).")
@click.option("--wait-until", default="deployed", type=click.Choice(["deployed", "stable"]))
@click.option("--timeout", metavar="DURATION", help="Wait timeout (default: config).")
@pass_globals
def refresh(g: Globals, dry_run: bool, wait: bool, wait_until: str, timeout: str | None) -> int:
    """Force a new deployment of the running task definition (journaled)."""
    options = PlanOptions(
        skip_task_definition=True,
        force_new_deployment=True,
        wait=wait,
        wait_until=wait_until,
        timeout_seconds=timeout_of(timeout),
    )
    return run_narrowed(g, options, {"forceNewDeployment"}, "refresh", dry_run=dry_run)


@cli.command()
@click.option("--force", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Show what would be deleted; change nothing.")
@click.option(
    "--terminate",
    is_flag=True,
    help="ecspresso's flag to stop running tasks: ecsplan always does (DeleteService force).",
)
@click.option("--no-wait", is_flag=True, help="Do not wait until the service is draining.")
@pass_globals
def delete(g: Globals, force: bool, dry_run: bool, terminate: bool, no_wait: bool) -> int:
    """Delete the service (tasks are stopped): show it, confirm, delete, wait.

    Confirm as ecspresso does: type the service name at `Enter the service name to DELETE: `
    (once per service). When stdin or stdout is not a terminal nothing is read and it stops
    with `confirmation failed`, unless --force."""
    from planner.apply.wait import poll_interval
    from planner.cli.running import finish, journaled
    from planner.ops.lifecycle import delete_plan, services_to_delete, wait_gone
    from planner.render.tables import deletion_table

    session = g.session()
    doomed = services_to_delete(session)
    deletion_table(doomed, g.color)
    if dry_run:
        click.echo(f"Dry run: would delete {len(doomed)} service(s).")
        return 0
    if not force:
        _confirm_names([d.ref.service for d in doomed])
    results = journaled(g, session, delete_plan(doomed), operation="delete", stale_check=False)
    if not no_wait:
        for r, d in zip(results, doomed, strict=True):
            if r.outcome == "succeeded":
                status = wait_gone(session, d, poll_interval())
                click.echo(f"{d.ref.cluster}/{d.ref.service}: {status}", err=True)
    return finish(g, session, results, "Delete")


def _confirm_names(names: list[str]) -> None:
    """ecspresso v2.6.0 delete.go: prompter.Prompt(`Enter the service name to DELETE`, "")
    must return the service's name; anything else is `confirmation failed`."""
    from planner.cli.prompter import prompt

    for name in names:
        if prompt("Enter the service name to DELETE") != name:
            click.echo("Aborted", err=True)
            raise EcsplanError("confirmation failed")
