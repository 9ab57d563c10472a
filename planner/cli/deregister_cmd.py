"""`ecsplan deregister --revision N | --keep N`: task definition hygiene that never removes
a revision the service, a deployment, a task set, a running task or the last run's rollback
needs (planner/ops/revisions.py). Replaces the seed's cleanup-task-definitions.sh."""

from __future__ import annotations

import sys

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.errors import EcsplanError


@cli.command()
@click.option(
    "--revision",
    "revision_arg",
    metavar="N|latest",
    help="Deregister this revision (a number, family:N, or latest).",
)
@click.option(
    "--keep",
    "--keeps",
    "keep",
    type=int,
    help="Keep the newest N revisions (and every one in use); --keeps as in ecspresso.",
)
@click.option("--delete", is_flag=True, help="Also delete them (DeleteTaskDefinitions).")
@click.option("--force", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Only show what would be deregistered.")
@pass_globals
def deregister(
    g: Globals,
    revision_arg: str | None,
    keep: int | None,
    delete: bool,
    force: bool,
    dry_run: bool,
) -> int:
    """Deregister old task definition revisions, never one in use."""
    from planner.ops.revisions import deregister as remove
    from planner.ops.revisions import removals, short
    from planner.render.revisions_view import removal_table

    if (revision_arg is None) == (keep is None):
        raise EcsplanError("give exactly one of --revision N or --keep N")
    session = g.session()
    plans = removals(session, revision_arg, keep)
    verb = "Deregister and delete" if delete else "Deregister"
    total = sum(len(rm.remove) for _, rm in plans)
    removal_table(plans, g.color)
    if total == 0:
        click.echo("Nothing to deregister.")
        return 0
    if dry_run:
        click.echo(f"Dry run: would {verb.lower()} {total} revision(s).")
        return 0
    if not force:
        if not sys.stdin.isatty():
            raise EcsplanError("deregister needs confirmation: pass --force (or --dry-run)")
        click.confirm(f"{verb} {total} revisions?", default=False, abort=True)
    for fam, rm in plans:
        problems = remove(session, fam, rm, delete)
        for r in rm.remove:
            click.echo(f"{fam.key}: deregistered {short(r.arn)}")
        for p in problems:
            click.echo(f"{fam.key}: delete failed: {p}", err=True)
        if problems:
            raise EcsplanError(f"{fam.key}: {len(problems)} revision(s) could not be deleted")
        if delete and rm.remove:
            click.echo(f"{fam.key}: deleted {len(rm.remove)} revision(s)")
    done = "Deregistered and deleted" if delete else "Deregistered"
    click.echo(f"{done} {total} revision(s).")
    return 0
