"""Operations that build small plans of their own: scale and refresh (the planner's plan,
narrowed), delete (one delete_service step per service) and register (one register step).
Each returns a Plan the caller runs through the journal like any apply."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from planner.aws.ops import OpsClient
from planner.aws.reads import ServiceRef
from planner.canonical.taskdef import task_definition_register_payload
from planner.errors import EcsplanError
from planner.ops.narrow import narrow_plan
from planner.ops.planning import make_plan
from planner.ops.session import Session
from planner.plan.model import (
    Action,
    Fingerprint,
    Identity,
    Plan,
    PlanOptions,
    ServicePlan,
    Step,
    StepKind,
)
from planner.plan.outcome import ServiceResult
from planner.workspace.planning import ServiceEntry


def narrowed_plan(session: Session, options: PlanOptions, fields: set[str], what: str) -> Plan:
    """The normal planner's plan with only ``fields`` of the service update (scale,
    refresh); refused when a service does not exist (nothing to ``what``)."""
    plan = make_plan(session, options)
    missing = [sp.key for sp in plan.services if sp.fingerprint.status != "ACTIVE"]
    if missing:
        raise EcsplanError(f"{missing[0]}: the service does not exist; nothing to {what}")
    return narrow_plan(plan, fields)


def only_changed(plan: Plan) -> Plan:
    return replace(plan, services=tuple(sp for sp in plan.services if sp.has_changes))


@dataclass(frozen=True)
class Doomed:
    """A service `delete` will remove, as it is now."""

    entry: ServiceEntry
    ref: ServiceRef
    live: dict[str, Any]
    identity: Identity | None = None  # who it is deleted as, and its state key


def services_to_delete(session: Session) -> list[Doomed]:
    """Every selected service, which must exist (ACTIVE)."""
    refs, identities = session.refs(), session.identities()
    found = []
    for e in session.entries:
        ref = refs[e.key]
        svc = OpsClient(session.aws_for(ref), ref.region).describe_service(ref.cluster, ref.service)
        if svc is None or svc.get("status") != "ACTIVE":
            raise EcsplanError(f"{e.key}: service {ref.cluster}/{ref.service} does not exist")
        found.append(Doomed(e, ref, svc, identities.get(e.key)))
    return found


def delete_plan(doomed: list[Doomed]) -> Plan:
    return Plan(services=tuple(_delete_service(d) for d in doomed))


def _delete_service(d: Doomed) -> ServicePlan:
    e, ref, svc = d.entry, d.ref, d.live
    step = Step(
        id=f"{e.key}/01-{StepKind.DELETE_SERVICE.value}",
        kind=StepKind.DELETE_SERVICE,
        action=Action.DELETE,
        description=f"delete service {ref.cluster}/{ref.service}",
        payload={"cluster": ref.cluster, "service": ref.service},
        before={"taskDefinition": svc.get("taskDefinition")},
        destructive=True,
    )
    return ServicePlan(
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
        identity=d.identity,
    )


def wait_gone(session: Session, d: Doomed, interval: float) -> str:
    """Until ECS no longer calls the service ACTIVE (DRAINING, INACTIVE): its status."""
    ops = OpsClient(session.aws_for(d.ref), d.ref.region)
    limit = float(d.entry.config.timeout_seconds)
    start = time.monotonic()
    while True:
        svc = ops.describe_service(d.ref.cluster, d.ref.service)
        status = str((svc or {}).get("status", "INACTIVE"))
        if status != "ACTIVE":
            return status
        if time.monotonic() - start > limit:
            raise EcsplanError(f"{d.ref.cluster}/{d.ref.service}: still ACTIVE after {int(limit)}s")
        time.sleep(interval)


def register_plan(session: Session, task_definition: Mapping[str, Any] | None = None) -> Plan:
    """One register step per service: always a new revision, as ecspresso's register;
    ``task_definition`` in place of the config's (`run --task-def FILE`)."""
    refs, ids = session.refs(), session.identities()
    return Plan(
        services=tuple(
            _register_service(e, refs[e.key], ids.get(e.key), task_definition)
            for e in session.entries
        )
    )


def _register_service(
    e: ServiceEntry,
    ref: ServiceRef,
    identity: Identity | None,
    task_definition: Mapping[str, Any] | None = None,
) -> ServicePlan:
    document = task_definition or e.config.task_definition
    if not document:
        raise EcsplanError(f"{e.key}: the config has no task_definition")
    payload = task_definition_register_payload(document)
    step = Step(
        id=f"{e.key}/01-{StepKind.REGISTER_TASK_DEFINITION.value}",
        kind=StepKind.REGISTER_TASK_DEFINITION,
        action=Action.CREATE,
        description=f"register a new revision of task definition family {payload.get('family')}",
        payload=payload,
        undo={"deregister": "new revision"},
    )
    return ServicePlan(
        key=e.key,
        config_path=str(e.config.path),
        region=ref.region,
        cluster=ref.cluster,
        service=ref.service,
        controller="ECS",
        action=Action.CREATE,
        fingerprint=Fingerprint(status="ACTIVE"),
        steps=(step,),
        identity=identity,
    )


def registered_arns(result: ServiceResult) -> list[str]:
    """The task definition ARNs a register plan's run created for one service."""
    return [
        str(out["taskDefinitionArn"])
        for out in result.outputs.values()
        if out.get("taskDefinitionArn")
    ]


def registered(session: Session, arn: str, ref: ServiceRef) -> dict[str, Any]:
    """The task definition a register step created, as DescribeTaskDefinition says."""
    return OpsClient(session.aws_for(ref), ref.region).describe_task_definition(arn)
