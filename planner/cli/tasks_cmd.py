"""`ecsplan tasks`: the service's tasks, as ecspresso v2.6.0 lists, finds, stops and traces
them through ecsta v0.4.5 (tasks.go; ecsta list.go, describe.go, stop.go, trace.go).

- list: ``--output table|tsv|json`` in ecsta's columns and key rules (render/tasks_view.py);
- ``--find``: one task as JSON: the ``--id`` one, the only one, or the one chosen with
  ``--filter-command`` or, on a terminal, at ecsta's ``Enter task ID: `` prompt;
- ``--stop``: the same choice among tasks not STOPPED, then ``Do you request to stop a task
  ID? (y/n) [n]: `` unless ``--force``;
- ``--trace``: the chosen task's timeline (planner/ops/trace.py).

ecsplan extras: ``--stop ID`` names the task directly; ``--id`` also narrows the list;
``--id`` must be a task of the selected service(s); ``--find`` with several tasks and no way
to choose (no filter command, not a terminal) prints the running tasks' ARNs, one per line,
where ecspresso would ask until its timeout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.picker import choose
from planner.errors import EcsplanError

if TYPE_CHECKING:  # imported when a command runs, not for `tasks --help`
    from planner.ops.session import Session
    from planner.ops.tasks import Tasks

STOP_REASON = "Request stop task by user action."  # ecsta stop.go


@cli.command()
@click.option("--id", "task_ref", metavar="ID", help="The task (id or ARN) to find, stop, trace.")
@click.option("--find", is_flag=True, help="Print one task as JSON (chosen when there are many).")
@click.option(
    "--stop",
    "stop_id",
    metavar="[ID]",
    is_flag=False,
    flag_value="",
    default=None,
    help="Stop a task (this id or ARN, the --id one, or the one chosen); asks first.",
)
@click.option("--force", is_flag=True, help="Stop without asking.")
@click.option("--trace", is_flag=True, help="Print the task's timeline (events, logs).")
@click.option(
    "--output",
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "tsv"]),
    default="table",
    show_default=True,
    help="table, tsv (with a header line) or json (each task, back to back), as ecspresso.",
)
@pass_globals
def tasks(
    g: Globals,
    task_ref: str | None,
    find: bool,
    stop_id: str | None,
    force: bool,
    trace: bool,
    fmt: str,
) -> int:
    """List the tasks of the service and of its task definition family; find, stop or trace
    one."""
    from planner.ops.tasks import list_tasks
    from planner.render.tasks_view import tasks_text

    session = g.session(definitions=False)
    found = list_tasks(session)
    filter_command = g.filter_for(next((e.config.filter_command for e in session.entries), None))
    if find:  # ecspresso tasks.go: --find, else --stop, else --trace, else the list
        row = _choose(found, task_ref, filter_command, live_only=False)
        if row is None:  # ecsplan: no way to choose here; list the running tasks' ARNs
            for r in found.rows:
                if r["desiredStatus"] == "RUNNING":
                    click.echo(r["taskArn"])
            return 0
        from planner.render.tasks_view import task_json

        click.echo(task_json(found.raw[row["taskArn"]], session.sensitive), nl=False)
        return 0
    if stop_id is not None:
        row = _choose(found, stop_id or task_ref, filter_command, live_only=True)
        return _stop(session, found, row, force) if row else _no_choice("--stop")
    if trace:
        row = _choose(found, task_ref, filter_command, live_only=False)
        return _trace(session, row) if row else _no_choice("--trace")
    shown = found.only(task_ref) if task_ref else found
    listed = [shown.raw[r["taskArn"]] for r in shown.rows]
    click.echo(tasks_text(listed, fmt, session.sensitive), nl=False)
    return 0


def _no_choice(flag: str) -> NoReturn:
    raise EcsplanError(
        f"{flag} needs a task: several run; name one with --id ID, or choose with "
        "--filter-command (or at the prompt on a terminal)"
    )


def _choose(
    found: Tasks, ref: str | None, filter_command: str | None, live_only: bool
) -> dict[str, Any] | None:
    """ecsta ecsta.go findTask: the named task, the only one, or the one chosen (filter
    command, else the ``Enter task ID`` prompt); None when nothing can choose."""
    from planner.render.tasks_view import tsv_lines

    if ref:
        return found.only(ref).rows[0]
    rows = [r for r in found.rows if not (live_only and r["lastStatus"] == "STOPPED")]
    if not rows:
        raise EcsplanError("no tasks found")
    if len(rows) == 1:
        return rows[0]
    ids = [r["id"] for r in rows]
    lines = tsv_lines(found.raw[r["taskArn"]] for r in rows)
    if filter_command:
        chosen = choose(filter_command, ids, lines, "task")
    else:
        chosen = _internal_filter(ids, lines)
        if chosen is None:
            return None
    return next(r for r in rows if r["id"] == chosen)


def _internal_filter(ids: list[str], lines: list[str]) -> str | None:
    """ecsta filter.go runInternalFilter: the lines, then ``Enter task ID: `` until one id
    matches (exactly, or as the only prefix). None when the prompt cannot read (not a
    terminal) before anything is shown; ``Aborted`` at the end of the input."""
    from planner.cli.prompter import prompt_line, skip

    if skip():
        return None
    for line in lines:
        click.echo(line)
    while True:
        answer = prompt_line("Enter task ID")
        if answer is None:
            raise EcsplanError("Aborted")
        if not answer:
            continue
        hits = [i for i in ids if i == answer] or [i for i in ids if i.startswith(answer)]
        if len(hits) == 1:
            click.echo(f"task ID={hits[0]}")
            return hits[0]
        click.echo(f"{answer} is ambiguous" if hits else f"no such item {answer}")


def _stop(session: Session, found: Tasks, row: dict[str, Any], force: bool) -> int:
    """ecsta stop.go RunStop: ask (unless --force), StopTask; ecsplan tells it on stderr."""
    from planner.cli.prompter import yn
    from planner.ops.tasks import stop_task, stoppable

    r = stoppable(found, row["id"])
    if not force and not yn(f"Do you request to stop a task {r['id']}?", False):
        raise EcsplanError("Aborted")
    out = stop_task(session, r, STOP_REASON)
    click.echo(
        f"{r['service']}: stopping task {r['id']} "
        f"(now {out.get('lastStatus')}, desired {out.get('desiredStatus')})",
        err=True,
    )
    return 0


def _trace(session: Session, row: dict[str, Any]) -> int:
    from planner.ops.trace import trace_task

    t = trace_task(session, row["service"], row)
    click.echo(t.subject)
    click.echo(t.timeline, nl=False)
    return 0
