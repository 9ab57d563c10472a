"""Rolling-update progression of ECS-controlled services, one tick at a time.

Semantics follow ECS: a new PRIMARY deployment starts tasks in steps bounded by
maximumPercent, the ACTIVE deployments drain while minimumHealthyPercent allows, the PRIMARY
becomes COMPLETED when it runs desiredCount tasks and the others are gone. Images whose tag
ends in `-fail` never get healthy; the deployment circuit breaker (threshold as in ECS:
0.5 x desiredCount, at least 3, at most 200 failed tasks) marks the rollout FAILED and, with
rollback, starts a new deployment with the last task definition that completed.
"""

from __future__ import annotations

import math
import random
from typing import Any

from botocore import xform_name
from moto.core.utils import utcnow
from moto.ecs.models import EC2ContainerServiceBackend, Service

from ecsplan_sandbox import fleet, native_strategies, service_deployments

DEFAULT_DEPLOYMENT_CONFIGURATION: dict[str, Any] = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}

# Service settings DescribeServices reports on each deployment (the Deployment shape) and not
# on the Service shape.
DEPLOYMENT_REPORTED = (
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)


def circuit_breaker_threshold(desired: int) -> int:
    return min(200, max(3, math.ceil(0.5 * desired)))


def deployment_configuration(service: Service) -> dict[str, Any]:
    return getattr(service, "deployment_configuration", None) or DEFAULT_DEPLOYMENT_CONFIGURATION


def start_deployment(
    service: Service, reason: str | None = None, *, native: bool = True
) -> dict[str, Any]:
    """A new PRIMARY deployment of the service's current settings; the old PRIMARY turns ACTIVE.

    With a BLUE_GREEN / LINEAR / CANARY strategy (and a previous deployment to replace) it
    goes through native_strategies' stages instead of rolling; `native=False` for rollbacks.
    """
    dep_id = f"ecs-svc/{random.randint(10**18, 10**19 - 1)}"
    now = utcnow()
    cps = getattr(service, "capacity_provider_strategy", None)
    dep: dict[str, Any] = {
        "id": dep_id,
        "status": "PRIMARY",
        "taskDefinition": service.task_definition,
        "desiredCount": service.desired_count,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "launchType": service.launch_type,
        "platformVersion": service.platform_version,
        "platformFamily": "Linux",
        "networkConfiguration": service.network_configuration or None,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": reason or f"ECS deployment {dep_id} in progress.",
    }
    if cps:
        dep["capacityProviderStrategy"] = cps
        dep.pop("launchType")
    for key in DEPLOYMENT_REPORTED:  # reported on the deployment, not on the service
        value = getattr(service, xform_name(key), None)
        if value:
            dep[key] = value
    for d in service.deployments:
        if d["status"] == "PRIMARY":
            d["status"] = "ACTIVE"
            d["updatedAt"] = now
    service.deployments.insert(0, dep)
    service_deployments.record(service, dep)
    service.sb_steady = False
    if native and len(service.deployments) > 1:
        native_strategies.begin(service, dep, deployment_configuration(service))
    return dep


def tick(backend: EC2ContainerServiceBackend) -> None:
    for service in list(backend.services.values()):
        if service.status != "ACTIVE" or not service.deployments:
            continue
        if (service.deployment_controller or {}).get("type", "ECS") != "ECS":
            continue
        if service.cluster_name not in backend.clusters:
            continue
        _tick_service(backend, service)


def _tick_service(backend: EC2ContainerServiceBackend, svc: Service) -> None:
    """One step of a rolling deployment: settle tasks, trip the breaker, scale, drain, done."""
    deps = svc.deployments
    primary = deps[0]
    pid = primary["id"]
    conf = deployment_configuration(svc)
    _settle(backend, svc)
    cb = conf.get("deploymentCircuitBreaker") or {}
    if (
        primary["rolloutState"] == "IN_PROGRESS"
        and cb.get("enable")
        and primary["failedTasks"] >= circuit_breaker_threshold(primary["desiredCount"])
    ):
        _circuit_break(svc, primary, bool(cb.get("rollback")))
        _update_counts(svc)
        return
    if primary["rolloutState"] == "IN_PROGRESS" and native_strategies.state(svc, pid):
        if native_strategies.tick(backend, svc, primary):
            native_strategies.forget(svc, pid)
            _complete(svc, primary)
        _update_counts(svc)
        _steady_state(svc)
        return
    if primary["rolloutState"] != "FAILED":
        _scale_primary(backend, svc, conf)
    if primary["rolloutState"] != "FAILED" or not cb.get("rollback"):
        _drain(svc, conf)
    old_live = sum(len(fleet.live(svc, d["id"])) for d in deps[1:])
    if (
        primary["rolloutState"] == "IN_PROGRESS"
        and fleet.running(svc, pid) == primary["desiredCount"]
        and fleet.pending(svc, pid) == 0
        and old_live == 0
    ):
        _complete(svc, primary)
    _update_counts(svc)
    _steady_state(svc)


def _settle(backend: EC2ContainerServiceBackend, svc: Service) -> None:
    """Pending tasks start (or fail, for an image that fails); failures are counted."""
    for dep in svc.deployments:
        fails = fleet.image_fails(fleet.task_definition(backend, dep["taskDefinition"]))
        failed = fleet.settle(svc, dep["id"], fails)
        if failed:
            dep["failedTasks"] += len(failed)
            fleet.add_event(
                svc,
                f"has stopped {len(failed)} running tasks: {fleet.task_ids(failed)}.",
            )


def _scale_primary(backend: EC2ContainerServiceBackend, svc: Service, conf: dict[str, Any]) -> None:
    """The primary deployment towards its desired count, within maximumPercent."""
    deps = svc.deployments
    primary, pid = deps[0], deps[0]["id"]
    target, have = primary["desiredCount"], len(fleet.live(svc, pid))
    if have < target:
        others = sum(len(fleet.live(svc, d["id"])) for d in deps[1:])
        ceiling = math.floor(svc.desired_count * conf.get("maximumPercent", 200) / 100)
        room = max(1, ceiling - others - have)
        started = fleet.launch(
            backend,
            svc,
            pid,
            primary["taskDefinition"],
            min(target - have, room),
            primary.get("networkConfiguration"),
            primary.get("launchType"),
            primary.get("platformVersion"),
        )
        if started:
            fleet.add_event(svc, f"has started {len(started)} tasks: {fleet.task_ids(started)}.")
    elif have > target:
        tasks = sorted(fleet.live(svc, pid), key=lambda t: t.status != "PENDING")
        extra = tasks[: have - target]
        fleet.stop(svc, pid, extra, f"Scaling activity initiated by (deployment {pid})")
        fleet.add_event(svc, f"has stopped {len(extra)} running tasks: {fleet.task_ids(extra)}.")


def _drain(svc: Service, conf: dict[str, Any]) -> None:
    """Stop old tasks while the healthy count stays at or above minimumHealthyPercent."""
    primary = svc.deployments[0]
    if primary["rolloutState"] == "FAILED":
        return
    min_healthy = math.ceil(svc.desired_count * conf.get("minimumHealthyPercent", 100) / 100)
    healthy = fleet.running(svc, primary["id"]) + sum(
        fleet.running(svc, d["id"]) for d in svc.deployments[1:]
    )
    budget = healthy - min_healthy
    for dep in reversed(svc.deployments[1:]):
        tasks = fleet.live(svc, dep["id"])
        pend = [t for t in tasks if t.status == "PENDING"]
        run = [t for t in tasks if t.status == "RUNNING"]
        victims = pend + run[: max(0, budget)]
        budget -= len(victims) - len(pend)
        if victims:
            fleet.stop(
                svc, dep["id"], victims, f"Scaling activity initiated by (deployment {dep['id']})"
            )
            fleet.add_event(
                svc, f"has stopped {len(victims)} running tasks: {fleet.task_ids(victims)}."
            )


def _complete(svc: Service, primary: dict[str, Any]) -> None:
    primary["rolloutState"] = "COMPLETED"
    if "circuit breaker" not in primary["rolloutStateReason"]:
        primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
    for dep in svc.deployments[1:]:
        fleet.stop_unit(svc, dep["id"], "Deployment completed")
        native_strategies.forget(svc, dep["id"])
    del svc.deployments[1:]
    svc.sb_last_good = {"id": primary["id"], "taskDefinition": primary["taskDefinition"]}
    fleet.add_event(svc, f"(deployment {primary['id']}) deployment completed.")


def _circuit_break(svc: Service, primary: dict[str, Any], rollback: bool) -> None:
    primary["rolloutState"] = "FAILED"
    primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
    fleet.stop(svc, primary["id"], list(fleet.live(svc, primary["id"])), "Deployment failed")
    fleet.add_event(svc, f"(deployment {primary['id']}) deployment failed: tasks failed to start.")
    if rollback:
        roll_back(
            svc, primary, "ECS deployment circuit breaker: rolling back to deploymentId {id}."
        )


def roll_back(svc: Service, primary: dict[str, Any], reason: str) -> None:
    """Back to the last completed revision (circuit breaker, or a paused hook's ROLLBACK);
    a native strategy's blue tasks, still running, serve again. `{id}` in the reason is
    the deployment rolled back to."""
    last_good: dict[str, str] | None = getattr(svc, "sb_last_good", None)
    if not last_good or last_good["taskDefinition"] == primary["taskDefinition"]:
        return
    if primary["rolloutState"] != "FAILED":
        primary["rolloutState"] = "FAILED"
        primary["rolloutStateReason"] = reason.format(id=last_good["id"])
        fleet.stop(svc, primary["id"], list(fleet.live(svc, primary["id"])), "Rolled back")
    svc.task_definition = last_good["taskDefinition"]
    was_native = native_strategies.state(svc, primary["id"]) is not None
    native_strategies.forget(svc, primary["id"])
    rec = service_deployments.entry(svc, primary["id"])
    if rec is not None:
        rec["rolled_back"] = True
    back = start_deployment(svc, reason=reason.format(id=last_good["id"]), native=False)
    if was_native:
        native_strategies.hand_back_blue(svc, back)
    fleet.add_event(svc, f"rolling back to deployment {last_good['id']}.")


def _update_counts(svc: Service) -> None:
    now = utcnow()
    total_running = total_pending = 0
    for dep in svc.deployments:
        r, p = fleet.running(svc, dep["id"]), fleet.pending(svc, dep["id"])
        if (r, p) != (dep["runningCount"], dep["pendingCount"]):
            dep["updatedAt"] = now
        dep["runningCount"], dep["pendingCount"] = r, p
        total_running += r
        total_pending += p
    svc.running_count = total_running
    svc.pending_count = total_pending


def _steady_state(svc: Service) -> None:
    primary = svc.deployments[0]
    steady = (
        len(svc.deployments) == 1
        and primary["rolloutState"] == "COMPLETED"
        and primary["runningCount"] == primary["desiredCount"]
        and primary["pendingCount"] == 0
    )
    if steady and not getattr(svc, "sb_steady", False):
        fleet.add_event(svc, "has reached a steady state.")
    svc.sb_steady = steady
