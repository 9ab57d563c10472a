"""`ecsplan scale --tasks N`: a one- or two-step plan (desired count, scaling capacity),
shown and applied through the journal with the service lock, like any apply."""

from __future__ import annotations

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.flags import TASKS, timeout_of
from planner.cli.main import cli
from planner.plan.model import PlanOptions


def run_narrowed(
    g: Globals, options: PlanOptions, fields: set[str], what: str, *, dry_run: bool = False
) -> int:
    """Plan with the normal planner, keep only ``fields`` of the update, show, apply
    (``dry_run``: show only)."""
    from planner.cli.running import run_and_report, show_plan, warn_config
    from planner.ops.lifecycle import narrowed_plan, only_changed

    session = g.session()
    warn_config(session)
    plan = narrowed_plan(session, options, fields, what)
    show_plan(g, session, plan)
    if dry_run or not plan.has_changes:
        return 0
    return run_and_report(g, session, only_changed(plan), stale_check=False)


@cli.command()
@click.option("--tasks", type=TASKS, help="The desired count (default: unchanged).")
@click.option("--auto-scaling-min", type=int, help="Scalable target MinCapacity.")
@click.option("--auto-scaling-max", type=int, help="Scalable target MaxCapacity.")
@click.option("--suspend-auto-scaling", is_flag=True, help="Suspend auto scaling.")
@click.option("--resume-auto-scaling", is_flag=True, help="Resume auto scaling.")
@click.option("--dry-run", is_flag=True, help="Show the plan only; change nothing.")
@click.option("--wait/--no-wait", default=True, help="Wait until the tasks run (default).")
@click.option("--timeout", metavar="DURATION", help="Wait timeout (default: config).")
@pass_globals
def scale(
    g: Globals,
    tasks: int | None,
    auto_scaling_min: int | None,
    auto_scaling_max: int | None,
    suspend_auto_scaling: bool,
    resume_auto_scaling: bool,
    dry_run: bool,
    wait: bool,
    timeout: str | None,
) -> int:
    """Change the desired count (and scaling capacity or suspension), journaled and locked
    like apply. Without --tasks the count is kept: with no other flag, nothing changes and
    the exit code is 0, as with ecspresso."""
    options = PlanOptions(
        skip_task_definition=True,
        tasks=tasks,
        auto_scaling_min=auto_scaling_min,
        auto_scaling_max=auto_scaling_max,
        suspend_auto_scaling=suspend_auto_scaling,
        resume_auto_scaling=resume_auto_scaling,
        wait=wait,
        wait_until="stable",
        timeout_seconds=timeout_of(timeout),
    )
    fields = {"desiredCount"} if tasks is not None else set()
    return run_narrowed(g, options, fields, "scale", dry_run=dry_run)
