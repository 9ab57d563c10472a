"""`ecsplan status`: service, deployments / task sets, counts, launch, auto scaling, events.

One table for all selected services; reads are batched (services by 10 per cluster,
scalable targets by 50) so a workspace of many services stays cheap.
"""

from __future__ import annotations

import json

import click

from planner.aws.ops import OpsClient
from planner.aws.reads import LiveReader, ServiceRef
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.services import Selection, select
from planner.ops.status import (
    SUMMARY_COLUMNS,
    ServiceStatus,
    revision_name,
    service_status,
    summary_row,
    to_json,
)
from planner.render.tables import console, table
from planner.workspace.planning import ref_of


def refs_of(g: Globals, sel: Selection) -> dict[str, ServiceRef]:
    first = sel.entries[0].config if sel.entries else None
    aws = g.aws(first.region if first else None)
    return {e.key: ref_of(e, aws) for e in sel.entries}


def gather(g: Globals, sel: Selection, events: int) -> list[ServiceStatus]:
    refs = refs_of(g, sel)
    aws = g.aws()
    reader = LiveReader(aws, max_workers=sel.parallelism)
    services = reader.services(refs.values())
    targets = reader.scalable_targets(refs.values())
    out = []
    for key, ref in refs.items():
        target = targets.get(ref)
        policies = OpsClient(aws, ref.region).scaling_policies(ref.resource_id) if target else []
        out.append(
            service_status(
                key, ref.cluster, ref.service, services.get(ref), target, policies, events
            )
        )
    return out


def print_status(statuses: list[ServiceStatus], color: bool) -> None:
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


@cli.command()
@click.option("--events", type=int, help="Recent events per service (default 10; 2 for many).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_globals
def status(g: Globals, events: int | None, fmt: str) -> int:
    """Show each service's state, deployments, task sets, auto scaling and recent events."""
    sel = select(g, definitions=False)
    n = events if events is not None else (10 if len(sel.entries) == 1 else 2)
    statuses = gather(g, sel, n)
    if fmt == "json":
        click.echo(json.dumps({"services": [to_json(s) for s in statuses]}, indent=2))
    else:
        print_status(statuses, g.color)
    return 0
