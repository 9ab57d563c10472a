"""`status` as ecspresso prints it (the default), as tables for people, and as JSON.

The default is byte for byte the block of ecspresso v2.6.0,
`ecspresso.go:(*DescribeServiceStatusOutput).String` with the line formats of `format.go`,
so scripts written against `ecspresso status` parse ours. Several services (a workspace, or
several -c) give one block each, in the selection's order, separated by one blank line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timezone, tzinfo

import click

from planner.canonical.units import revision_name
from planner.ops.status import (
    SUMMARY_COLUMNS,
    DeploymentStatus,
    Event,
    ScalingPolicy,
    ScalingStatus,
    ServiceStatus,
    TaskSetStatus,
    summary_row,
    to_json,
)
from planner.render.tables import console, table

INDENT = "  "  # ecspresso.go: spcIndent
SUSPENDED_KEYS = (
    "DynamicScalingInSuspended",
    "DynamicScalingOutSuspended",
    "ScheduledScalingSuspended",
)


def arn_to_name(arn: str | None) -> str:
    """util.go arnToName: what follows the last `/` (a cluster name, `family:rev`)."""
    return revision_name(arn, "")


def go_bool(value: object) -> str:
    return "true" if value else "false"


def go_time(at: datetime, tz: tzinfo | None = None) -> str:
    """Go's `2006-01-02T15:04:05.000Z07:00` (sloghandler.TimeFormat, format.go
    EventTimeFormat) in ``tz``, by default the local zone (TZ) as Go's time.Local:
    milliseconds truncated, `Z` for a zero offset, else ±hh:mm."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    t = at.astimezone(tz)
    offset = t.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    if seconds == 0:
        zone = "Z"
    else:
        minutes = int(seconds / 60)  # Go truncates towards zero
        sign = "-" if minutes < 0 else "+"
        minutes = abs(minutes)
        zone = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return (
        f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
        f".{t.microsecond // 1000:03d}{zone}"
    )


def deployment_line(d: DeploymentStatus) -> str:
    """format.go formatDeployment: `%8s %s desired:%d pending:%d running:%d %s(%s)`."""
    return (
        f"{d.status:>8} {arn_to_name(d.task_definition)} desired:{d.desired} "
        f"pending:{d.pending} running:{d.running} "
        f"{d.rollout_state or ''}({d.rollout_state_reason or ''})"
    )


def task_set_line(t: TaskSetStatus) -> str:
    """format.go formatTaskSet: `%8s %s desired:%d pending:%d running:%d %s`."""
    return (
        f"{t.status:>8} {arn_to_name(t.task_definition)} desired:{t.desired} "
        f"pending:{t.pending} running:{t.running} {t.stability or ''}"
    )


def scaling_lines(a: ScalingStatus) -> list[str]:
    """format.go formatScalableTarget. AWS always returns the three suspended flags; one it
    leaves out counts as false (its default)."""
    flags = [go_bool(a.suspended.get(k)) for k in SUSPENDED_KEYS]
    return [
        f"{INDENT}Capacity min:{a.min_capacity} max:{a.max_capacity}",
        f"{INDENT}Suspended in:{flags[0]} out:{flags[1]} scheduled:{flags[2]}",
    ]


def policy_line(p: ScalingPolicy) -> str:
    """format.go formatScalingPolicy: `  Policy name:%s type:%s`."""
    return f"{INDENT}Policy name:{p.name} type:{p.type}"


def event_line(e: Event, tz: tzinfo | None = None) -> str:
    """format.go serviceEvent.String: `TIME message`."""
    at = go_time(e.at, tz) if e.at is not None else ""
    return f"{at} {e.message}"


def status_block(s: ServiceStatus, tz: tzinfo | None = None) -> str:
    """One service's block, ecspresso.go (*DescribeServiceStatusOutput).String @v2.6.0:
    Deployments/TaskSets only when there are some, AutoScaling: and Events: always."""
    lines = [
        f"Service: {s.service_name}",
        f"Cluster: {arn_to_name(s.cluster_arn)}",
        f"TaskDefinition: {arn_to_name(s.task_definition)}",
    ]
    if s.deployments:
        lines += ["Deployments:", *(INDENT + deployment_line(d) for d in s.deployments)]
    if s.task_sets:
        lines += ["TaskSets:", *(INDENT + task_set_line(t) for t in s.task_sets)]
    lines.append("AutoScaling:")
    if s.scaling is not None:
        lines += scaling_lines(s.scaling)
        lines += [policy_line(p) for p in s.scaling.policies]
    lines.append("Events:")
    lines += [event_line(e, tz) for e in s.events]
    return "\n".join(lines) + "\n"


def status_blocks(statuses: Sequence[ServiceStatus], tz: tzinfo | None = None) -> str:
    """The blocks of the services that exist, one blank line between two. A missing or
    INACTIVE service has none: ecspresso prints nothing for it and fails (check_found)."""
    return "\n".join(status_block(s, tz) for s in statuses if s.not_found is None)


def status_text(statuses: Sequence[ServiceStatus]) -> None:
    text = status_blocks(statuses)
    if text:
        click.echo(text, nl=False)


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
    events = [[s.key, e.created or "-", e.message] for s in statuses for e in reversed(s.events)]
    if events:
        con.print()
        con.print(table(("service", "time", "event"), events, title="Events"))


def status_view(output: str, color: bool) -> Callable[[Sequence[ServiceStatus]], None]:
    """The view of `status --output OUTPUT` (text | table | json), chosen once."""
    if output == "json":
        return status_json
    if output == "table":
        return lambda statuses: status_tables(statuses, color)
    return status_text
