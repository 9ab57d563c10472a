"""`ecsplan apply` and `ecsplan deploy`: parse the flags, build or re-derive the plan (the
operations in planner/ops/planning.py and planner/apply/), show it, confirm, run it."""

from __future__ import annotations

import sys
from typing import Any

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.flags import options_from, plan_flags
from planner.cli.main import cli
from planner.errors import EcsplanError


@cli.command()
@click.argument("planfile", required=False)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--resume", is_flag=True, help="Continue the last unfinished run, all of it, from the state."
)
@click.option(
    "--take-over-locks",
    is_flag=True,
    help="With --resume: take over the interrupted run's locks also when they were taken on "
    "another host (that runner is gone).",
)
@plan_flags
@pass_globals
def apply(
    g: Globals,
    planfile: str | None,
    auto_approve: bool,
    resume: bool,
    take_over_locks: bool,
    **flags: Any,
) -> int:
    """Apply a saved plan exactly (no prompt), or plan, show and ask first."""
    if take_over_locks and not resume:
        raise EcsplanError("--take-over-locks goes with --resume")
    if resume:
        if planfile:
            raise EcsplanError("--resume continues the recorded run; give no plan file")
        return _resume(g, take_over_locks)
    if planfile:
        return _apply_saved(g, planfile, flags)
    from planner.cli.running import run_and_report, show_plan, warn_config
    from planner.ops.planning import make_plan

    session = g.session()
    warn_config(session)
    plan = make_plan(session, options_from(flags))
    show_plan(g, session, plan)
    if not plan.has_changes:
        return 0
    if not auto_approve:
        if not sys.stdin.isatty():
            raise EcsplanError("apply needs confirmation: pass --auto-approve or a plan file")
        click.confirm("Apply?", default=False, abort=True)
    return run_and_report(g, session, plan)  # stale-checked: the prompt may have sat open


def _apply_saved(g: Globals, planfile: str, flags: dict[str, Any]) -> int:
    """A plan file: applied only as this session's configs and flags make it."""
    from planner.apply.saved_plan import read_plan_file, verified_plan
    from planner.cli.running import run_and_report, show_plan
    from planner.plan.codec import plan_from_data

    data = read_plan_file(planfile)
    session = g.saved_session(plan_from_data(data))
    plan = verified_plan(session, planfile, data, options_from(flags))
    show_plan(g, session, plan)
    if not plan.has_changes:
        return 0
    return run_and_report(g, session, plan)


def _resume(g: Globals, other_hosts: bool) -> int:
    """Continue the newest unfinished run of the selected services, all of it."""
    from planner.apply.operations import prepare_resume
    from planner.cli.running import apply_command_hint, run_and_report

    ready = prepare_resume(g.session(), apply_command_hint(g, None), other_hosts=other_hosts)
    for w in ready.warnings:
        click.echo(f"warning: {w}", err=True)
    record, progress = ready.progress.record, ready.progress
    todo = [k for k in progress.outcomes if k not in progress.done]
    click.echo(
        f"Resuming run {record.run_id} ({record.operation} by {record.who}, {record.created}): "
        f"{', '.join(todo)} to finish"
        + (f"; {', '.join(progress.done)} done" if progress.done else ""),
        err=True,
    )
    return run_and_report(g, ready.session, ready.plan, resume=progress)


@cli.command()
@click.option("--dry-run", is_flag=True, help="Plan only; change nothing.")
@click.option(
    "--update-service/--no-update-service",
    default=True,
    show_default=True,
    help="Apply the service definition's attributes; with --no-update-service only the task "
    "definition, --tasks and --force-new-deployment reach UpdateService (as in ecspresso).",
)
@click.option("--wait", "wait_flag", is_flag=True, help="Wait for the rollout (the default).")
@plan_flags
@pass_globals
def deploy(g: Globals, dry_run: bool, update_service: bool, wait_flag: bool, **flags: Any) -> int:
    """Plan and apply in one go (ecspresso's deploy), no prompt."""
    from planner.cli.running import run_and_report, show_plan, warn_config
    from planner.ops.narrow import without_service_update
    from planner.ops.planning import make_plan

    if wait_flag and flags.get("no_wait"):
        raise EcsplanError("--wait and --no-wait: both forms given; give one")
    session = g.session()
    warn_config(session)
    plan = make_plan(session, options_from(flags))
    if not update_service:
        plan = without_service_update(plan)
    show_plan(g, session, plan)
    if dry_run or not plan.has_changes:
        return 0
    return run_and_report(g, session, plan, stale_check=False)
