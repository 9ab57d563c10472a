"""`ecsplan deregister --revision N | --keep N`: task definition hygiene that never removes
a revision the service, a deployment, a task set, a running task or the last run's rollback
needs. Replaces the seed's cleanup-task-definitions.sh."""

from __future__ import annotations

import sys

import click

from planner.aws.ops import OpsClient
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.revisions_cmd import FamilyRevisions, read_all, uses_cell
from planner.cli.services import select
from planner.errors import EcsplanError
from planner.ops.revisions import Removal, choose, short
from planner.render.tables import console, table


def _revision(arg: str, fam: FamilyRevisions) -> int:
    """``--revision``: ``N``, ``family:N`` (a line of `revisions`) or ``latest`` (ecspresso)."""
    text = arg.strip()
    if text == "latest":
        if not fam.revisions:
            raise EcsplanError(f"{fam.key}: family {fam.family} has no ACTIVE revision")
        return fam.revisions[0].revision
    family, sep, number = text.rpartition(":")
    if sep and family.rsplit("/", 1)[-1] != fam.family:
        raise EcsplanError(f"--revision {arg}: not a revision of family {fam.family}")
    try:
        return int(number)
    except ValueError:
        raise EcsplanError(f"--revision {arg}: expected a number, family:N or latest") from None


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
    if (revision_arg is None) == (keep is None):
        raise EcsplanError("give exactly one of --revision N or --keep N")
    sel = select(g)
    fams = read_all(g, sel, 0)
    plans: list[tuple[str, OpsClient, Removal]] = []
    aws = g.aws()
    for f in fams:
        revision = None if revision_arg is None else _revision(revision_arg, f)
        plans.append(
            (f.key, OpsClient(aws, f.ref.region), choose(f.revisions, keep=keep, revision=revision))
        )
    con = console(g.color)
    verb = "Deregister and delete" if delete else "Deregister"
    rows = [[key, short(r.arn), "remove"] for key, _, rm in plans for r in rm.remove]
    rows += [
        [key, short(r.arn), f"keep (in use: {uses_cell(r)})"]
        for key, _, rm in plans
        for r in rm.kept
        if r.in_use
    ]
    total = sum(len(rm.remove) for _, _, rm in plans)
    if rows:
        con.print(table(("service", "revision", "action"), rows))
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
    for key, ops, rm in plans:
        for r in rm.remove:
            ops.deregister_task_definition(r.arn)
            click.echo(f"{key}: deregistered {short(r.arn)}")
        if delete and rm.remove:
            problems = ops.delete_task_definitions([r.arn for r in rm.remove])
            for p in problems:
                click.echo(f"{key}: delete failed: {p}", err=True)
            if problems:
                raise EcsplanError(f"{key}: {len(problems)} revision(s) could not be deleted")
            click.echo(f"{key}: deleted {len(rm.remove)} revision(s)")
    done = "Deregistered and deleted" if delete else "Deregistered"
    click.echo(f"{done} {total} revision(s).")
    return 0
