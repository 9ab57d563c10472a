"""`ecsplan graph [PLANFILE]`: the workspace's dependency order as Mermaid or DOT
(planner/ops/graph.py builds it, planner/render/graph.py draws it)."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli


@cli.command()
@click.argument("planfile", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="Mermaid (GitHub renders ```mermaid blocks) or Graphviz DOT (dot -Tsvg).",
)
@pass_globals
def graph(g: Globals, planfile: str | None, fmt: str) -> int:
    """Draw the workspace's dependency order (depends_on): an arrow goes from a service to
    the ones that depend on it, the order apply takes. Given a saved plan (`plan --out
    PLANFILE`), each service is marked create, update, replace, delete, no changes or not in
    the plan. Loads no service config and reads no live state."""
    from planner.ops.graph import workspace_graph
    from planner.render.graph import render_dot, render_mermaid

    options = g.load_options(definitions=False) if g.workspace else None
    result = workspace_graph(g.workspace, planfile, options)
    if fmt == "dot":
        name = Path(g.workspace or planfile or "ecsplan").name
        click.echo(render_dot(result, name), nl=False)
    else:
        click.echo(render_mermaid(result), nl=False)
    return 0
