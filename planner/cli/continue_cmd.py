"""`ecsplan continue`: resume a deployment paused at a PAUSE lifecycle hook, then wait
(planner/ops/continuing.py); ecspresso's continue options and defaults (continue.go)."""

from __future__ import annotations

import sys
import threading

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.flags import WaitUntil, timeout_of
from planner.cli.main import cli
from planner.errors import EcsplanError


@cli.command("continue")
@click.option("--wait/--no-wait", default=True, help="Wait after continuing (default).")
@click.option(
    "--wait-until",
    type=WaitUntil(lifecycle=False),
    default="deployed",
    show_default=True,
    help="stable | deployed | paused (the next pause), as ecspresso's continue",
)
@click.option("--timeout", metavar="DURATION", help="Give up waiting after this long.")
@pass_globals
def continue_(g: Globals, wait: bool, wait_until: str, timeout: str | None) -> int:
    """Continue the deployment paused at a lifecycle hook; exit 1 if none is paused."""
    from planner.cli.progress import Progress
    from planner.cli.running import stop_on_signals
    from planner.ops.continuing import continue_all

    limit = timeout_of(timeout)
    session = g.session(definitions=False)
    progress = Progress(color=g.color_for(sys.stderr))
    stop = threading.Event()
    with stop_on_signals(stop, progress), progress:
        done, errors = continue_all(session, wait, wait_until, limit, progress, stop)
    for c in done:  # on stderr: ecspresso's continue logs and leaves stdout empty
        click.echo(f"{c.key}: continued deployment {c.deployment} at hook {c.hook_id}", err=True)
        if wait and c.key not in errors:
            click.echo(f"{c.key}: {wait_until}", err=True)
    entries = session.entries
    if len(entries) > 1:
        for e in entries:
            if e.key in errors:
                click.echo(f"{e.key}: FAILED - {errors[e.key]}", err=True)
    if errors:
        first = next(e.key for e in entries if e.key in errors)
        msg = errors[first]
        raise EcsplanError(msg if len(errors) == 1 else f"{len(errors)} services failed; {msg}")
    return 0
