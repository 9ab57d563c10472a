"""`wait`: what to wait on for each selected service, and waiting on all of them.

ECS services: the deployment in progress (a FAILED one still listed wins, so a rollback the
circuit breaker already started is reported as the failure it is). CODE_DEPLOY services: the
group's newest unfinished CodeDeploy deployment, or the task sets settling when there is none.
Many services wait in parallel (bounded by the workspace parallelism).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from planner.apply.wait import Observer, RolloutFailed, WaitSpec, wait_rollout
from planner.aws.clients import AwsContext
from planner.aws.ops import OpsClient
from planner.aws.reads import LiveReader, ServiceRef
from planner.aws.writes import Writer
from planner.canonical.units import revision_name
from planner.errors import EcsplanError
from planner.ops.session import Session
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


def wait_all(
    session: Session,
    until: str,
    limit: float | None,
    observer: Observer,
    stop: threading.Event,
) -> dict[str, str]:
    """Wait for every selected service; the failures, by service key (empty: all done)."""
    refs = session.refs()
    reader = LiveReader(session.aws, max_workers=session.selection.parallelism)
    live = reader.services(refs.values())
    errors: dict[str, str] = {}
    specs: list[WaitSpec] = []
    for e in session.entries:
        ref = refs[e.key]
        timeout = limit or e.config.timeout_seconds
        try:
            aws = session.aws_for(ref)
            specs.append(
                spec_for(
                    e, ref, live.get(ref), aws, reader.for_principal(ref.principal), until, timeout
                )
            )
        except RolloutFailed as err:
            errors[e.key] = err.message

    def one(spec: WaitSpec) -> None:
        ref = refs[spec.key]
        writer = Writer(session.aws_for(ref), ref.region)
        try:
            wait_rollout(writer, spec, observer=observer, stop=stop)
        except EcsplanError as e:
            errors[spec.key] = e.message

    workers = max(1, min(session.selection.parallelism, len(specs) or 1))
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, specs))
    return errors
