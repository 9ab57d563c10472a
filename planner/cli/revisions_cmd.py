"""`ecsplan revisions`: the family's ACTIVE revisions and what uses each one.

``--output table|tsv|json`` print what ecspresso v2.6.0 prints (revisions.go), with its
in-use texts (``PRIMARY deployment``, ``RUNNING task``). ecsplan keeps more revisions than
that (a task set, the last run's rollback target...): ``--output detail`` shows every reason,
and `deregister` never removes such a revision (planner/ops/revisions.py).
"""

from __future__ import annotations

import sys

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli

FORMATS = ("table", "json", "tsv", "number", "detail", "")
DETAIL_LIMIT = 20


@cli.command()
@click.option(
    "--output",
    type=click.Choice(FORMATS),
    help="table, json, tsv (ecspresso's; '' is table), number (bare revision numbers) or "
    "detail (ecsplan's table of every reason). Default: table on a terminal; piped, number.",
)
@click.option(
    "--revision",
    "revision_arg",
    metavar="N|current|latest",
    help="Print this task definition as JSON (also family:N); secrets are masked.",
)
@click.option("--limit", type=int, help="Newest N revisions only (detail: 20 by default).")
@click.option("--all", "show_all", is_flag=True, help="Every ACTIVE revision (undoes --limit).")
@pass_globals
def revisions(
    g: Globals, output: str | None, revision_arg: str | None, limit: int | None, show_all: bool
) -> int:
    """List the family's revisions, marking those in use (deployments, tasks; detail: also
    task sets and the last run's rollback target).

    Piped, the default output is the bare revision numbers of every ACTIVE revision, so the
    ecspresso guide's `revisions | sort -n | head -n -5` cleanup loop works unchanged.
    """
    if revision_arg is not None:
        return _dump(g, revision_arg)
    from planner.ops.revisions import read_revisions
    from planner.render.revisions_view import show_revisions

    if output is None:
        output = "table" if sys.stdout.isatty() else "number"
    output = output or "table"
    if show_all:
        limit = None
    elif limit is None and output == "detail":
        limit = DETAIL_LIMIT
    session = g.session()
    fams = read_revisions(session, (limit or 10**9) if output == "detail" else 0)
    show_revisions(fams, output, limit, g.color)
    return 0


def _dump(g: Globals, revision_arg: str) -> int:
    """`--revision`: the value is checked before any config or AWS read."""
    from planner.ops.revisions import describe_revisions, parse_revision_spec
    from planner.plan.secrets import secret_values_in
    from planner.render.revisions_view import task_definition_text

    spec = parse_revision_spec(revision_arg)
    session = g.session()
    for entry, td in describe_revisions(session, spec):
        local = entry.config.task_definition or {}
        hidden = secret_values_in(td, session.sensitive) | secret_values_in(
            local, session.sensitive
        )
        click.echo(task_definition_text(td, hidden), nl=False)
    return 0
