"""`ecsplan scale --tasks N`: a one- or two-step plan (desired count, scaling capacity),
shown and applied through the journal with the service lock, like any apply."""

from __future__ import annotations

import click

from planner.cli.apply_cmd import execute
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.plan_cmd import emit, make_plan
from planner.config.duration import parse_duration
from planner.errors import EcsplanError
from planner.ops.narrow import narrow_plan
from planner.plan.model import Plan, PlanOptions
from planner.render.secrets import sensitive_values


def run_narrowed(g: Globals, options: PlanOptions, fields: set[str], what: str) -> int:
    """Plan with the normal planner, keep only ``fields`` of the update, show, apply."""
    plan, sel = make_plan(g, options)
    missing = [sp.key for sp in plan.services if sp.fingerprint.status != "ACTIVE"]
    if missing:
        raise EcsplanError(f"{missing[0]}: the service does not exist; nothing to {what}")
    plan = narrow_plan(plan, fields)
    emit(plan, "text", g, sensitive_values(plan, sel.sensitive), None, None)
    if not plan.has_changes:
        return 0
    return execute(g, _only_changed(plan), sel, stale_check=False)


def _only_changed(plan: Plan) -> Plan:
    from dataclasses import replace

    return replace(plan, services=tuple(sp for sp in plan.services if sp.has_changes))


def timeout_of(value: str | None) -> float | None:
    try:
        return parse_duration(value) if value else None
    except ValueError as e:
        raise EcsplanError(f"--timeout: {e}") from e


@cli.command()
@click.option("--tasks", type=int, required=True, help="The desired count.")
@click.option("--auto-scaling-min", type=int, help="Scalable target MinCapacity.")
@click.option("--auto-scaling-max", type=int, help="Scalable target MaxCapacity.")
@click.option("--no-wait", is_flag=True, help="Do not wait until the tasks run.")
@click.option("--timeout", metavar="DURATION", help="Wait timeout (default: config).")
@pass_globals
def scale(
    g: Globals,
    tasks: int,
    auto_scaling_min: int | None,
    auto_scaling_max: int | None,
    no_wait: bool,
    timeout: str | None,
) -> int:
    """Change the desired count (and scaling capacity), journaled and locked like apply."""
    if tasks < 0:
        raise EcsplanError("--tasks must be 0 or more")
    options = PlanOptions(
        skip_task_definition=True,
        tasks=tasks,
        auto_scaling_min=auto_scaling_min,
        auto_scaling_max=auto_scaling_max,
        wait=not no_wait,
        wait_until="stable",
        timeout_seconds=timeout_of(timeout),
    )
    return run_narrowed(g, options, {"desiredCount"}, "scale")
