"""`ecsplan appspec`: the AppSpec ecsplan sends to CodeDeploy for a CODE_DEPLOY service."""

from __future__ import annotations

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli


@cli.command()
@click.option(
    "--task-definition",
    "which",
    default="current",
    show_default=True,
    metavar="current|latest|ARN",
    help="TaskDefinition in the AppSpec: the service's, the family's newest, or an ARN.",
)
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml")
@pass_globals
def appspec(g: Globals, which: str, fmt: str) -> None:
    """Print the AppSpec (version 0.0, TargetService, hooks from the config)."""
    from planner.ops.appspec import appspecs
    from planner.render.appspec_view import show_appspecs

    show_appspecs(appspecs(g.session(), which), fmt)
