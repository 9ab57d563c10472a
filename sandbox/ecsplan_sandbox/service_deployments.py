"""ECS service deployments (ListServiceDeployments, DescribeServiceDeployments,
ContinueServiceDeployment), which moto does not implement.

Every deployment ecs_progress starts is recorded on its moto Service (`sb_sd`, so a moto reset
forgets it) with the lifecycle hook details native_strategies reports. The ServiceDeployment
status is derived from the deployment's rolloutState: IN_PROGRESS while it is listed and
rolling, SUCCESSFUL once COMPLETED, ROLLBACK_SUCCESSFUL when it failed and ECS rolled back,
STOPPED when it failed without rollback or was replaced before it finished. A PAUSE hook waits
(hook status AWAITING_ACTION) until ContinueServiceDeployment names its hookId.
"""

from __future__ import annotations

import secrets
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend, Service


class ServiceDeploymentNotFound(JsonRESTError):
    def __init__(self, arn: str) -> None:
        super().__init__(
            "ServiceDeploymentNotFoundException", f"Service deployment {arn} was not found."
        )


def _records(svc: Service) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = svc.__dict__.setdefault("sb_sd", {})
    return records


def record(svc: Service, dep: dict[str, Any]) -> None:
    """Remember a new deployment (the dict itself: its rolloutState stays current)."""
    _records(svc)[dep["id"]] = {"dep": dep, "hooks": [], "rolled_back": False}


def entry(svc: Service, dep_id: str) -> dict[str, Any] | None:
    return _records(svc).get(dep_id)


def new_hook_id(kind: str) -> str:
    """An id shaped like ECS's (`ecs-pause-...`)."""
    return f"ecs-{kind}-{secrets.token_urlsafe(32)}"


def arn(svc: Service, dep_id: str) -> str:
    return svc.arn.replace(":service/", ":service-deployment/", 1) + "/" + dep_id.split("/")[-1]


def status(svc: Service, rec: dict[str, Any]) -> str:
    dep = rec["dep"]
    state = dep.get("rolloutState")
    if state == "COMPLETED":
        return "SUCCESSFUL"
    if state == "FAILED":
        return "ROLLBACK_SUCCESSFUL" if rec["rolled_back"] else "STOPPED"
    listed = any(d is dep for d in svc.deployments)
    return "IN_PROGRESS" if listed else "STOPPED"


def _stage(svc: Service, rec: dict[str, Any]) -> str:
    from ecsplan_sandbox import native_strategies

    native = native_strategies.state(svc, rec["dep"]["id"])
    if native is not None:
        return str(native["stage"])
    return "CLEAN_UP" if status(svc, rec) != "IN_PROGRESS" else "SCALE_UP"


def _revision_arn(svc: Service, dep: dict[str, Any]) -> str:
    base = svc.arn.replace(":service/", ":service-revision/", 1)
    return f"{base}/{dep['id'].split('/')[-1]}"


def brief(svc: Service, rec: dict[str, Any]) -> dict[str, Any]:
    dep = rec["dep"]
    return {
        "serviceDeploymentArn": arn(svc, dep["id"]),
        "serviceArn": svc.arn,
        "clusterArn": svc.cluster_arn,
        "createdAt": dep["createdAt"],
        "startedAt": dep["createdAt"],
        "targetServiceRevisionArn": _revision_arn(svc, dep),
        "status": status(svc, rec),
    }


def full(svc: Service, rec: dict[str, Any]) -> dict[str, Any]:
    """The ServiceDeployment shape (the members the sandbox can tell)."""
    out = brief(svc, rec)
    out.pop("targetServiceRevisionArn")
    dep = rec["dep"]
    out.update(
        {
            "updatedAt": dep.get("updatedAt", dep["createdAt"]),
            "targetServiceRevision": {
                "arn": _revision_arn(svc, dep),
                "requestedTaskCount": dep["desiredCount"],
                "runningTaskCount": dep.get("runningCount", 0),
                "pendingTaskCount": dep.get("pendingCount", 0),
            },
            "statusReason": dep.get("rolloutStateReason", ""),
            "lifecycleStage": _stage(svc, rec),
            "lifecycleHookDetails": [dict(h) for h in rec["hooks"]],
            "deploymentConfiguration": dict(getattr(svc, "deployment_configuration", {}) or {}),
        }
    )
    return out


def find(backend: EC2ContainerServiceBackend, sd_arn: str) -> tuple[Service, dict[str, Any]]:
    """The service and record of a service deployment ARN; ECS's error when there is none."""
    for svc in backend.services.values():
        for rec in _records(svc).values():
            if arn(svc, rec["dep"]["id"]) == sd_arn:
                return svc, rec
    raise ServiceDeploymentNotFound(sd_arn)


def listed(svc: Service, statuses: list[str] | None) -> list[dict[str, Any]]:
    """Briefs newest first, filtered by status as ListServiceDeployments does."""
    recs = sorted(_records(svc).values(), key=lambda r: r["dep"]["createdAt"], reverse=True)
    out = [brief(svc, r) for r in recs]
    return [b for b in out if not statuses or b["status"] in statuses]


def continue_hook(svc: Service, rec: dict[str, Any], hook_id: str, action: str) -> dict[str, Any]:
    """Resolve a paused hook; the native strategy moves on (CONTINUE) or rolls back."""
    from ecsplan_sandbox import ecs_progress

    if status(svc, rec) != "IN_PROGRESS":
        raise InvalidParameterException(
            f"Service deployment {arn(svc, rec['dep']['id'])} is not IN_PROGRESS."
        )
    hook = next((h for h in rec["hooks"] if h["hookId"] == hook_id), None)
    if hook is None or hook["status"] != "AWAITING_ACTION":
        raise InvalidParameterException(
            f"Lifecycle hook {hook_id} is not awaiting action in this service deployment."
        )
    if action not in ("CONTINUE", "ROLLBACK"):
        raise InvalidParameterException(f"Invalid action {action!r}: CONTINUE or ROLLBACK.")
    hook["status"] = "SUCCEEDED" if action == "CONTINUE" else "FAILED"
    if action == "ROLLBACK":
        ecs_progress.roll_back(svc, rec["dep"], "ECS deployment rolled back at a lifecycle hook.")
    return hook
