"""`tasks` as a table, TSV (a header line, then a task per line) or JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import click

from planner.render.tables import console, table

COLUMNS = ("service", "id", "revision", "last", "desired", "health", "started", "stopped reason")
_KEYS = ("service", "id", "revision", "lastStatus", "desiredStatus", "healthStatus")


def show_tasks(rows: Sequence[Mapping[str, Any]], fmt: str, color: bool) -> None:
    if fmt == "json":
        click.echo(json.dumps({"tasks": list(rows)}, indent=2))
        return
    cells = [
        [str(r[k] or "-") for k in _KEYS] + [r["startedAt"] or "-", r["stoppedReason"] or ""]
        for r in rows
    ]
    if fmt == "tsv":
        for line in (COLUMNS, *cells):
            click.echo("\t".join(c.replace("\t", " ") for c in line))
        return
    console(color).print(table(COLUMNS, cells))
    if not rows:
        click.echo("No tasks.")
