"""`ecsplan deregister --revision N | --keep N`: task definition hygiene that never removes
a revision the service, a deployment, a task set, a running task or the last run's rollback
needs (planner/ops/revisions.py). Replaces the seed's cleanup-task-definitions.sh."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.errors import EcsplanError

if TYPE_CHECKING:
    from planner.ops.revisions import FamilyRevisions, Removal


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
    """Deregister old task definition revisions, never one in use.

    Asks first as ecspresso does (`Deregister app:3 ? (yes/no) [no]: ` on stdout); when stdin
    or stdout is not a terminal the answer is no, so it stops with `confirmation failed`
    unless --force (or GO_PROMPTER_USE_DEFAULT / GO_PROMPTER_USE_PIPE, as with ecspresso).
    What it does is told on stderr, as ecspresso's log lines are.
    """
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
        click.echo("Nothing to deregister.", err=True)
        return 0
    if dry_run:
        click.echo(f"Dry run: would {verb.lower()} {total} revision(s).", err=True)
        return 0
    if not force:
        _confirm(plans, revision_arg is not None)
    for fam, rm in plans:
        problems = remove(session, fam, rm, delete)
        for r in rm.remove:
            click.echo(f"{fam.key}: deregistered {short(r.arn)}", err=True)
        for p in problems:
            click.echo(f"{fam.key}: delete failed: {p}", err=True)
        if problems:
            raise EcsplanError(f"{fam.key}: {len(problems)} revision(s) could not be deleted")
        if delete and rm.remove:
            click.echo(f"{fam.key}: deleted {len(rm.remove)} revision(s)", err=True)
    done = "Deregistered and deleted" if delete else "Deregistered"
    click.echo(f"{done} {total} revision(s).", err=True)
    return 0


def _confirm(plans: Sequence[tuple[FamilyRevisions, Removal]], one: bool) -> None:
    """ecspresso v2.6.0 deregister.go: `Deregister app:3 ?` for --revision (here one prompt
    per family), `Deregister 4 revisons?` (sic) for --keeps; a no is `confirmation failed`."""
    from planner.cli.prompter import yes_no
    from planner.ops.revisions import short

    if one:
        asks = [f"Deregister {short(r.arn)} ?" for _, rm in plans for r in rm.remove]
    else:
        asks = [f"Deregister {sum(len(rm.remove) for _, rm in plans)} revisons?"]
    for ask in asks:
        if not yes_no(ask, False):
            click.echo("Aborted", err=True)
            raise EcsplanError("confirmation failed")
