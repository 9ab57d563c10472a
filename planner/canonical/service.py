"""Canonical services: one form for the user's definition and for DescribeServices output.

Projects onto every observable service field (planner/canonical/service_rules.py), fills the
defaults ECS applies and sorts order-insensitive lists. A definition manages the fields it
gives (:func:`managed_fields`); plans compare :func:`service_view` of both sides. Payload
builders turn canonical forms back into API kwargs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from planner.canonical._common import (
    Doc,
    canonical_tags,
    drop_empty,
    plain,
    project,
    sort_list,
)
from planner.canonical.fields import CREATE_SERVICE_INPUT, SERVICE_FROM_DEPLOYMENT
from planner.canonical.service_rules import ALWAYS_MANAGED, SERVICE_FIELDS, UNOBSERVABLE

_FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
_LIST_FIELDS = (
    "loadBalancers",
    "serviceRegistries",
    "capacityProviderStrategy",
    "placementConstraints",
    "placementStrategy",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)
# A managed field's value when it is not set (what "the definition removes it" compares as).
EMPTY: dict[str, Any] = {name: [] for name in _LIST_FIELDS}
EMPTY["tags"] = []
# How UpdateService is told to remove a setting (a list emptied; Service Connect disabled).
CLEARED: dict[str, Any] = {name: [] for name in _LIST_FIELDS}
CLEARED["serviceConnectConfiguration"] = {"enabled": False}


def controller_of(*docs: Mapping[str, Any] | None) -> str:
    """The deployment controller type of the first document that names one (ECS when none):
    the user's definition first, then the live service."""
    for sd in docs:
        controller = (sd or {}).get("deploymentController")
        if isinstance(controller, Mapping) and controller.get("type"):
            return str(controller["type"])
    return "ECS"


def canonical_service(
    sd: Mapping[str, Any], *, ignore_tags: Iterable[str] = (), controller: str | None = None
) -> Doc:
    """Deterministic, JSON-serializable form of a service definition or a described service.

    desiredCount is kept only when present (absent = not managed). Fields that only
    DescribeServiceRevisions returns (gatewayConnectors, monitoring) are left out.
    """
    src = from_describe(sd)
    fields = [f for f in SERVICE_FIELDS if f not in UNOBSERVABLE and f != "taskDefinition"]
    doc = project(src, fields)
    ctrl = controller or controller_of(src)
    doc["deploymentController"] = {**(doc.get("deploymentController") or {}), "type": ctrl}
    strategy = doc.setdefault("schedulingStrategy", "REPLICA")
    if doc.get("role"):
        doc["role"] = role_path(str(doc["role"]))

    _canonical_capacity(doc)
    _canonical_network(doc)
    doc["deploymentConfiguration"] = _canonical_deployment_config(
        doc.get("deploymentConfiguration") or {}, strategy, ctrl
    )
    doc["loadBalancers"] = [_canonical_lb(lb, ctrl) for lb in doc.get("loadBalancers") or []]
    sort_list(doc, "loadBalancers", "containerName", "containerPort", "targetGroupArn")
    sort_list(doc, "serviceRegistries", "registryArn", "containerName", "containerPort", "port")
    sort_list(doc, "placementConstraints", "type", "expression")
    # placementStrategy is evaluated in order: it is NOT sorted.
    sort_list(doc, "volumeConfigurations", "name")
    sort_list(doc, "vpcLatticeConfigurations", "targetGroupArn", "portName")
    doc["serviceConnectConfiguration"] = _canonical_service_connect(
        doc.get("serviceConnectConfiguration")
    )
    doc.setdefault("propagateTags", "NONE")
    doc.setdefault("enableECSManagedTags", False)
    doc.setdefault("enableExecuteCommand", False)
    if doc.get("healthCheckGracePeriodSeconds") is None:
        doc["healthCheckGracePeriodSeconds"] = 0
    doc["tags"] = canonical_tags(doc.get("tags"), ignore_tags)
    return drop_empty(doc)


def from_describe(sd: Mapping[str, Any]) -> Doc:
    """Lift describe-only shapes onto input names (roleArn -> role, PRIMARY deployment fields)."""
    src = plain(sd)
    if src.get("roleArn") and not src.get("role"):
        src["role"] = src["roleArn"]
    deployments = src.get("deployments") or []
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    if primary is not None:
        for name in SERVICE_FROM_DEPLOYMENT:
            if name not in src and name in primary:
                src[name] = primary[name]
    return src


def _canonical_capacity(doc: Doc) -> None:
    items = [plain(i) for i in doc.get("capacityProviderStrategy") or []]
    for item in items:
        item.setdefault("base", 0)
        item.setdefault("weight", 0)
    doc["capacityProviderStrategy"] = items
    sort_list(doc, "capacityProviderStrategy", "capacityProvider")
    if items:
        # launchType and a capacity provider strategy exclude each other; a describe may
        # still report a launch type for such a service.
        doc.pop("launchType", None)
    fargate = doc.get("launchType") == "FARGATE" or any(
        i.get("capacityProvider") in _FARGATE_PROVIDERS for i in items
    )
    if fargate:
        doc.setdefault("platformVersion", "LATEST")
    elif doc.get("launchType") in ("EC2", "EXTERNAL"):
        doc.pop("platformVersion", None)


def role_path(role: str) -> str:
    """A service role as path and name, however it is written: the ARN
    ``arn:aws:iam::1:role/ecs/r``, ``/ecs/r`` and ``ecs/r`` are one role, ``r`` (path /) is
    another (CreateService reads a bare name at the root path)."""
    if role.startswith("arn:"):
        role = role.split(":role/", 1)[-1]
    return role.lstrip("/")


def _canonical_network(doc: Doc) -> None:
    vpc = (doc.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if not isinstance(vpc, dict):
        return
    vpc.setdefault("assignPublicIp", "DISABLED")
    for name in ("subnets", "securityGroups"):
        if isinstance(vpc.get(name), list):
            vpc[name] = sorted(set(vpc[name]))


def _canonical_deployment_config(dc: Mapping[str, Any], strategy: str, controller: str) -> Doc:
    out = plain(dc)
    daemon = strategy == "DAEMON"
    out.setdefault("maximumPercent", 100 if daemon else 200)
    out.setdefault("minimumHealthyPercent", 0 if daemon else 100)
    breaker = {"enable": False, "rollback": False, **(out.get("deploymentCircuitBreaker") or {})}
    if controller == "ECS" or breaker["enable"] or breaker["rollback"]:
        # The circuit breaker exists for the ECS controller only: elsewhere "off" is absent.
        out["deploymentCircuitBreaker"] = breaker
    else:
        out.pop("deploymentCircuitBreaker", None)
    alarms = out.get("alarms")
    if isinstance(alarms, dict):
        alarms["alarmNames"] = sorted(alarms.get("alarmNames") or [])
        if not alarms["alarmNames"] and not alarms.get("enable") and not alarms.get("rollback"):
            del out["alarms"]
    if controller == "ECS":
        out.setdefault("strategy", "ROLLING")
    return out


def _canonical_lb(lb: Mapping[str, Any], controller: str) -> Doc:
    out = plain(lb)
    if controller == "CODE_DEPLOY":
        # CodeDeploy swaps blue and green target groups: the live one is not ours to compare.
        out.pop("targetGroupArn", None)
    return out


def _canonical_service_connect(sc: Any) -> Doc | None:
    if not isinstance(sc, Mapping) or not sc.get("enabled"):
        return None  # absent == disabled
    out = plain(sc)
    services = []
    for svc in out.get("services") or []:
        svc = plain(svc)
        sort_list(svc, "clientAliases", "port", "dnsName")
        services.append(svc)
    out["services"] = services
    sort_list(out, "services", "portName")
    return out


def managed_fields(sd: Mapping[str, Any]) -> tuple[str, ...]:
    """The fields a definition manages: those it gives, plus the booleans ecspresso always
    sends (false when omitted). Any other field it leaves out is not managed: not compared,
    not sent, so AWS keeps the live value (UpdateService and ecspresso semantics)."""
    src = from_describe(sd)
    given = [
        f for f in SERVICE_FIELDS if f in src and f not in UNOBSERVABLE and f != "taskDefinition"
    ]
    return tuple(dict.fromkeys([*given, *ALWAYS_MANAGED]))


def service_view(canon: Mapping[str, Any], managed: Iterable[str]) -> Doc:
    """A canonical service on the managed fields only. A managed field the document lacks
    (never set, or emptied: ``loadBalancers: []``) takes its empty value, so "the definition
    removes it" and "live has none" compare as they should."""
    return {f: plain(canon[f]) if f in canon else plain(EMPTY.get(f)) for f in managed}


def tag_changes(
    desired_tags: Iterable[Mapping[str, Any]] | None, live_tags: Iterable[Mapping[str, Any]] | None
) -> tuple[list[dict[str, str]], list[str]]:
    """(tags to add or update, keys to remove) turning live tags into desired tags.

    Pass canonical tag lists: keys ignored there are neither added nor removed.
    """
    want = {t["key"]: t["value"] for t in canonical_tags(list(desired_tags or []), ())}
    have = {t["key"]: t["value"] for t in canonical_tags(list(live_tags or []), ())}
    to_set = [{"key": k, "value": v} for k, v in sorted(want.items()) if have.get(k) != v]
    to_remove = sorted(k for k in have if k not in want)
    return to_set, to_remove


def service_create_payload(
    sd: Mapping[str, Any], *, cluster: str, service: str, task_definition: str | None
) -> Doc:
    """CreateService kwargs from the user's definition (desiredCount 0 when absent, as ecspresso)."""
    src = plain(sd)
    if src.get("roleArn") and not src.get("role"):
        src["role"] = src["roleArn"]
    payload = project(src, CREATE_SERVICE_INPUT)
    payload = {k: v for k, v in payload.items() if v is not None}
    payload["cluster"] = cluster
    payload["serviceName"] = service
    payload.pop("taskDefinition", None)
    if task_definition is not None:
        payload["taskDefinition"] = task_definition
    if payload.get("schedulingStrategy") != "DAEMON":
        payload.setdefault("desiredCount", 0)
    if "tags" in payload:
        tags = canonical_tags(payload["tags"], ())
        if tags:
            payload["tags"] = tags
        else:
            del payload["tags"]
    return payload
