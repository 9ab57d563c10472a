"""CodeDeploy ECS blue/green deployments moving forward through their lifecycle events.

moto stores deployments as "Created" forever. Here each tick advances one lifecycle event:
Install creates the replacement task set from the AppSpec's task definition and waits until it
is stable (a `-fail` image makes the deployment Failed), AllowTraffic makes it PRIMARY (the
service's taskDefinition follows), and the end removes the original task set. Failures and
stops roll back when auto rollback applies. State lives on moto's DeploymentInfo objects
(`sb_*` attributes), so a moto reset forgets it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import yaml
from moto.codedeploy.models import CodeDeployBackend, DeploymentInfo
from moto.core.utils import utcnow
from moto.ecs.models import EC2ContainerServiceBackend, Service, TaskSet, ecs_backends
from moto.elbv2.models import elbv2_backends

from ecsplan_sandbox import taskset_progress
from ecsplan_sandbox.ecs_progress import circuit_breaker_threshold

log = logging.getLogger("ecsplan_sandbox")

LIFECYCLE: tuple[str, ...] = (
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)
ACTIVE_STATUSES = ("Created", "Queued", "InProgress", "Ready")


class DeploymentError(Exception):
    """A reason to fail a deployment (becomes its errorInformation)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def appspec(revision: dict[str, Any]) -> dict[str, Any]:
    """The AppSpec document of a revision (AppSpecContent or String; JSON or YAML)."""
    holder = revision.get("appSpecContent") or revision.get("string") or {}
    content = holder.get("content")
    if not content:
        raise DeploymentError("INVALID_REVISION", "The revision has no AppSpec content.")
    try:
        doc = json.loads(content)
    except ValueError:
        doc = yaml.safe_load(content)
    if not isinstance(doc, dict):
        raise DeploymentError("INVALID_REVISION", "The AppSpec content is not a mapping.")
    return doc


def target_properties(doc: dict[str, Any]) -> dict[str, Any]:
    resources = doc.get("Resources") or doc.get("resources") or []
    for res in resources:
        for body in (res or {}).values():
            if (
                isinstance(body, dict)
                and body.get("Type", "AWS::ECS::Service") == "AWS::ECS::Service"
            ):
                props = body.get("Properties") or {}
                if props.get("TaskDefinition"):
                    return props
    raise DeploymentError(
        "INVALID_REVISION", "The AppSpec has no AWS::ECS::Service resource with a TaskDefinition."
    )


def _events(d: DeploymentInfo) -> list[dict[str, Any]]:
    evs: list[dict[str, Any]] | None = getattr(d, "sb_events", None)
    if evs is None:
        evs = [{"lifecycleEventName": n, "status": "Pending"} for n in LIFECYCLE]
        d.sb_events = evs
    return evs


def _service(
    cd: CodeDeployBackend, d: DeploymentInfo
) -> tuple[EC2ContainerServiceBackend, Service]:
    group = d.deployment_group
    services = group.ecs_services or []
    if not services:
        raise DeploymentError("NO_INSTANCES", "The deployment group has no ECS service.")
    ref = services[0]
    backend = ecs_backends[cd.account_id][cd.region_name]
    cluster = str(ref.get("clusterName", "default")).split("/")[-1]
    name = str(ref.get("serviceName", "")).split("/")[-1]
    svc = backend.services.get(f"{cluster}:{name}")
    if svc is None or svc.status != "ACTIVE":
        raise DeploymentError(
            "ECS_UPDATE_ERROR", f"The ECS service {name} in cluster {cluster} does not exist."
        )
    return backend, svc


def tick(cd_backend: CodeDeployBackend) -> None:
    for d in list(cd_backend.deployments.values()):
        if d.status not in ACTIVE_STATUSES:
            continue
        if d.deployment_group.application.compute_platform != "ECS":
            continue
        try:
            _advance(cd_backend, d)
        except DeploymentError as e:
            fail(cd_backend, d, e.code, e.message)


def _advance(cd: CodeDeployBackend, d: DeploymentInfo) -> None:
    now = utcnow()
    if d.status in ("Created", "Queued"):
        d.status = "InProgress"
        d.start_time = now
        _events(d)
        return
    if d.status == "Ready":
        if getattr(d, "sb_continue", False):
            d.status = "InProgress"
        return
    backend, svc = _service(cd, d)
    evs = _events(d)
    current = next((e for e in evs if e["status"] != "Succeeded"), None)
    if current is None:
        _finish(svc, d)
        return
    name = current["lifecycleEventName"]
    if current["status"] == "Pending":
        current["status"] = "InProgress"
        current["startTime"] = now
        if name == "Install":
            _install(backend, svc, d)
        elif name == "AllowTraffic":
            taskset_progress.make_primary(svc, _replacement(svc, d))
        return
    if name == "Install":
        ts = _replacement(svc, d)
        threshold = circuit_breaker_threshold(ts.computed_desired_count)
        if taskset_progress.failed_tasks(ts) >= threshold:
            raise DeploymentError(
                "ECS_UPDATE_ERROR",
                "The ECS replacement task set failed to reach a steady state: "
                f"{taskset_progress.failed_tasks(ts)} tasks failed to start.",
            )
        if ts.stabilityStatus != "STEADY_STATE":
            return
    current["status"] = "Succeeded"
    current["endTime"] = now
    if name == "AfterAllowTestTraffic" and _waits_for_ready(d):
        d.status = "Ready"


def _waits_for_ready(d: DeploymentInfo) -> bool:
    bg = d.deployment_group.blue_green_deployment_configuration or {}
    ready = bg.get("deploymentReadyOption") or {}
    return ready.get("actionOnTimeout") == "STOP_DEPLOYMENT" and not getattr(
        d, "sb_continue", False
    )


def _install(backend: EC2ContainerServiceBackend, svc: Service, d: DeploymentInfo) -> None:
    """The replacement task set of an AppSpec: its task definition, network, the other
    target group of the pair, capacity."""
    props = target_properties(appspec(d.revision))
    td = backend.describe_task_definition(str(props["TaskDefinition"]))
    cps = props.get("CapacityProviderStrategy")
    ts = TaskSet(
        svc.arn,
        svc.cluster_arn,
        td.arn,
        svc._account_id,
        svc.region_name,
        external_id=d.deployment_id,
        network_configuration=_appspec_network(svc, props),
        load_balancers=_appspec_load_balancers(backend, svc, d, props),
        launch_type=None if cps else (props.get("LaunchType") or svc.launch_type),
        capacity_provider_strategy=[
            {
                "capacityProvider": c.get("CapacityProvider"),
                "weight": c.get("Weight", 0),
                "base": c.get("Base", 0),
            }
            for c in cps
        ]
        if cps
        else getattr(svc, "capacity_provider_strategy", None),
        platform_version=props.get("PlatformVersion") or svc.platform_version,
    )
    ts.task_definition = td.arn
    ts.service_arn = svc.arn
    ts.cluster_arn = svc.cluster_arn
    ts.started_by = "CodeDeploy"
    taskset_progress.init_counts(ts, svc)
    svc.task_sets.append(ts)
    d.sb_replacement = ts.id
    d.sb_originals = [t.id for t in svc.task_sets if t is not ts]


def _appspec_network(svc: Service, props: dict[str, Any]) -> dict[str, Any] | None:
    net = props.get("NetworkConfiguration", {}).get("AwsvpcConfiguration")
    if not net:
        return svc.network_configuration or None
    return {
        "awsvpcConfiguration": {
            "subnets": net.get("Subnets", []),
            "securityGroups": net.get("SecurityGroups", []),
            "assignPublicIp": net.get("AssignPublicIp", "DISABLED"),
        }
    }


def _appspec_load_balancers(
    backend: EC2ContainerServiceBackend, svc: Service, d: DeploymentInfo, props: dict[str, Any]
) -> list[dict[str, Any]]:
    lb = props.get("LoadBalancerInfo")
    if not (lb and svc.load_balancers):
        return svc.load_balancers
    first = dict(svc.load_balancers[0])
    other = _other_target_group(
        d, first.get("targetGroupArn"), backend.account_id, backend.region_name
    )
    if other:
        first["targetGroupArn"] = other
    return [
        {
            **first,
            "containerName": lb.get("ContainerName"),
            "containerPort": lb.get("ContainerPort"),
        }
    ]


def _other_target_group(
    d: DeploymentInfo, current: str | None, account: str, region: str
) -> str | None:
    """The pair's target group that does not serve now: the replacement registers there, so
    a successful deployment swaps blue and green (the service then reports the other one)."""
    if not current:
        return None
    pairs = (d.deployment_group.load_balancer_info or {}).get("targetGroupPairInfoList") or []
    names = [str(t.get("name")) for p in pairs[:1] for t in p.get("targetGroups") or []]
    cur_name = current.split(":targetgroup/")[-1].split("/")[0]
    if len(names) != 2 or cur_name not in names:
        return None
    want = names[1 - names.index(cur_name)]
    for arn, tg in elbv2_backends[account][region].target_groups.items():
        if tg.name == want:
            return str(arn)
    return None


def _replacement(svc: Service, d: DeploymentInfo) -> TaskSet:
    ts_id = getattr(d, "sb_replacement", None)
    for ts in svc.task_sets:
        if ts.id == ts_id:
            return ts
    raise DeploymentError("ECS_UPDATE_ERROR", "The replacement task set disappeared.")


def _finish(svc: Service, d: DeploymentInfo) -> None:
    replacement = _replacement(svc, d)
    for ts in list(svc.task_sets):
        if ts is not replacement:
            taskset_progress.remove(svc, ts, "Deployment succeeded: original task set terminated")
    d.status = "Succeeded"
    d.complete_time = utcnow()
    d.deployment_status_messages = []


def _skip_rest(d: DeploymentInfo, failed: bool) -> None:
    now = utcnow()
    for e in _events(d):
        if e["status"] == "InProgress":
            e["status"] = "Failed" if failed else "Skipped"
            e["endTime"] = now
        elif e["status"] == "Pending":
            e["status"] = "Skipped"


def _rollback_enabled(d: DeploymentInfo, event: str) -> bool:
    conf = d.auto_rollback_configuration or d.deployment_group.auto_rollback_configuration or {}
    return bool(conf.get("enabled")) and event in (conf.get("events") or [])


def fail(cd: CodeDeployBackend, d: DeploymentInfo, code: str, message: str) -> None:
    log.info("codedeploy deployment %s failed: %s", d.deployment_id, message)
    _skip_rest(d, failed=True)
    d.status = "Failed"
    d.complete_time = utcnow()
    d.sb_error = {"code": code, "message": message}
    if _rollback_enabled(d, "DEPLOYMENT_FAILURE"):
        rollback(cd, d, f"Deployment {d.deployment_id} failed; automatic rollback triggered.")


def stop(cd: CodeDeployBackend, d: DeploymentInfo, auto_rollback: bool) -> None:
    _skip_rest(d, failed=False)
    d.status = "Stopped"
    d.complete_time = utcnow()
    d.sb_error = {"code": "MANUAL_STOP", "message": "The deployment was stopped by the user."}
    if auto_rollback:
        rollback(cd, d, f"Deployment {d.deployment_id} was stopped; rolled back on request.")


def rollback(cd: CodeDeployBackend, d: DeploymentInfo, message: str) -> None:
    """Put the original task set back in front and remove the replacement, as CodeDeploy does."""
    try:
        _, svc = _service(cd, d)
    except DeploymentError:
        svc = None
    if svc is not None:
        originals = [ts for ts in svc.task_sets if ts.id in getattr(d, "sb_originals", [])]
        if originals:
            taskset_progress.make_primary(svc, originals[0])
        repl_id = getattr(d, "sb_replacement", None)
        for ts in list(svc.task_sets):
            if ts.id == repl_id:
                taskset_progress.remove(
                    svc, ts, "Deployment rolled back: replacement task set terminated"
                )
    rb = DeploymentInfo(
        d.application,
        d.deployment_group,
        d.revision,
        d.deployment_config_name,
        f"Rollback of {d.deployment_id}",
        None,
        None,
        None,
        None,
        None,
        None,
        "codeDeployRollback",
    )
    rb.status = "Succeeded"
    rb.start_time = rb.complete_time = utcnow()
    rb.sb_events = [
        {
            "lifecycleEventName": n,
            "status": "Succeeded",
            "startTime": rb.start_time,
            "endTime": rb.start_time,
        }
        for n in LIFECYCLE
    ]
    rb.sb_rollback = {
        "rollbackTriggeringDeploymentId": d.deployment_id,
        "rollbackMessage": f"Deployment {rb.deployment_id} rolls back {d.deployment_id}.",
    }
    cd.deployments[rb.deployment_id] = rb
    d.sb_rollback = {"rollbackDeploymentId": rb.deployment_id, "rollbackMessage": message}


def target_id(d: DeploymentInfo) -> str | None:
    services = d.deployment_group.ecs_services or []
    if not services:
        return None
    ref = services[0]
    return (
        f"{str(ref.get('clusterName')).split('/')[-1]}:{str(ref.get('serviceName')).split('/')[-1]}"
    )


def overview(d: DeploymentInfo) -> dict[str, int]:
    """The one ECS target's state counted the way CodeDeploy counts targets."""
    out = {"Pending": 0, "InProgress": 0, "Succeeded": 0, "Failed": 0, "Skipped": 0, "Ready": 0}
    key = {
        "Created": "Pending",
        "Queued": "Pending",
        "InProgress": "InProgress",
        "Ready": "Ready",
        "Succeeded": "Succeeded",
        "Failed": "Failed",
        "Stopped": "Skipped",
    }.get(d.status, "Pending")
    out[key] = 1
    return out


def deployment_target(cd: CodeDeployBackend, d: DeploymentInfo) -> dict[str, Any]:
    """GetDeploymentTarget's ECSTarget: lifecycle progress and the task sets involved."""
    tid = target_id(d) or ""
    status = {"Created": "Pending", "Queued": "Pending", "Stopped": "Skipped"}.get(
        d.status, d.status
    )
    task_sets: list[dict[str, Any]] = []
    try:
        _, svc = _service(cd, d)
        for ts in svc.task_sets:
            task_sets.append(
                {
                    "identifer": ts.id,
                    "desiredCount": getattr(ts, "computed_desired_count", 0),
                    "pendingCount": getattr(ts, "pending_count", 0),
                    "runningCount": getattr(ts, "running_count", 0),
                    "status": ts.status,
                    "trafficWeight": 100.0 if ts.status == "PRIMARY" else 0.0,
                    "taskSetLabel": "Green"
                    if ts.id == getattr(d, "sb_replacement", None)
                    else "Blue",
                }
            )
        target_arn = svc.arn
    except DeploymentError:
        target_arn = ""
    return {
        "deploymentTargetType": "ECSTarget",
        "ecsTarget": {
            "deploymentId": d.deployment_id,
            "targetId": tid,
            "targetArn": target_arn,
            "lastUpdatedAt": utcnow(),
            "lifecycleEvents": [dict(e) for e in _events(d)],
            "status": status,
            "taskSetsInfo": task_sets,
        },
    }
