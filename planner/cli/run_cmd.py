"""`ecsplan run`: a one-off task with the service's network settings (ecspresso run).

The exit code is the essential container's: CI jobs such as database migrations run this way
and must fail when the task fails. A task that never started (TaskFailedToStart, e.g. an
image that cannot be pulled) is an error naming ECS's reason.
"""

from __future__ import annotations

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.flags import pin_task_definition
from planner.cli.main import cli
from planner.errors import EcsplanError


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
    default="current",
    show_default=True,
    metavar="current|latest|ARN",
    help="The service's task definition, the family's newest revision, or an ARN.",
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
    which: str,
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
    exit code."""
    # ecspresso v2.6.0 run.go resolveTaskDefinitionForRun: --revision, else --latest-, else
    # --skip-task-definition; only --revision with --latest-task-definition is refused
    pin_task_definition(skip_task_definition, revision, latest_task_definition)
    if latest_task_definition:
        which = "latest"
    if overrides and overrides_file:
        raise EcsplanError("--overrides and --overrides-file exclude each other")
    if overrides_file:
        overrides = _read_file(overrides_file)
    from planner.ops.run_task import RunOptions, prepare, run_tasks

    opts = RunOptions(
        count=count,
        which=which,
        revision=revision,
        overrides=overrides,
        tags=tags,
        until=wait_until,
        watch_container=watch_container,
        propagate_tags=propagate_tags,
        client_token=client_token,
        ebs_delete_on_termination=ebs_delete_on_termination,
    )
    session = g.session()
    ready = prepare(session, opts)
    if dry_run:
        click.echo(f"Dry run: would run {count} task(s) of {ready.td_arn.rsplit('/', 1)[-1]}")
        return 0
    return run_tasks(session, ready, opts, wait, lambda line, err: click.echo(line, err=err))


def _read_file(path: str) -> str:
    try:
        return open(path, encoding="utf-8").read()
    except OSError as e:
        raise EcsplanError(f"--overrides-file {path}: {e.strerror}") from e
