"""`status` for people (tables) and machines (JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import click

from planner.canonical.units import revision_name
from planner.ops.status import SUMMARY_COLUMNS, ServiceStatus, summary_row, to_json
from planner.render.tables import console, table


def status_json(statuses: Sequence[ServiceStatus]) -> None:
    click.echo(json.dumps({"services": [to_json(s) for s in statuses]}, indent=2))


def status_tables(statuses: Sequence[ServiceStatus], color: bool) -> None:
    con = console(color)
    con.print(table(SUMMARY_COLUMNS, [summary_row(s) for s in statuses]))
    deps = [
        [
            s.key,
            d.status,
            revision_name(d.task_definition),
            d.rollout_state or "-",
            f"{d.running}/{d.desired}",
            str(d.pending),
            str(d.failed),
            d.id,
        ]
        for s in statuses
        for d in s.deployments
    ]
    if deps:
        con.print()
        cols = ("service", "deployment", "revision", "rollout", "running/desired", "pending")
        con.print(table((*cols, "failed", "id"), deps, title="Deployments"))
    sets = [
        [
            s.key,
            t.status,
            revision_name(t.task_definition),
            t.stability or "-",
            f"{t.running}/{t.desired}",
            str(t.pending),
            t.scale or "-",
            t.id,
        ]
        for s in statuses
        for t in s.task_sets
    ]
    if sets:
        con.print()
        cols = ("service", "task set", "revision", "stability", "running/desired", "pending")
        con.print(table((*cols, "scale", "id"), sets, title="Task sets"))
    events = [[s.key, e.created or "-", e.message] for s in statuses for e in s.events]
    if events:
        con.print()
        con.print(table(("service", "time", "event"), events, title="Events"))


def status_view(fmt: str, color: bool) -> Callable[[Sequence[ServiceStatus]], None]:
    """The view of `status --format FMT`, chosen once."""
    if fmt == "json":
        return status_json
    return lambda statuses: status_tables(statuses, color)
