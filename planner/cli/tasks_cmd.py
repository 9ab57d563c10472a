"""`ecsplan tasks`: the service's tasks; `--find` for scripts; `--stop ID` stops one.

ecspresso's spellings work too: `--id ID` picks a task (`--find --id` dumps it as JSON,
`--stop --id ID` stops it), `--filter-command` (peco, fzf) chooses one for `--find` and
`--stop` as ecspresso does, and `--output table|json|tsv` picks the format."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.picker import choose_task
from planner.errors import EcsplanError

if TYPE_CHECKING:  # imported when a command runs, not for `tasks --help`
    from planner.ops.session import Session
    from planner.ops.tasks import Tasks


@cli.command()
@click.option("--id", "task_ref", metavar="ID", help="Only this task (id or ARN).")
@click.option(
    "--find",
    is_flag=True,
    help="Print the running tasks' ARNs, one per line; with --id or --filter-command, "
    "that task as JSON.",
)
@click.option(
    "--stop",
    "stop_id",
    metavar="[ID]",
    is_flag=False,
    flag_value="",
    default=None,
    help="Stop this task (id or ARN; or the one --id names).",
)
@click.option("--force", is_flag=True, help="Stop without asking.")
@click.option(
    "--output",
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "tsv"]),
    default="table",
    show_default=True,
    help="table, json, or tsv (a header line, then one task per line).",
)
@pass_globals
def tasks(
    g: Globals, task_ref: str | None, find: bool, stop_id: str | None, force: bool, fmt: str
) -> int:
    """List the service's tasks (revision, status, health, started, stopped reason)."""
    from planner.ops.tasks import list_tasks
    from planner.render.tasks_view import show_tasks

    session = g.session(definitions=False)
    found = list_tasks(session)
    if task_ref:
        found = found.only(task_ref)
    filter_command = g.filter_for(next((e.config.filter_command for e in session.entries), None))
    if stop_id is not None:
        wanted = stop_id or task_ref
        if not wanted and filter_command:
            live = [r for r in found.rows if r["lastStatus"] != "STOPPED"]
            wanted = choose_task(filter_command, live)
        if not wanted:
            raise EcsplanError(
                "--stop needs a task: --stop ID, --stop --id ID, or --filter-command to choose"
            )
        return _stop(session, found, wanted, force)
    if find and not task_ref and filter_command and found.rows:  # ecspresso: choose one
        task_ref = choose_task(filter_command, found.rows)
        found = found.only(task_ref)
    if find and task_ref:
        click.echo(json.dumps(found.raw[found.rows[0]["taskArn"]], indent=2, default=str))
        return 0
    if find:
        for r in found.rows:
            if r["desiredStatus"] == "RUNNING":
                click.echo(r["taskArn"])
        return 0
    show_tasks(found.rows, fmt, g.color)
    return 0


def _stop(session: Session, found: Tasks, wanted: str, force: bool) -> int:
    from planner.ops.tasks import stop_task, stoppable

    r = stoppable(found, wanted)
    if not force:
        if not sys.stdin.isatty():
            raise EcsplanError("stopping a task needs confirmation: pass --force")
        click.confirm(f"Stop task {r['id']} ({r['revision']}) of {r['service']}?", abort=True)
    out = stop_task(session, r, "stopped by ecsplan tasks --stop")
    click.echo(
        f"{r['service']}: stopping task {r['id']} (now {out.get('lastStatus')}, desired {out.get('desiredStatus')})"
    )
    return 0
