"""Task sets of CODE_DEPLOY (and EXTERNAL) services: run each set's share of desiredCount."""

from __future__ import annotations

import math

from moto.core.utils import utcnow
from moto.ecs.models import EC2ContainerServiceBackend, Service, TaskSet

from ecsplan_sandbox import fleet


def computed_desired(service: Service, ts: TaskSet) -> int:
    scale = ts.scale or {"value": 100.0, "unit": "PERCENT"}
    return math.ceil(service.desired_count * float(scale.get("value", 100.0)) / 100)


def create_primary(service: Service, task_definition_arn: str) -> TaskSet:
    """The task set ECS creates with a CODE_DEPLOY service (PRIMARY, 100%)."""
    ts = TaskSet(
        service.arn,
        service.cluster_arn,
        task_definition_arn,
        service._account_id,
        service.region_name,
        network_configuration=service.network_configuration or None,
        load_balancers=service.load_balancers,
        service_registries=service.service_registries,
        launch_type=service.launch_type,
        capacity_provider_strategy=getattr(service, "capacity_provider_strategy", None),
        platform_version=service.platform_version,
    )
    ts.task_definition = task_definition_arn
    ts.service_arn = service.arn
    ts.cluster_arn = service.cluster_arn
    ts.status = "PRIMARY"
    init_counts(ts, service)
    service.task_sets.append(ts)
    return ts


def init_counts(ts: TaskSet, service: Service) -> None:
    ts.computed_desired_count = computed_desired(service, ts)
    ts.running_count = 0
    ts.pending_count = 0
    ts.sb_failed = 0
    ts.stabilityStatus = "STABILIZING"
    if not getattr(ts, "started_by", None):
        ts.started_by = "ecs-svc" if not ts.external_id else "codedeploy"


def failed_tasks(ts: TaskSet) -> int:
    return int(getattr(ts, "sb_failed", 0))


def tick(backend: EC2ContainerServiceBackend) -> None:
    for service in list(backend.services.values()):
        if service.status != "ACTIVE" or not service.task_sets:
            continue
        if service.cluster_name not in backend.clusters:
            continue
        _tick_service(backend, service)


def _tick_service(backend: EC2ContainerServiceBackend, svc: Service) -> None:
    now = utcnow()
    for ts in svc.task_sets:
        if not hasattr(ts, "computed_desired_count"):
            init_counts(ts, svc)
        unit = ts.id
        td = fleet.task_definition(backend, ts.task_definition)
        failed = fleet.settle(svc, unit, fleet.image_fails(td))
        if failed:
            ts.sb_failed = failed_tasks(ts) + len(failed)
            fleet.add_event(
                svc, f"has stopped {len(failed)} running tasks: {fleet.task_ids(failed)}."
            )
        target = computed_desired(svc, ts)
        have = len(fleet.live(svc, unit))
        if have < target:
            started = fleet.launch(
                backend,
                svc,
                unit,
                ts.task_definition,
                target - have,
                ts.network_configuration,
                ts.launch_type,
                ts.platform_version,
            )
            fleet.add_event(svc, f"has started {len(started)} tasks: {fleet.task_ids(started)}.")
        elif have > target:
            extra = fleet.live(svc, unit)[: have - target]
            fleet.stop(svc, unit, extra, f"Scaling activity initiated by (task set {ts.id})")
            fleet.add_event(
                svc, f"has stopped {len(extra)} running tasks: {fleet.task_ids(extra)}."
            )
        r, p = fleet.running(svc, unit), fleet.pending(svc, unit)
        stable = r == target and p == 0
        ts.computed_desired_count, ts.running_count, ts.pending_count = target, r, p
        status = "STEADY_STATE" if stable else "STABILIZING"
        if status != ts.stabilityStatus:
            ts.stabilityStatus = status
            ts.stabilityStatusAt = now
            ts.updatedAt = now
    svc.running_count = sum(ts.running_count for ts in svc.task_sets)
    svc.pending_count = sum(ts.pending_count for ts in svc.task_sets)
    steady = len(svc.task_sets) == 1 and svc.task_sets[0].stabilityStatus == "STEADY_STATE"
    if steady and not getattr(svc, "sb_steady", False):
        fleet.add_event(svc, "has reached a steady state.")
    svc.sb_steady = steady


def remove(svc: Service, ts: TaskSet, reason: str) -> None:
    fleet.stop_unit(svc, ts.id, reason)
    if ts in svc.task_sets:
        svc.task_sets.remove(ts)


def make_primary(svc: Service, ts: TaskSet) -> None:
    """Shift production to `ts`: it becomes PRIMARY and the service follows its definition."""
    for other in svc.task_sets:
        other.status = "PRIMARY" if other is ts else "ACTIVE"
    svc.task_definition = ts.task_definition
    if ts.load_balancers:
        svc.load_balancers = ts.load_balancers
    # The service reports what its PRIMARY task set runs, as ECS does after a swap.
    if getattr(ts, "network_configuration", None):
        svc.network_configuration = ts.network_configuration
    if getattr(ts, "platform_version", None):
        svc.platform_version = ts.platform_version
    if getattr(ts, "capacity_provider_strategy", None):
        svc.capacity_provider_strategy = ts.capacity_provider_strategy
        svc.launch_type = None  # a service on a strategy reports no launch type
    elif getattr(ts, "launch_type", None):
        svc.launch_type = ts.launch_type
        svc.capacity_provider_strategy = None
