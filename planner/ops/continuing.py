"""`continue`: resume a service deployment paused at a PAUSE lifecycle hook, as ecspresso's
Continue does (continue.go): the newest IN_PROGRESS service deployment
(findActiveECSDeploymentArn), its hook awaiting action (findPausedLifecycleHook),
ContinueServiceDeployment with action CONTINUE, then optionally a wait on that deployment.

Nothing here is journaled: ContinueServiceDeployment only lets ECS go on with a deployment
an earlier apply started, and it cannot be undone (a later `rollback` undoes that apply).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from planner.apply.wait import Observer, WaitSpec, wait_rollout
from planner.aws.reads import ServiceRef
from planner.aws.writes import Writer, paused_hook
from planner.errors import EcsplanError
from planner.ops.session import Session
from planner.ops.waiting import follow
from planner.workspace.planning import ServiceEntry


@dataclass(frozen=True)
class Continued:
    """One service's resumed deployment: what the view prints."""

    key: str
    deployment: str  # the service deployment's name (last part of its ARN)
    hook_id: str
    arn: str


def arn_name(arn: str) -> str:
    """ecspresso's arnToName: the part after the last slash."""
    return arn.rsplit("/", 1)[-1]


def continue_service(writer: Writer, key: str, ref: ServiceRef) -> Continued:
    """Find the paused hook and send CONTINUE; ecspresso's two error texts otherwise."""
    arn = writer.active_service_deployment(ref.cluster, ref.service)
    if arn is None:
        raise EcsplanError("no active deployment found")
    hook = paused_hook(writer.service_deployment(arn) or {})
    if hook is None:
        raise EcsplanError(f"no paused lifecycle hook found in deployment {arn_name(arn)}")
    writer.continue_service_deployment(arn, hook, "CONTINUE")
    return Continued(key=key, deployment=arn_name(arn), hook_id=hook, arn=arn)


def _wait(
    writer: Writer,
    entry: ServiceEntry,
    ref: ServiceRef,
    done: Continued,
    until: str,
    limit: float | None,
    observer: Observer,
    stop: threading.Event,
) -> None:
    """Wait on the deployment just continued (ecspresso passes its ARN to WaitFunc)."""
    svc = writer.describe_service(ref.cluster, ref.service) or {}
    dep_id, td = follow(svc)
    spec = WaitSpec(
        key=entry.key,
        cluster=ref.cluster,
        service=ref.service,
        expected_task_definition=td,
        until=until,
        timeout=limit or entry.config.timeout_seconds,
        deployment_id=dep_id,
        service_deployment_arn=done.arn,
    )
    wait_rollout(writer, spec, observer=observer, stop=stop)


def continue_all(
    session: Session,
    wait: bool,
    until: str,
    limit: float | None,
    observer: Observer,
    stop: threading.Event,
) -> tuple[list[Continued], dict[str, str]]:
    """Continue every selected service in order; (resumed, failures by service key)."""
    refs = session.refs()
    done: list[Continued] = []
    errors: dict[str, str] = {}
    for entry in session.entries:
        ref = refs[entry.key]
        writer = Writer(session.aws_for(ref), ref.region)
        try:
            resumed = continue_service(writer, entry.key, ref)
            done.append(resumed)
            if wait:
                _wait(writer, entry, ref, resumed, until, limit, observer, stop)
        except EcsplanError as e:
            errors[entry.key] = e.message
    return done, errors
