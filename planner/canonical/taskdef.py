"""Canonical task definitions: one form for the user's file and for DescribeTaskDefinition.

Both sides are projected onto RegisterTaskDefinition's input, get AWS defaults filled, units
normalized and order-insensitive lists sorted, so that equal definitions compare equal
(ecspresso #894: false diffs from defaults ECS adds).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from planner.canonical._common import (
    Doc,
    canonical_tags,
    drop_empty,
    drop_false,
    plain,
    project,
    sort_list,
)
from planner.canonical.fields import REGISTER_TASK_DEFINITION_INPUT
from planner.canonical.units import normalize_task_cpu, normalize_task_memory

_CONTAINER_FALSE_DEFAULTS = (
    "disableNetworking",
    "privileged",
    "readonlyRootFilesystem",
    "interactive",
    "pseudoTerminal",
)
_HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3}


def unwrap_task_definition(td: Mapping[str, Any]) -> Doc:
    """The bare definition, accepting the describe wrapper {"taskDefinition": ..., "tags": ...}."""
    inner = td.get("taskDefinition")
    if isinstance(inner, Mapping):
        doc = plain(inner)
        if "tags" in td and not doc.get("tags"):
            doc["tags"] = plain(td["tags"])
        return doc
    return plain(td)


def _normalize_units(doc: Doc) -> None:
    for name, normalize in (("cpu", normalize_task_cpu), ("memory", normalize_task_memory)):
        if doc.get(name) is not None:
            doc[name] = normalize(doc[name])


def task_definition_register_payload(td: Mapping[str, Any]) -> Doc:
    """RegisterTaskDefinition kwargs for the user's definition: what the user wrote, projected.

    No defaults are filled; only units are normalized and tags put in API form.
    """
    doc = project(unwrap_task_definition(td), REGISTER_TASK_DEFINITION_INPUT)
    _normalize_units(doc)
    if "tags" in doc:
        tags = canonical_tags(doc["tags"], ())
        if tags:
            doc["tags"] = tags
        else:
            del doc["tags"]
    return {k: v for k, v in doc.items() if v is not None}


def canonical_task_definition(td: Mapping[str, Any], *, ignore_tags: Iterable[str] = ()) -> Doc:
    """Deterministic, JSON-serializable form of a task definition for comparison."""
    doc = project(unwrap_task_definition(td), REGISTER_TASK_DEFINITION_INPUT)
    _normalize_units(doc)
    network_mode = _network_mode(doc)
    if network_mode is not None:
        doc["networkMode"] = network_mode
    doc["containerDefinitions"] = sorted(
        (_canonical_container(c, network_mode) for c in doc.get("containerDefinitions") or []),
        key=lambda c: str(c.get("name", "")),
    )
    doc["volumes"] = [_canonical_volume(v) for v in doc.get("volumes") or []]
    sort_list(doc, "volumes", "name")
    sort_list(doc, "placementConstraints", "type", "expression")
    sort_list(doc, "inferenceAccelerators", "deviceName")
    if isinstance(doc.get("requiresCompatibilities"), list):
        doc["requiresCompatibilities"] = sorted(set(doc["requiresCompatibilities"]))
    proxy = doc.get("proxyConfiguration")
    if isinstance(proxy, dict):
        proxy.setdefault("type", "APPMESH")
        sort_list(proxy, "properties", "name")
    doc["tags"] = canonical_tags(doc.get("tags"), ignore_tags)
    drop_false(doc, "enableFaultInjection")
    return drop_empty(doc)


def _network_mode(doc: Doc) -> str | None:
    """networkMode, defaulted as ECS does: awsvpc for Fargate, bridge for Linux EC2."""
    if doc.get("networkMode"):
        return str(doc["networkMode"])
    if "FARGATE" in (doc.get("requiresCompatibilities") or []):
        return "awsvpc"
    family = (doc.get("runtimePlatform") or {}).get("operatingSystemFamily", "LINUX")
    return "bridge" if str(family).startswith("LINUX") else None


def _canonical_container(container: Mapping[str, Any], network_mode: str | None) -> Doc:
    c = plain(container)
    c.setdefault("essential", True)
    if c.get("cpu") is None:
        c["cpu"] = 0
    c.setdefault("versionConsistency", "enabled")
    c["portMappings"] = [_canonical_port(p, network_mode) for p in c.get("portMappings") or []]
    sort_list(c, "portMappings", "containerPort", "containerPortRange", "protocol", "hostPort")
    sort_list(c, "environment", "name")
    sort_list(c, "secrets", "name")
    c["mountPoints"] = [_without_false(m, "readOnly") for m in c.get("mountPoints") or []]
    sort_list(c, "mountPoints", "containerPath", "sourceVolume")
    c["volumesFrom"] = [_without_false(v, "readOnly") for v in c.get("volumesFrom") or []]
    sort_list(c, "volumesFrom", "sourceContainer")
    sort_list(c, "dependsOn", "containerName")
    sort_list(c, "ulimits", "name")
    sort_list(c, "systemControls", "namespace")
    sort_list(c, "extraHosts", "hostname", "ipAddress")
    sort_list(c, "resourceRequirements", "type")
    log = c.get("logConfiguration")
    if isinstance(log, dict):
        sort_list(log, "secretOptions", "name")
    health = c.get("healthCheck")
    if isinstance(health, dict):
        for key, value in _HEALTH_CHECK_DEFAULTS.items():
            health.setdefault(key, value)
    drop_false(c, *_CONTAINER_FALSE_DEFAULTS)
    return c


def _canonical_port(port: Mapping[str, Any], network_mode: str | None) -> Doc:
    p = plain(port)
    p.setdefault("protocol", "tcp")
    if "containerPortRange" not in p and p.get("hostPort") is None:
        if network_mode in ("awsvpc", "host") and "containerPort" in p:
            p["hostPort"] = p["containerPort"]
        elif network_mode == "bridge":
            p["hostPort"] = 0
    return p


def _canonical_volume(volume: Mapping[str, Any]) -> Doc:
    v = plain(volume)
    efs = v.get("efsVolumeConfiguration")
    if isinstance(efs, dict):
        efs.setdefault("rootDirectory", "/")
        efs.setdefault("transitEncryption", "DISABLED")
    drop_false(v, "configuredAtLaunch")
    return v


def _without_false(item: Mapping[str, Any], name: str) -> Doc:
    out = plain(item)
    drop_false(out, name)
    return out
