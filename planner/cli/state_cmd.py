"""`ecsplan state list|show|unlock`: what the journals and locks say, and releasing a stale lock."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


@contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    """State warnings (a torn journal line...) as `Warning: ...` lines, not Python tracebacks."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                click.echo(f"Warning: {w.message}", err=True)


def _emit(fmt: str, data: Callable[[], Any], text: Callable[[], list[str]]) -> None:
    click.echo(json.dumps(data(), indent=2) if fmt == "json" else "\n".join(text()))


@cli.group(name="state")
def state_group() -> None:
    """Inspect state, journals and locks (--state PATH or s3://bucket/prefix; by default the
    state of the workspace or config, as plan and apply use it)."""


@state_group.command(name="list")
@FORMAT
@pass_globals
def state_list(g: Globals, fmt: str) -> None:
    """Services with state, their last run and outcome, and the locks held."""
    from planner.ops.state_info import overview
    from planner.render.state_view import overview_data, overview_lines

    location, backend = g.state_backend()
    with _warnings_to_stderr():
        result = overview(backend, location)
    _emit(fmt, lambda: overview_data(result), lambda: overview_lines(result))


@state_group.command(name="show")
@click.argument("service")
@click.option("--runs", "limit", type=click.IntRange(min=1), default=5, show_default=True)
@FORMAT
@pass_globals
def state_show(g: Globals, service: str, limit: int, fmt: str) -> None:
    """The last runs of SERVICE (cluster/service, or just service), their steps and lock."""
    from planner.ops.state_info import history
    from planner.render.state_view import history_data, history_lines

    location, backend = g.state_backend()
    with _warnings_to_stderr():
        result = history(backend, location, service, limit)
    _emit(fmt, lambda: history_data(result), lambda: history_lines(result))


@state_group.command(name="unlock")
@click.argument("lock_id")
@pass_globals
def state_unlock(g: Globals, lock_id: str) -> None:
    """Release the lock LOCK_ID left by a dead run (see `ecsplan state list`)."""
    from planner.ops.state_info import unlock
    from planner.render.state_view import unlock_lines

    _, backend = g.state_backend()
    with _warnings_to_stderr():
        result = unlock(backend, lock_id)
    click.echo("\n".join(unlock_lines(result)))
