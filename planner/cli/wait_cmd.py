"""`ecsplan wait`: wait on whatever rollout is in progress, with apply's failure rules
(planner/ops/waiting.py), in one progress view."""

from __future__ import annotations

import sys
import threading

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.flags import WaitUntil, timeout_of
from planner.cli.main import cli
from planner.errors import EcsplanError


@cli.command()
@click.option(
    "--wait-until",
    "--until",
    type=WaitUntil(),
    default="stable",
    show_default=True,
    help=(
        "stable | deployed | paused | ecs:<LifecycleStage> | codedeploy:<LifecycleEvent> "
        "(default stable, as ecspresso's wait)"
    ),
)
@click.option("--timeout", metavar="DURATION", help="Give up after this long (default: config).")
@pass_globals
def wait(g: Globals, wait_until: str, timeout: str | None) -> int:
    """Wait for the deployment in progress; exit 1 if it fails or is rolled back."""
    from planner.cli.progress import Progress
    from planner.cli.running import stop_on_signals
    from planner.ops.waiting import wait_all

    limit = timeout_of(timeout)
    session = g.session(definitions=False)
    progress = Progress(color=g.color_for(sys.stderr))
    stop = threading.Event()
    with stop_on_signals(stop, progress), progress:
        errors = wait_all(session, wait_until, limit, progress, stop)
    entries = session.entries
    for e in entries:
        if e.key not in errors:
            click.echo(f"{e.key}: {wait_until}")
        elif len(entries) > 1:
            click.echo(f"{e.key}: FAILED - {errors[e.key]}", err=True)
    if errors:
        first = next(e.key for e in entries if e.key in errors)
        msg = errors[first]
        raise EcsplanError(msg if len(errors) == 1 else f"{len(errors)} services failed; {msg}")
    return 0
