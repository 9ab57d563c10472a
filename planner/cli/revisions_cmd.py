"""`ecsplan revisions`: the family's ACTIVE revisions and what uses each one.

"In use" = the service, a deployment or task set, a running task of the family, or the last
run (its rollback target). The same reading decides what `deregister` may remove.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

import click

from planner.aws.clients import AwsContext
from planner.aws.ops import OpsClient, family_of
from planner.aws.reads import ServiceRef
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.services import Selection, select, state_location
from planner.cli.status_cmd import refs_of
from planner.errors import EcsplanError
from planner.ops.revisions import Revision, annotate, rollback_target, usage
from planner.render.tables import console, table
from planner.state.backend import StateBackend, open_backend
from planner.workspace.planning import ServiceEntry


@dataclass(frozen=True)
class FamilyRevisions:
    key: str
    ref: ServiceRef
    family: str
    revisions: tuple[Revision, ...]  # newest first


def last_run_target(backend: StateBackend, state_key: str) -> tuple[str | None, str | None]:
    """(rollback target task definition, run id) of the service's last apply run."""
    for run in backend.runs(state_key):
        if run.operation == "apply":
            return rollback_target(backend.entries(state_key, run.run_id)), run.run_id
    return None, None


def family_revisions(
    entry: ServiceEntry,
    ref: ServiceRef,
    aws: AwsContext,
    backend: StateBackend,
    details: int = 0,
) -> FamilyRevisions:
    """Read the family's ACTIVE revisions and everything that uses one of them.

    ``details``: how many of the newest revisions to describe (registeredAt).
    """
    ops = OpsClient(aws, ref.region)
    svc = ops.describe_service(ref.cluster, ref.service)
    family = (entry.config.task_definition or {}).get("family")
    if not family and svc and svc.get("taskDefinition"):
        family = family_of(str(svc["taskDefinition"]))
    if not family:
        raise EcsplanError(f"{entry.key}: no task definition family (config or live service)")
    arns = ops.task_definition_arns(str(family))
    running = ops.task_arns(ref.cluster, family=str(family))
    tasks = ops.describe_tasks(ref.cluster, running) if running else []
    target, run_id = last_run_target(backend, f"{ref.cluster}/{ref.service}")
    registered: dict[str, str | None] = {}
    for arn in arns[: max(details, 0)]:
        at = ops.describe_task_definition(arn).get("registeredAt")
        registered[arn] = at.isoformat(timespec="seconds") if hasattr(at, "isoformat") else at
    uses = usage(svc, tasks, target, run_id)
    return FamilyRevisions(entry.key, ref, str(family), tuple(annotate(arns, uses, registered)))


def read_all(g: Globals, sel: Selection, details: int) -> list[FamilyRevisions]:
    refs = refs_of(g, sel)
    aws = g.aws()
    backend = open_backend(state_location(g, sel), aws)
    return [family_revisions(e, refs[e.key], aws, backend, details) for e in sel.entries]


def uses_cell(r: Revision) -> str:
    return ", ".join(r.uses) if r.uses else "-"


@cli.command()
@click.option(
    "--output",
    type=click.Choice(["table", "json", "tsv", "number"]),
    help="Default: table on a terminal; piped, every revision number, one per line.",
)
@click.option("--limit", type=int, default=20, show_default=True, help="Newest N revisions.")
@click.option("--all", "show_all", is_flag=True, help="Every ACTIVE revision.")
@pass_globals
def revisions(g: Globals, output: str | None, limit: int, show_all: bool) -> int:
    """List the family's revisions, marking those in use (service, deployment, task, run).

    Piped, the default output is the bare revision numbers of every ACTIVE revision, so the
    ecspresso guide's `revisions | sort -n | head -n -5` cleanup loop works unchanged.
    """
    output = output or ("table" if sys.stdout.isatty() else "number")
    sel = select(g)
    if output == "number":
        for f in read_all(g, sel, 0):
            for r in f.revisions:
                click.echo(str(r.revision))
        return 0
    fams = read_all(g, sel, 0 if output == "tsv" else (10**9 if show_all else limit))
    if output == "tsv":
        for f in fams:
            for r in f.revisions if show_all else f.revisions[:limit]:
                click.echo(f"{r.revision}\t{r.arn}\t{r.status}")
        return 0
    if output == "json":
        data = [
            {
                "key": f.key,
                "family": f.family,
                "total": len(f.revisions),
                "revisions": [
                    r.to_json() for r in (f.revisions if show_all else f.revisions[:limit])
                ],
            }
            for f in fams
        ]
        click.echo(json.dumps({"services": data}, indent=2))
        return 0
    con = console(g.color)
    for f in fams:
        shown = f.revisions if show_all else f.revisions[:limit]
        rows = [[str(r.revision), r.registered or "-", uses_cell(r), r.arn] for r in shown]
        title = f"{f.key}: family {f.family}, {len(f.revisions)} ACTIVE revision(s)"
        if len(shown) < len(f.revisions):
            title += f", newest {len(shown)} shown (--all for every one)"
        con.print(table(("revision", "registered", "in use by", "arn"), rows, title=title))
    return 0
