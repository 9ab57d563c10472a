"""`ecsplan wait`: wait on whatever rollout is in progress, with apply's failure rules.

ECS services: the deployment in progress (a FAILED one still listed wins, so a rollback the
circuit breaker already started is reported as the failure it is). CODE_DEPLOY services: the
group's newest unfinished CodeDeploy deployment, or the task sets settling when there is none.
Many services wait in parallel (bounded by the workspace parallelism) in one progress view.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import click

from planner.apply.wait import RolloutFailed, WaitSpec, wait_rollout
from planner.aws.clients import AwsContext
from planner.aws.ops import OpsClient
from planner.aws.reads import LiveReader, ServiceRef
from planner.aws.writes import Writer
from planner.cli.context import Globals, pass_globals
from planner.cli.flags import WAIT_UNTIL_HELP
from planner.cli.main import cli
from planner.cli.progress import Progress
from planner.cli.running import stop_on_signals
from planner.cli.services import select
from planner.cli.status_cmd import refs_of
from planner.config.duration import parse_duration
from planner.errors import EcsplanError
from planner.ops.status import revision_name
from planner.workspace.planning import ServiceEntry


def follow(svc: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(deployment id, its task definition) an ECS wait should follow."""
    deps = svc.get("deployments") or []
    failed = next((d for d in deps if d.get("rolloutState") == "FAILED"), None)
    primary = next((d for d in deps if d.get("status") == "PRIMARY"), None)
    chosen = failed or primary
    if chosen is None:
        return None, None
    return chosen.get("id"), chosen.get("taskDefinition")


def spec_for(
    entry: ServiceEntry,
    ref: ServiceRef,
    svc: Mapping[str, Any] | None,
    aws: AwsContext,
    reader: LiveReader,
    until: str,
    timeout: float,
) -> WaitSpec:
    if svc is None or svc.get("status") != "ACTIVE":
        raise EcsplanError(f"{entry.key}: service {ref.cluster}/{ref.service} is not ACTIVE")
    controller = (svc.get("deploymentController") or {}).get("type") or "ECS"
    base: dict[str, Any] = {
        "key": entry.key,
        "cluster": ref.cluster,
        "service": ref.service,
        "until": until,
        "timeout": timeout,
    }
    if controller == "CODE_DEPLOY":
        cd = entry.config.codedeploy
        app = cd.application_name if cd else None
        group = cd.deployment_group_name if cd else None
        if not (app and group):
            found = reader.discover_codedeploy_group(ref.region, ref.cluster, ref.service)
            app, group = found if found else (None, None)
        dep = OpsClient(aws, ref.region).active_codedeploy_deployment(app, group) if app else None
        if dep:
            return WaitSpec(
                **base, expected_task_definition=None, deployment_id=dep, codedeploy=True
            )
        return WaitSpec(**base, expected_task_definition=None)
    dep_id, td = follow(svc)
    primary = next((d for d in svc.get("deployments") or [] if d.get("status") == "PRIMARY"), {})
    reason = str(primary.get("rolloutStateReason") or "")
    if dep_id == primary.get("id") and "circuit breaker" in reason and "rolling back" in reason:
        raise RolloutFailed(
            f"{entry.key}: the last deployment failed and was rolled back ({reason}); "
            f"ECS runs {revision_name(primary.get('taskDefinition'))}"
        )
    return WaitSpec(**base, expected_task_definition=td, deployment_id=dep_id)


@cli.command()
@click.option("--wait-until", default="deployed", show_default=True, help=WAIT_UNTIL_HELP)
@click.option("--timeout", metavar="DURATION", help="Give up after this long (default: config).")
@pass_globals
def wait(g: Globals, wait_until: str, timeout: str | None) -> int:
    """Wait for the deployment in progress; exit 1 if it fails or is rolled back."""
    if wait_until not in ("stable", "deployed") and not wait_until.startswith("codedeploy:"):
        raise EcsplanError(f"--wait-until {wait_until}: expected {WAIT_UNTIL_HELP}")
    try:
        limit = parse_duration(timeout) if timeout else None
    except ValueError as e:
        raise EcsplanError(f"--timeout: {e}") from e
    sel = select(g, definitions=False)
    refs = refs_of(g, sel)
    aws = g.aws()
    reader = LiveReader(aws, max_workers=sel.parallelism)
    live = reader.services(refs.values())
    errors: dict[str, str] = {}
    specs: list[WaitSpec] = []
    for e in sel.entries:
        ref = refs[e.key]
        timeout_s = limit or e.config.timeout_seconds
        try:
            specs.append(spec_for(e, ref, live.get(ref), aws, reader, wait_until, timeout_s))
        except RolloutFailed as err:
            errors[e.key] = err.message
    progress = Progress(color=g.color)
    stop = threading.Event()

    def one(spec: WaitSpec) -> None:
        writer = Writer(aws, refs[spec.key].region)
        try:
            wait_rollout(writer, spec, observer=progress, stop=stop)
        except EcsplanError as e:
            errors[spec.key] = e.message

    workers = max(1, min(sel.parallelism, len(specs) or 1))
    with stop_on_signals(stop, progress), progress, ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, specs))
    for e in sel.entries:
        if e.key not in errors:
            click.echo(f"{e.key}: {wait_until}")
        elif len(sel.entries) > 1:
            click.echo(f"{e.key}: FAILED - {errors[e.key]}", err=True)
    if errors:
        first = next(e.key for e in sel.entries if e.key in errors)
        msg = errors[first]
        raise EcsplanError(msg if len(errors) == 1 else f"{len(errors)} services failed; {msg}")
    return 0
