"""`status`: each service's live state as frozen data, JSON, and table cells.

:func:`gather` reads (services by 10 per cluster, scalable targets by 50, so a workspace of
many services stays cheap); the rest are pure functions of what it read, testable without
AWS and the same for one service or many. What it keeps follows ecspresso v2.6.0
(`ecspresso.go:(*App).DescribeServiceStatus`): the newest N events oldest first, the
scalable target with its suspended state, the policies with their types, and the
not-found / INACTIVE / DRAINING rules of `(*App).DescribeService`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from planner.aws.ops import OpsClient
from planner.aws.reads import LiveReader
from planner.canonical.units import revision_name
from planner.errors import AwsError, EcsplanError

if TYPE_CHECKING:
    from planner.ops.session import Session


def _time(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value) if value else None


@dataclass(frozen=True)
class DeploymentStatus:
    id: str
    status: str  # PRIMARY | ACTIVE | INACTIVE
    task_definition: str
    desired: int
    running: int
    pending: int
    failed: int
    rollout_state: str | None
    rollout_state_reason: str | None
    updated: str | None


@dataclass(frozen=True)
class TaskSetStatus:
    id: str
    status: str  # PRIMARY | ACTIVE | DRAINING
    stability: str | None
    task_definition: str
    desired: int
    running: int
    pending: int
    scale: str | None
    external_id: str | None


@dataclass(frozen=True)
class ScalingPolicy:
    name: str
    type: str  # TargetTrackingScaling | StepScaling | PredictiveScaling


@dataclass(frozen=True)
class ScalingStatus:
    min_capacity: int
    max_capacity: int
    suspended: Mapping[str, bool]
    policies: tuple[ScalingPolicy, ...]

    @property
    def any_suspended(self) -> bool:
        return any(self.suspended.values())


@dataclass(frozen=True)
class Event:
    at: datetime | None
    message: str

    @property
    def created(self) -> str | None:
        """To the second, as the table and the JSON have always shown it."""
        return _time(self.at)


@dataclass(frozen=True)
class ServiceStatus:
    key: str
    cluster: str
    service: str
    status: str  # ACTIVE | DRAINING | INACTIVE | MISSING
    controller: str = "ECS"
    task_definition: str | None = None
    desired: int = 0
    running: int = 0
    pending: int = 0
    launch_type: str | None = None
    capacity_provider_strategy: tuple[Mapping[str, Any], ...] = ()
    deployments: tuple[DeploymentStatus, ...] = ()
    task_sets: tuple[TaskSetStatus, ...] = ()
    scaling: ScalingStatus | None = None
    events: tuple[Event, ...] = ()  # the newest N, oldest first (as ecspresso prints them)
    service_name: str = ""  # serviceName and clusterArn as DescribeServices returned them
    cluster_arn: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def revision(self) -> str:
        return revision_name(self.task_definition)

    @property
    def not_found(self) -> str | None:
        """ecspresso's error for a service it cannot show (ecspresso.go DescribeService)."""
        if self.status == "MISSING":
            return f"service {self.service} is not found"
        if self.status == "INACTIVE":
            return f"service {self.service} is INACTIVE"
        return None


def check_found(statuses: Sequence[ServiceStatus]) -> None:
    """Exit 1 as ecspresso does when a selected service is missing or INACTIVE: the first
    one's message is the error, the others' follow it."""
    missing = [s.not_found for s in statuses if s.not_found]
    if missing:
        raise EcsplanError(missing[0], details="\n".join(missing[1:]) or None)


def newest_events(events: Sequence[Mapping[str, Any]], n: int) -> tuple[Event, ...]:
    """The newest ``n`` events, oldest first: a stable sort by createdAt, then the tail, as
    ecspresso does (so equal times keep the API's order); ``n <= 0`` is none."""
    if n <= 0:
        return ()
    ordered = sorted(events, key=lambda e: (e.get("createdAt") is not None, e.get("createdAt")))
    return tuple(Event(e.get("createdAt"), str(e.get("message", ""))) for e in ordered[-n:])


def service_status(
    key: str,
    cluster: str,
    service: str,
    svc: Mapping[str, Any] | None,
    target: Mapping[str, Any] | None = None,
    policies: Sequence[Mapping[str, Any]] = (),
    events: int = 10,
    warnings: Sequence[str] = (),
) -> ServiceStatus:
    """The status of one service from its describe output (None = it does not exist)."""
    if svc is None:
        return ServiceStatus(key, cluster, service, "MISSING")
    status = str(svc.get("status", "?"))
    if status == "DRAINING":  # ecspresso warns and shows it
        warnings = (f"service {service} is DRAINING", *warnings)
    return ServiceStatus(
        key=key,
        cluster=cluster,
        service=service,
        status=status,
        controller=str((svc.get("deploymentController") or {}).get("type") or "ECS"),
        task_definition=svc.get("taskDefinition"),
        desired=int(svc.get("desiredCount", 0)),
        running=int(svc.get("runningCount", 0)),
        pending=int(svc.get("pendingCount", 0)),
        launch_type=svc.get("launchType"),
        capacity_provider_strategy=tuple(svc.get("capacityProviderStrategy") or ()),
        deployments=tuple(_deployment(d) for d in svc.get("deployments") or ()),
        task_sets=tuple(_task_set(t) for t in svc.get("taskSets") or ()),
        scaling=None if target is None else _scaling(target, policies),
        events=newest_events(svc.get("events") or (), events),
        service_name=str(svc.get("serviceName", service)),
        cluster_arn=str(svc.get("clusterArn", cluster)),
        warnings=tuple(warnings),
    )


def _scaling(target: Mapping[str, Any], policies: Sequence[Mapping[str, Any]]) -> ScalingStatus:
    return ScalingStatus(
        min_capacity=int(target.get("MinCapacity", 0)),
        max_capacity=int(target.get("MaxCapacity", 0)),
        suspended=dict(target.get("SuspendedState") or {}),
        policies=tuple(
            ScalingPolicy(str(p.get("PolicyName")), str(p.get("PolicyType", ""))) for p in policies
        ),
    )


def _deployment(d: Mapping[str, Any]) -> DeploymentStatus:
    return DeploymentStatus(
        id=str(d.get("id", "")),
        status=str(d.get("status", "")),
        task_definition=str(d.get("taskDefinition", "")),
        desired=int(d.get("desiredCount", 0)),
        running=int(d.get("runningCount", 0)),
        pending=int(d.get("pendingCount", 0)),
        failed=int(d.get("failedTasks", 0)),
        rollout_state=d.get("rolloutState"),
        rollout_state_reason=d.get("rolloutStateReason"),
        updated=_time(d.get("updatedAt")),
    )


def _task_set(t: Mapping[str, Any]) -> TaskSetStatus:
    return TaskSetStatus(
        id=str(t.get("id", "")),
        status=str(t.get("status", "")),
        stability=t.get("stabilityStatus"),
        task_definition=str(t.get("taskDefinition", "")),
        desired=int(t.get("computedDesiredCount", 0)),
        running=int(t.get("runningCount", 0)),
        pending=int(t.get("pendingCount", 0)),
        scale=_scale(t.get("scale")),
        external_id=t.get("externalId"),
    )


def _scale(scale: Mapping[str, Any] | None) -> str | None:
    if not scale:
        return None
    return f"{scale.get('value')} {str(scale.get('unit', '')).lower()}".strip()


# --- cells -------------------------------------------------------------------------------
def launch_cell(s: ServiceStatus) -> str:
    if s.capacity_provider_strategy:
        parts = []
        for c in s.capacity_provider_strategy:
            extra = f" base {c['base']}" if c.get("base") else ""
            parts.append(f"{c.get('capacityProvider')} w{c.get('weight', 0)}{extra}")
        return ", ".join(parts)
    return s.launch_type or "-"


SUSPEND_SHORT = {
    "DynamicScalingInSuspended": "in",
    "DynamicScalingOutSuspended": "out",
    "ScheduledScalingSuspended": "scheduled",
}


def scaling_cell(s: ServiceStatus) -> str:
    a = s.scaling
    if a is None:
        return "-"
    text = f"min {a.min_capacity} max {a.max_capacity}"
    off = [short for k, short in SUSPEND_SHORT.items() if a.suspended.get(k)]
    text += ", suspended: " + "/".join(off) if off else ", active"
    if a.policies:
        text += f", policies: {', '.join(p.name for p in a.policies)}"
    return text


def deployments_cell(s: ServiceStatus) -> str:
    if s.deployments:
        return "; ".join(
            f"{d.status} {revision_name(d.task_definition)} "
            f"{(d.rollout_state or '-')} {d.running}/{d.desired}"
            for d in s.deployments
        )
    if s.task_sets:
        return "; ".join(
            f"{t.status} {revision_name(t.task_definition)} {t.stability or '-'} "
            f"{t.running}/{t.desired}"
            for t in s.task_sets
        )
    return "-"


def summary_row(s: ServiceStatus) -> list[str]:
    """service, status, revision, running/desired (pending), deployments, launch, scaling."""
    if s.status == "MISSING":
        return [s.key, "MISSING", "-", "-", "-", "-", "-"]
    return [
        s.key,
        s.status,
        s.revision,
        f"{s.running}/{s.desired}" + (f" (+{s.pending} pending)" if s.pending else ""),
        deployments_cell(s),
        launch_cell(s),
        scaling_cell(s),
    ]


SUMMARY_COLUMNS = (
    "service",
    "status",
    "revision",
    "running/desired",
    "deployments",
    "launch",
    "auto scaling",
)


# --- JSON ----------------------------------------------------------------------------------
def to_json(s: ServiceStatus) -> dict[str, Any]:
    """Stable JSON: camelCase as the AWS APIs name things, one object per service."""
    return {
        "key": s.key,
        "cluster": s.cluster,
        "service": s.service,
        "status": s.status,
        "deploymentController": s.controller,
        "taskDefinition": s.task_definition,
        "revision": s.revision if s.task_definition else None,
        "desiredCount": s.desired,
        "runningCount": s.running,
        "pendingCount": s.pending,
        "launchType": s.launch_type,
        "capacityProviderStrategy": [dict(c) for c in s.capacity_provider_strategy],
        "deployments": [
            {
                "id": d.id,
                "status": d.status,
                "taskDefinition": d.task_definition,
                "desiredCount": d.desired,
                "runningCount": d.running,
                "pendingCount": d.pending,
                "failedTasks": d.failed,
                "rolloutState": d.rollout_state,
                "rolloutStateReason": d.rollout_state_reason,
                "updatedAt": d.updated,
            }
            for d in s.deployments
        ],
        "taskSets": [
            {
                "id": t.id,
                "status": t.status,
                "stabilityStatus": t.stability,
                "taskDefinition": t.task_definition,
                "computedDesiredCount": t.desired,
                "runningCount": t.running,
                "pendingCount": t.pending,
                "scale": t.scale,
                "externalId": t.external_id,
            }
            for t in s.task_sets
        ],
        "autoScaling": None
        if s.scaling is None
        else {
            "minCapacity": s.scaling.min_capacity,
            "maxCapacity": s.scaling.max_capacity,
            "suspendedState": dict(s.scaling.suspended),
            "policies": [p.name for p in s.scaling.policies],
        },
        # newest first, as before the events were kept in ecspresso's order
        "events": [{"created": e.created, "message": e.message} for e in reversed(s.events)],
    }


def gather(session: Session, events: int) -> list[ServiceStatus]:
    """Every selected service's status, with its ``events`` newest events.

    As ecspresso (ecspresso.go describeAutoScaling), an auto scaling read that fails is a
    warning and the rest is still shown: status must work for a role without
    application-autoscaling permissions."""
    refs = session.refs()
    reader = LiveReader(session.aws, max_workers=session.selection.parallelism)
    services = reader.services(refs.values())
    try:
        targets, problem = reader.scalable_targets(refs.values()), None
    except AwsError as e:
        targets, problem = {}, f"failed to describe scalable targets: {e}"
    out = []
    for key, ref in refs.items():
        warnings = [problem] if problem else []
        target = targets.get(ref)
        policies: list[dict[str, Any]] = []
        if target:
            try:
                ops = OpsClient(session.aws_for(ref), ref.region)
                policies = ops.scaling_policies(ref.resource_id)
            except AwsError as e:
                warnings.append(f"failed to describe scaling policies: {e}")
        svc = services.get(ref)
        out.append(
            service_status(key, ref.cluster, ref.service, svc, target, policies, events, warnings)
        )
    return out
