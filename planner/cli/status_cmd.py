"""`ecsplan status`: each selected service as `ecspresso status` prints it (planner/ops/status.py
reads, planner/render/status_view.py shows); `--output table|json` for ecsplan's table and JSON.
"""

from __future__ import annotations

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.errors import EcsplanError

OUTPUTS = ("text", "table", "json")
# The flag before --output: its `text` was the table, and stays so for scripts that pass it
LEGACY_FORMAT = {"text": "table", "json": "json"}


def pick_output(output: str | None, legacy: str | None) -> str:
    """--output wins; --format keeps its old meaning; the default is ecspresso's text."""
    if output and legacy and output != LEGACY_FORMAT[legacy]:
        raise EcsplanError(f"--format {legacy} and --output {output} disagree; give --output alone")
    return output or (LEGACY_FORMAT[legacy] if legacy else "text")


@cli.command()
@click.option(
    "--events",
    type=int,
    help="Newest events shown per service (default 10; 2 each when several are selected).",
)
@click.option(
    "--output",
    type=click.Choice(OUTPUTS),
    help="text: the block ecspresso prints (default); table: one row per service; json.",
)
@click.option(
    "--format",
    "legacy",
    type=click.Choice(tuple(LEGACY_FORMAT)),
    help="Older spelling: text = --output table, json = --output json.",
)
@pass_globals
def status(g: Globals, events: int | None, output: str | None, legacy: str | None) -> int:
    """Show each service's deployments or task sets, auto scaling and newest events.

    Exit 1 when a selected service is missing or INACTIVE (`service NAME is not found`),
    after showing the others."""
    from planner.ops.status import check_found, gather
    from planner.render.status_view import status_view

    view = status_view(pick_output(output, legacy), g.color)
    session = g.session(definitions=False)
    n = events if events is not None else (10 if len(session.entries) == 1 else 2)
    statuses = gather(session, n)
    for s in statuses:
        for w in s.warnings:
            click.echo(f"warning: {w}", err=True)
    view(statuses)
    check_found(statuses)
    return 0
