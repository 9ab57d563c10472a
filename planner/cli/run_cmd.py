"""`ecsplan run`: a one-off task with the service's network settings (ecspresso run).

The exit code is the essential container's: CI jobs such as database migrations run this way
and must fail when the task fails. A task that never started (TaskFailedToStart, e.g. an
image that cannot be pulled) is an error naming ECS's reason.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.flags import pin_task_definition
from planner.cli.main import cli
from planner.errors import EcsplanError

if TYPE_CHECKING:
    from planner.ops.session import Session


@cli.command()
@click.option("--overrides", metavar="JSON", help="RunTask overrides (containerOverrides...).")
@click.option("--count", default=1, show_default=True, type=click.IntRange(1, 10))
@click.option(
    "--wait-until",
    type=click.Choice(["running", "stopped"]),
    default="stopped",
    show_default=True,
    help="Return when the tasks run, or when they have stopped (exit code follows theirs).",
)
@click.option(
    "--task-definition",
    "which",
    default=None,
    metavar="current|latest|ARN",
    help="Run the service's task definition, the family's newest revision, or an ARN instead "
    "of registering the local one.",
)
@click.option(
    "--task-def",
    "task_def",
    metavar="FILE",
    help="Register this task definition file (templates rendered as the config's) and run it.",
)
@click.option("--wait/--no-wait", default=True, help="Wait for the tasks (default).")
@click.option("--overrides-file", metavar="FILE", help="RunTask overrides from a JSON file.")
@click.option(
    "--skip-task-definition", is_flag=True, help="ecspresso's name of --task-definition current."
)
@click.option(
    "--latest-task-definition", is_flag=True, help="ecspresso's name of --task-definition latest."
)
@click.option("--revision", type=int, help="Run this revision of the family.")
@click.option("--watch-container", metavar="NAME", help="The container whose exit code counts.")
@click.option("--tags", metavar="K=V[,K=V]", help="Tags for the task.")
@click.option(
    "--propagate-tags",
    type=click.Choice(["SERVICE", "TASK_DEFINITION", "NONE", ""]),
    default="",
    help="SERVICE: add the service's tags; TASK_DEFINITION: ECS copies the family's tags.",
)
@click.option("--client-token", metavar="TOKEN", help="RunTask's idempotency token.")
@click.option(
    "--ebs-delete-on-termination/--no-ebs-delete-on-termination",
    default=True,
    help="Delete the task's managed EBS volumes when it stops (default).",
)
@click.option("--dry-run", is_flag=True, help="Show the task definition to run; start nothing.")
@pass_globals
def run(
    g: Globals,
    overrides: str | None,
    count: int,
    wait_until: str,
    which: str | None,
    task_def: str | None,
    wait: bool,
    overrides_file: str | None,
    skip_task_definition: bool,
    latest_task_definition: bool,
    revision: int | None,
    watch_container: str | None,
    tags: str | None,
    propagate_tags: str,
    client_token: str | None,
    ebs_delete_on_termination: bool,
    dry_run: bool,
) -> int:
    """Run a task with the service's network configuration, launch type or capacity
    provider strategy and platform version; wait and exit with the essential container's
    exit code. Without a pin flag, the local task definition (or --task-def FILE) is
    registered first and that revision runs, as ecspresso's run does."""
    # ecspresso v2.6.0 run.go taskDefinitionArnForRun: --revision, else --latest-, else
    # --skip-task-definition, else register the task definition file; only --revision with
    # --latest-task-definition is refused
    pin_task_definition(skip_task_definition, revision, latest_task_definition)
    which = _pinned(which, skip_task_definition, latest_task_definition)
    register = which is None and revision is None
    if task_def and not register:
        click.echo("warning: --task-def is ignored: a pin flag chooses the revision", err=True)
    if overrides and overrides_file:
        raise EcsplanError("--overrides and --overrides-file exclude each other")
    if overrides_file:
        overrides = _read_file(overrides_file)
    from planner.ops.run_task import RunOptions, check_options, prepare, run_tasks

    opts = RunOptions(
        count=count,
        which=which or "current",
        revision=revision,
        overrides=overrides,
        tags=tags,
        until=wait_until,
        watch_container=watch_container,
        propagate_tags=propagate_tags,
        client_token=client_token,
        ebs_delete_on_termination=ebs_delete_on_termination,
    )
    check_options(opts)
    session = g.session()
    if register:
        registered = _register(g, session, task_def, count, dry_run)
        if registered is None:
            return 0
        opts = replace(opts, which=registered)
    ready = prepare(session, opts)
    if dry_run:
        click.echo(f"Dry run: would run {count} task(s) of {ready.td_arn.rsplit('/', 1)[-1]}")
        return 0
    return run_tasks(session, ready, opts, wait, lambda line, err: click.echo(line, err=err))


def _pinned(which: str | None, skip: bool, latest: bool) -> str | None:
    """The revision a pin flag names (ecspresso's --latest-/--skip-task-definition)."""
    if latest:
        return "latest"
    return "current" if skip and which is None else which


def _register(
    g: Globals, session: Session, task_def: str | None, count: int, dry_run: bool
) -> str | None:
    """Register the task definition to run (journaled, as `ecsplan register`): its ARN, or
    None after a dry run's line."""
    from planner.cli.running import journaled
    from planner.config.validate import load_valid_task_definition
    from planner.ops.lifecycle import register_plan, registered_arns

    if len(session.entries) != 1:
        raise EcsplanError("run works on one service; name one config with -c")
    doc = load_valid_task_definition(task_def, g.load_options()) if task_def else None
    family = (doc or session.entries[0].config.task_definition or {}).get("family")
    if dry_run:
        click.echo(f"Dry run: would register a new revision of {family} and run {count} task(s)")
        return None
    plan = register_plan(session, doc)
    (result,) = journaled(g, session, plan, operation="register", stale_check=False)
    arns = registered_arns(result)
    if not result.ok or not arns:
        raise EcsplanError(
            f"{result.key}: registering {family} failed: {result.message or result.outcome}"
        )
    click.echo(f"{result.key}: registered {arns[0].rsplit('/', 1)[-1]}", err=True)
    return arns[0]


def _read_file(path: str) -> str:
    try:
        return open(path, encoding="utf-8").read()
    except OSError as e:
        raise EcsplanError(f"--overrides-file {path}: {e.strerror}") from e
