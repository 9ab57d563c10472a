"""What commands share to show a plan and to run one: the view chosen from the flags, the
progress display and Ctrl-C handling around a journaled run, and its report."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from planner.apply.operations import Hooks, run_journaled
from planner.cli.context import Globals
from planner.cli.progress import Progress
from planner.ops.planning import config_warnings
from planner.ops.session import Session
from planner.plan.model import Plan
from planner.plan.outcome import ServiceResult
from planner.plan.secrets import sensitive_values
from planner.render.plan_view import PlanView
from planner.render.results import report


def warn_config(session: Session) -> None:
    for w in config_warnings(session):
        click.echo(f"warning: {w}", err=True)


def selection_flags(g: Globals) -> str:
    """The -w/-c the user gave, for the commands a message suggests next."""
    return f"-w {g.workspace}" if g.workspace else " ".join(f"-c {c}" for c in g.config_paths)


def apply_command_hint(g: Globals, out: str | None) -> str:
    parts = ["ecsplan"]
    if g.workspace:
        parts += ["-w", g.workspace]
    for c in g.configs:
        parts += ["-c", c]
    parts += ["apply", out] if out else ["apply"]
    return " ".join(parts)


def graph_command_hint(g: Globals, out: str | None) -> str:
    """How to draw the plan's dependency diagram when the Markdown cannot hold it."""
    if g.workspace:
        return f"ecsplan -w {g.workspace} graph" + (f" {out}" if out else "")
    return f"ecsplan graph {out or 'plan.json'}"


def plan_view(
    g: Globals, fmt: str = "text", out: str | None = None, comment_file: str | None = None
) -> PlanView:
    return PlanView(
        fmt=fmt,
        color=g.color,
        apply_command=apply_command_hint(g, out),
        comment_file=comment_file,
        graph_command=graph_command_hint(g, out),
    )


def show_plan(g: Globals, session: Session, plan: Plan) -> None:
    """The plan as text, secrets masked: what apply, deploy and friends show first."""
    plan_view(g).show(plan, sensitive_values(plan, session.sensitive))


@contextmanager
def stop_on_signals(stop: threading.Event, progress: Progress) -> Iterator[None]:
    """SIGINT/SIGTERM: stop scheduling new steps, abandon waits, keep the journal resumable."""

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        progress.message("Stopping: finishing the current call, then writing the journal...")

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def journaled(
    g: Globals, session: Session, plan: Plan, *, operation: str = "apply", **kw: Any
) -> list[ServiceResult]:
    """Run a plan through locks and journals with the progress view; Ctrl-C stops cleanly."""
    progress = Progress(color=g.color_for(sys.stderr))
    hooks = Hooks(
        observer=progress,
        on_start=lambda sp: progress.message(f"{sp.key}: {len(sp.steps)} step(s) to {operation}"),
    )
    with stop_on_signals(hooks.stop, progress), progress:
        return run_journaled(session, plan, hooks, operation=operation, **kw)


def finish(g: Globals, session: Session, results: list[ServiceResult], verb: str = "Apply") -> int:
    return report(results, verb=verb, retries=session.aws.retries, selection=selection_flags(g))


def run_and_report(
    g: Globals, session: Session, plan: Plan, *, verb: str = "Apply", **kw: Any
) -> int:
    return finish(g, session, journaled(g, session, plan, **kw), verb)
