"""A service's deployment controller switched in place by UpdateService (ECS, since July 2025).

CODE_DEPLOY -> ECS (and EXTERNAL -> ECS with task sets): the PRIMARY task set becomes the
service's PRIMARY, COMPLETED ECS deployment: same task definition, network, launch type or
capacity provider strategy and platform version, its running tasks kept (the fleet unit keeps
the task set's id, which has the ecs-svc/ form of a deployment id), and the task sets are
gone, so ecs_progress rolls the next deployment. The checks (only the documented transitions,
no ongoing deployment, one stable task set) are service_rules' and have passed.

ECS -> EXTERNAL: "the UpdateService and DescribeService API responses will still return
deployments instead of taskSets" (developer guide), so the deployments stay as they are; the
ECS progression stops moving them. CODE_DEPLOY -> EXTERNAL keeps the task sets, which
taskset_progress keeps running. EXTERNAL -> ECS without task sets takes the deployments back.
"""

from __future__ import annotations

from typing import Any

from moto.core.utils import utcnow
from moto.ecs.models import Service, TaskSet

from ecsplan_sandbox import ecs_progress, fleet


def switch(service: Service, old: str, new: str) -> None:
    service.deployment_controller = {"type": new}
    if new != "ECS":
        return
    conf = dict(ecs_progress.DEFAULT_DEPLOYMENT_CONFIGURATION)
    conf.update(getattr(service, "deployment_configuration", None) or {})
    service.deployment_configuration = conf
    primary = next((ts for ts in service.task_sets if ts.status == "PRIMARY"), None)
    if primary is not None:
        _adopt(service, primary)


def _adopt(service: Service, ts: TaskSet) -> None:
    """The task set's tasks become a completed ECS deployment with the same id."""
    for dep in service.deployments:  # left by an earlier ECS -> EXTERNAL switch
        fleet.stop_unit(service, dep["id"], "Deployment replaced by the PRIMARY task set")
    for other in service.task_sets:
        if other is not ts:
            fleet.stop_unit(service, other.id, "Task set removed")
    now = utcnow()
    dep: dict[str, Any] = {
        "id": ts.id,
        "status": "PRIMARY",
        "taskDefinition": ts.task_definition,
        "desiredCount": service.desired_count,
        "pendingCount": fleet.pending(service, ts.id),
        "runningCount": fleet.running(service, ts.id),
        "failedTasks": 0,
        "createdAt": getattr(ts, "createdAt", now),
        "updatedAt": now,
        "launchType": ts.launch_type,
        "platformVersion": ts.platform_version,
        "platformFamily": "Linux",
        "networkConfiguration": ts.network_configuration or None,
        "rolloutState": "COMPLETED",
        "rolloutStateReason": f"ECS deployment {ts.id} completed.",
    }
    if ts.capacity_provider_strategy:
        dep["capacityProviderStrategy"] = ts.capacity_provider_strategy
        dep.pop("launchType")
    service.task_definition = ts.task_definition
    service.deployments = [dep]
    service.task_sets = []
    service.sb_last_good = {"id": ts.id, "taskDefinition": ts.task_definition}
