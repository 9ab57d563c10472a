"""`tasks` output as ecspresso v2.6.0 prints it through ecsta v0.4.5 (format.go).

- table: tablewriter v0.0.5 with Border{Left, Right}, columns ID, TaskDefinition, Instance,
  LastStatus, DesiredStatus, CreatedAt (RFC 3339, local time zone), Group, Type;
- tsv: the same columns, with the header line;
- json: each raw task (the SDK's Task struct, every field, ``null`` kept) pretty-printed,
  objects back to back, with ecsta's key rules.

Secrets (secret-looking environment overrides, URL passwords) show as ``(sensitive)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from planner.canonical.units import go_local_time
from planner.plan.secrets import secret_values_in
from planner.render.gojson import ecsta_marshal, go_struct
from planner.render.secrets import mask
from planner.render.tablewriter import render_table

COLUMNS = (
    "ID",
    "TaskDefinition",
    "Instance",
    "LastStatus",
    "DesiredStatus",
    "CreatedAt",
    "Group",
    "Type",
)


def arn_to_name(arn: str | None) -> str:
    """ecsta utils.go arnToName: the part after the last ``/``."""
    return (arn or "").split("/")[-1]


def task_columns(task: Mapping[str, Any]) -> list[str]:
    """ecsta format.go taskToColumns."""
    created = task.get("createdAt")
    return [
        arn_to_name(task.get("taskArn")),
        arn_to_name(task.get("taskDefinitionArn")),
        arn_to_name(task.get("containerInstanceArn")),
        str(task.get("lastStatus") or ""),
        str(task.get("desiredStatus") or ""),
        go_local_time(created) if isinstance(created, dt.datetime) else "",
        str(task.get("group") or ""),
        str(task.get("launchType") or ""),
    ]


def tsv_lines(tasks: Iterable[Mapping[str, Any]]) -> list[str]:
    """ecsta's TSV rows without the header (also the lines a filter command chooses from)."""
    return ["\t".join(task_columns(t)) for t in tasks]


def task_json(task: Mapping[str, Any], sensitive: Iterable[str] = ()) -> str:
    """ecsta taskFormatterJSON.AddTask: the task, then a newline."""
    hidden = secret_values_in(task, sensitive)
    return ecsta_marshal(go_struct(mask(task, hidden), "Task")) + "\n"


def tasks_text(tasks: Sequence[Mapping[str, Any]], fmt: str, sensitive: Iterable[str] = ()) -> str:
    """`tasks --output table|tsv|json`, as ecsta's RunList writes it."""
    if fmt == "json":
        return "".join(task_json(t, sensitive) for t in tasks)
    if fmt == "tsv":
        return "".join(f"{line}\n" for line in ["\t".join(COLUMNS), *tsv_lines(tasks)])
    return render_table(COLUMNS, [task_columns(t) for t in tasks])
