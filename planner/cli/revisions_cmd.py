"""`ecsplan revisions`: the family's ACTIVE revisions and what uses each one.

"In use" = the service, a deployment or task set, a running task of the family, or the last
run (its rollback target). The same reading decides what `deregister` may remove
(planner/ops/revisions.py).
"""

from __future__ import annotations

import sys

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli


@cli.command()
@click.option(
    "--output",
    type=click.Choice(["table", "json", "tsv", "number"]),
    help="Default: table on a terminal; piped, every revision number, one per line.",
)
@click.option("--limit", type=int, default=20, show_default=True, help="Newest N revisions.")
@click.option("--all", "show_all", is_flag=True, help="Every ACTIVE revision.")
@pass_globals
def revisions(g: Globals, output: str | None, limit: int, show_all: bool) -> int:
    """List the family's revisions, marking those in use (service, deployment, task, run).

    Piped, the default output is the bare revision numbers of every ACTIVE revision, so the
    ecspresso guide's `revisions | sort -n | head -n -5` cleanup loop works unchanged.
    """
    from planner.ops.revisions import read_revisions
    from planner.render.revisions_view import show_revisions

    output = output or ("table" if sys.stdout.isatty() else "number")
    session = g.session()
    details = 0 if output in ("number", "tsv") else (10**9 if show_all else limit)
    fams = read_revisions(session, details)
    show_revisions(fams, output, None if show_all else limit, g.color)
    return 0
