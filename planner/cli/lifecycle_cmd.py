"""`ecsplan refresh` (force a new deployment) and `ecsplan delete` (delete the service).

Both go through the journal and the service lock: refresh is a one-step plan of the normal
planner; delete is a delete_service step run by the executor, then a wait until ECS says the
service is DRAINING or INACTIVE.
"""

from __future__ import annotations

import sys
import time

import click

from planner.apply.wait import poll_interval
from planner.aws.ops import OpsClient
from planner.cli.apply_cmd import _print_results, run_journaled
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.scale_cmd import run_narrowed, timeout_of
from planner.cli.services import select
from planner.cli.status_cmd import refs_of
from planner.errors import EcsplanError
from planner.ops.status import revision_name
from planner.ops.tables import console, table
from planner.plan.model import Action, Fingerprint, Plan, PlanOptions, ServicePlan, Step, StepKind


@cli.command()
@click.option("--dry-run", is_flag=True, help="Show the plan only; change nothing.")
@click.option("--wait/--no-wait", default=True, help="Wait for the new deployment (default).")
@click.option("--wait-until", default="deployed", type=click.Choice(["deployed", "stable"]))
@click.option("--timeout", metavar="DURATION", help="Wait timeout (default: config).")
@pass_globals
def refresh(g: Globals, dry_run: bool, wait: bool, wait_until: str, timeout: str | None) -> int:
    """Force a new deployment of the running task definition (journaled)."""
    no_wait = not wait
    options = PlanOptions(
        skip_task_definition=True,
        force_new_deployment=True,
        wait=not no_wait,
        wait_until=wait_until,
        timeout_seconds=timeout_of(timeout),
    )
    return run_narrowed(g, options, {"forceNewDeployment"}, "refresh", dry_run=dry_run)


@cli.command()
@click.option("--force", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Show what would be deleted; change nothing.")
@click.option(
    "--terminate",
    is_flag=True,
    help="ecspresso's flag to stop running tasks: ecsplan always does (DeleteService force).",
)
@click.option("--no-wait", is_flag=True, help="Do not wait until the service is draining.")
@pass_globals
def delete(g: Globals, force: bool, dry_run: bool, terminate: bool, no_wait: bool) -> int:
    """Delete the service (tasks are stopped): show it, confirm, delete, wait."""
    sel = select(g)
    refs = refs_of(g, sel)
    aws = g.aws()
    found = []
    for e in sel.entries:
        ref = refs[e.key]
        svc = OpsClient(aws, ref.region).describe_service(ref.cluster, ref.service)
        if svc is None or svc.get("status") != "ACTIVE":
            raise EcsplanError(f"{e.key}: service {ref.cluster}/{ref.service} does not exist")
        found.append((e, ref, svc))
    con = console(g.color)
    con.print("Will DELETE (running tasks are stopped):")
    con.print(
        table(
            ("service", "cluster", "revision", "running/desired", "load balancers"),
            [
                [
                    ref.service,
                    ref.cluster,
                    revision_name(svc.get("taskDefinition")),
                    f"{svc.get('runningCount', 0)}/{svc.get('desiredCount', 0)}",
                    str(len(svc.get("loadBalancers") or [])),
                ]
                for _, ref, svc in found
            ],
        )
    )
    if dry_run:
        click.echo(f"Dry run: would delete {len(found)} service(s).")
        return 0
    if not force:
        if not sys.stdin.isatty():
            raise EcsplanError("delete needs confirmation: pass --force")
        click.confirm(f"Delete {len(found)} service(s)?", default=False, abort=True)
    plans = []
    for e, ref, svc in found:
        step = Step(
            id=f"{e.key}/01-{StepKind.DELETE_SERVICE.value}",
            kind=StepKind.DELETE_SERVICE,
            action=Action.DELETE,
            description=f"delete service {ref.cluster}/{ref.service}",
            payload={"cluster": ref.cluster, "service": ref.service},
            before={"taskDefinition": svc.get("taskDefinition")},
            destructive=True,
        )
        plans.append(
            ServicePlan(
                key=e.key,
                config_path=str(e.config.path),
                region=ref.region,
                cluster=ref.cluster,
                service=ref.service,
                controller=(svc.get("deploymentController") or {}).get("type") or "ECS",
                action=Action.DELETE,
                fingerprint=Fingerprint(
                    status="ACTIVE",
                    task_definition=svc.get("taskDefinition"),
                    desired_count=svc.get("desiredCount"),
                ),
                steps=(step,),
            )
        )
    plan = Plan(services=tuple(plans))
    results = run_journaled(g, plan, sel, operation="delete", stale_check=False)
    if not no_wait:
        for r, (e, ref, _) in zip(results, found, strict=True):
            if r.outcome == "succeeded":
                _wait_gone(OpsClient(aws, ref.region), ref.cluster, ref.service, e.config)
    return _print_results(results, g, "Delete")


def _wait_gone(ops: OpsClient, cluster: str, service: str, cfg: object) -> None:
    limit = float(getattr(cfg, "timeout_seconds", 600.0))
    start = time.monotonic()
    while True:
        svc = ops.describe_service(cluster, service)
        status = (svc or {}).get("status", "INACTIVE")
        if status != "ACTIVE":
            click.echo(f"{cluster}/{service}: {status}", err=True)
            return
        if time.monotonic() - start > limit:
            raise EcsplanError(f"{cluster}/{service}: still ACTIVE after {int(limit)}s")
        time.sleep(poll_interval())
