"""`ecsplan tasks`: the service's tasks; `--find` for scripts; `--stop ID` stops one.

ecspresso's spellings work too: `--id ID` picks a task (`--find --id` dumps it as JSON,
`--stop --id ID` stops it), `--filter-command` (peco, fzf) chooses one for `--find` and
`--stop` as ecspresso does, and `--output table|json|tsv` picks the format."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

import click

from planner.aws.ops import OpsClient
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.picker import choose_task, task_row
from planner.cli.services import select
from planner.cli.status_cmd import refs_of
from planner.errors import EcsplanError
from planner.render.tables import console, table


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
    sel = select(g, definitions=False)
    refs = refs_of(g, sel)
    aws = g.aws()
    rows: list[dict[str, Any]] = []
    raw: dict[str, Mapping[str, Any]] = {}
    for e in sel.entries:
        ref = refs[e.key]
        ops = OpsClient(aws, ref.region)
        for t in ops.service_tasks(ref.cluster, ref.service):
            rows.append(task_row(e.key, t))
            raw[str(t.get("taskArn"))] = t
    if task_ref:
        rows = [r for r in rows if task_ref in (r["id"], r["taskArn"])]
        if not rows:
            raise EcsplanError(f"task {task_ref} is not a task of the selected service(s)")
    filter_command = g.filter_for(next((e.config.filter_command for e in sel.entries), None))
    if stop_id is not None:
        wanted = stop_id or task_ref
        if not wanted and filter_command:
            live = [r for r in rows if r["lastStatus"] != "STOPPED"]
            wanted = choose_task(filter_command, live)
        if not wanted:
            raise EcsplanError(
                "--stop needs a task: --stop ID, --stop --id ID, or --filter-command to choose"
            )
        return _stop(g, refs, rows, wanted, force)
    if find and not task_ref and filter_command and rows:  # ecspresso: choose one, dump it
        task_ref = choose_task(filter_command, rows)
        rows = [r for r in rows if r["id"] == task_ref]
    if find and task_ref:
        click.echo(json.dumps(raw[rows[0]["taskArn"]], indent=2, default=str))
        return 0
    if find:
        for r in rows:
            if r["desiredStatus"] == "RUNNING":
                click.echo(r["taskArn"])
        return 0
    if fmt == "json":
        click.echo(json.dumps({"tasks": rows}, indent=2))
        return 0
    cols = ("service", "id", "revision", "last", "desired", "health", "started", "stopped reason")
    keys = ("service", "id", "revision", "lastStatus", "desiredStatus", "healthStatus")
    cells = [
        [str(r[k] or "-") for k in keys] + [r["startedAt"] or "-", r["stoppedReason"] or ""]
        for r in rows
    ]
    if fmt == "tsv":
        for line in (cols, *cells):
            click.echo("\t".join(c.replace("\t", " ") for c in line))
        return 0
    console(g.color).print(table(cols, cells))
    if not rows:
        click.echo("No tasks.")
    return 0


def _stop(
    g: Globals, refs: Mapping[str, Any], rows: list[dict[str, Any]], wanted: str, force: bool
) -> int:
    match = [r for r in rows if wanted in (r["id"], r["taskArn"])]
    if not match:
        raise EcsplanError(f"task {wanted} is not a task of the selected service(s)")
    r = match[0]
    if r["lastStatus"] == "STOPPED":
        raise EcsplanError(f"task {r['id']} is already stopped")
    if not force:
        if not sys.stdin.isatty():
            raise EcsplanError("stopping a task needs confirmation: pass --force")
        click.confirm(f"Stop task {r['id']} ({r['revision']}) of {r['service']}?", abort=True)
    ref = refs[r["service"]]
    out = OpsClient(g.aws(), ref.region).stop_task(
        ref.cluster, r["taskArn"], "stopped by ecsplan tasks --stop"
    )
    click.echo(
        f"{r['service']}: stopping task {r['id']} (now {out.get('lastStatus')}, desired {out.get('desiredStatus')})"
    )
    return 0
