"""`ecsplan status`: deployments / task sets, counts, launch, auto scaling, events of each
selected service (planner/ops/status.py reads, planner/render/status_view.py shows)."""

from __future__ import annotations

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli


@cli.command()
@click.option("--events", type=int, help="Recent events per service (default 10; 2 for many).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_globals
def status(g: Globals, events: int | None, fmt: str) -> int:
    """Show each service's state, deployments, task sets, auto scaling and recent events."""
    from planner.ops.status import gather
    from planner.render.status_view import status_view

    session = g.session(definitions=False)
    n = events if events is not None else (10 if len(session.entries) == 1 else 2)
    status_view(fmt, g.color)(gather(session, n))
    return 0
