"""Checks no schema can express: cross-references between config, task and service definition.

Each check returns ConfigErrors anchored at the node the user has to change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from planner.config.limits import INT32_MAX, desired_count_problem, is_known_region, region_problem
from planner.config.model import ServiceConfig
from planner.config.source import SourceDoc
from planner.errors import ConfigError

# Fargate task sizes: cpu units -> allowed memory MiB.
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
_VCPU = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*vcpu\s*$", re.IGNORECASE)
_GB = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*gb\s*$", re.IGNORECASE)


def cpu_units(value: Any) -> int | None:
    """ "1 vCPU" -> 1024, "256" -> 256; None when not a size."""
    return _units(value, _VCPU, 1024)


def memory_mib(value: Any) -> int | None:
    """ "2 GB" -> 2048, "512" -> 512; None when not a size."""
    return _units(value, _GB, 1024)


def _units(value: Any, pattern: re.Pattern[str], factor: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    if value.strip().isdigit():
        return int(value)
    m = pattern.match(value)
    return int(float(m.group(1)) * factor) if m else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _fmt_list(values: tuple[int, ...]) -> str:
    if len(values) > 4:
        step = values[1] - values[0]
        return f"{values[0]}-{values[-1]} in steps of {step}"
    return ", ".join(str(v) for v in values)


# RegisterTaskDefinition refuses a task definition larger than this (ECS service quota);
# saying so at validate time beats a failed apply.
MAX_TASK_DEFINITION_BYTES = 65536


def check_task_definition(doc: SourceDoc) -> list[ConfigError]:
    td = _dict(doc.data)
    errors = _check_size(doc, td) + _check_container_names(doc, td)
    containers = _list(td.get("containerDefinitions"))
    names = set(_containers(td))
    for i, c in enumerate(containers):
        errors.extend(_check_container(doc, td, i, _dict(c), names))
    if containers and all(_dict(c).get("essential") is False for c in containers):
        errors.append(
            doc.error(["containerDefinitions"], "at least one container must be essential")
        )
    if "FARGATE" in _list(td.get("requiresCompatibilities")):
        errors.extend(_check_fargate(doc, td))
    return errors


def _check_size(doc: SourceDoc, td: Mapping[str, Any]) -> list[ConfigError]:
    size = len(
        json.dumps(
            td, separators=(",", ":"), ensure_ascii=False, default=str, skipkeys=True
        ).encode()
    )
    if size > MAX_TASK_DEFINITION_BYTES:
        return [
            doc.error(
                [],
                f"task definition is {size} bytes; ECS accepts at most {MAX_TASK_DEFINITION_BYTES}",
            )
        ]
    return []


def _check_container_names(doc: SourceDoc, td: Mapping[str, Any]) -> list[ConfigError]:
    seen: dict[str, int] = {}
    errors: list[ConfigError] = []
    for i, c in enumerate(_list(td.get("containerDefinitions"))):
        name = _dict(c).get("name")
        if not isinstance(name, str):
            continue
        if name in seen:
            first = doc.line_of(["containerDefinitions", seen[name], "name"])
            errors.append(
                doc.error(
                    ["containerDefinitions", i, "name"],
                    f'duplicate container name "{name}" (first at line {first})',
                )
            )
        else:
            seen[name] = i
    return errors


def _check_container(
    doc: SourceDoc, td: Mapping[str, Any], i: int, c: Mapping[str, Any], names: set[str]
) -> list[ConfigError]:
    """dependsOn names a container of this task; awsvpc host ports equal container ports."""
    errors: list[ConfigError] = []
    for j, dep in enumerate(_list(c.get("dependsOn"))):
        dep_name = _dict(dep).get("containerName")
        if isinstance(dep_name, str) and dep_name not in names:
            errors.append(
                doc.error(
                    ["containerDefinitions", i, "dependsOn", j, "containerName"],
                    f'no container named "{dep_name}" in this task definition',
                )
            )
    if td.get("networkMode") != "awsvpc":
        return errors
    for j, pm in enumerate(_list(c.get("portMappings"))):
        host, port = _dict(pm).get("hostPort"), _dict(pm).get("containerPort")
        if isinstance(host, int) and isinstance(port, int) and host not in (0, port):
            errors.append(
                doc.error(
                    ["containerDefinitions", i, "portMappings", j, "hostPort"],
                    f"hostPort must equal containerPort ({port}) with networkMode awsvpc",
                )
            )
    return errors


def _check_fargate(doc: SourceDoc, td: Mapping[str, Any]) -> list[ConfigError]:
    errors: list[ConfigError] = []
    mode = td.get("networkMode")
    if mode is not None and mode != "awsvpc":
        errors.append(
            doc.error(["networkMode"], f'Fargate requires networkMode "awsvpc", got "{mode}"')
        )
    if "cpu" not in td or "memory" not in td:
        missing = "cpu" if "cpu" not in td else "memory"
        errors.append(doc.error([], f"Fargate requires task-level {missing}"))
        return errors
    cpu, mem = cpu_units(td["cpu"]), memory_mib(td["memory"])
    if cpu is None:
        errors.append(
            doc.error(["cpu"], f'cannot read cpu {td["cpu"]!r} (use e.g. "256" or "1 vCPU")')
        )
    elif cpu not in FARGATE_SIZES:
        allowed = ", ".join(str(c) for c in FARGATE_SIZES)
        errors.append(doc.error(["cpu"], f"cpu {cpu} is not a Fargate size (allowed: {allowed})"))
    if mem is None:
        errors.append(
            doc.error(["memory"], f'cannot read memory {td["memory"]!r} (use e.g. "512" or "2 GB")')
        )
    elif cpu in FARGATE_SIZES and mem not in FARGATE_SIZES[cpu]:
        errors.append(
            doc.error(
                ["memory"],
                f"memory {mem} is not valid with cpu {cpu} on Fargate "
                f"(allowed: {_fmt_list(FARGATE_SIZES[cpu])})",
            )
        )
    return errors


def _port_names(td: Mapping[str, Any]) -> set[str]:
    return {
        pm["name"]
        for c in _list(td.get("containerDefinitions"))
        for pm in _list(_dict(c).get("portMappings"))
        if isinstance(_dict(pm).get("name"), str)
    }


def _check_desired_count(
    cfg: ServiceConfig, doc: SourceDoc, sd: Mapping[str, Any]
) -> list[ConfigError]:
    """Above the tasks-per-service quota ECS answers "Desired count exceeds limit."; out of
    the int32 range is the schema's message."""
    count = sd.get("desiredCount")
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= INT32_MAX:
        return []
    problem = desired_count_problem(count, cfg.extras)
    return [doc.error(["desiredCount"], f"desiredCount {problem}")] if problem else []


def check_service_definition(
    cfg: ServiceConfig, doc: SourceDoc, td: Mapping[str, Any] | None
) -> list[ConfigError]:
    """The service definition alone, then against its task definition when that loaded."""
    sd = _dict(doc.data)
    errors: list[ConfigError] = []
    for own in _SERVICE_CHECKS:
        errors.extend(own(cfg, doc, sd))
    if td is not None:
        for cross in _SERVICE_TD_CHECKS:
            errors.extend(cross(doc, sd, td))
    return errors


def _controller(sd: Mapping[str, Any]) -> str:
    return _dict(sd.get("deploymentController")).get("type", "ECS")


def _check_placement(
    cfg: ServiceConfig, doc: SourceDoc, sd: Mapping[str, Any]
) -> list[ConfigError]:
    errors: list[ConfigError] = []
    if "launchType" in sd and "capacityProviderStrategy" in sd:
        errors.append(
            doc.error(
                ["capacityProviderStrategy"],
                "launchType and capacityProviderStrategy are mutually exclusive",
            )
        )
    if sd.get("schedulingStrategy") == "DAEMON" and sd.get("launchType") == "FARGATE":
        errors.append(
            doc.error(
                ["schedulingStrategy"], "Fargate does not support the DAEMON scheduling strategy"
            )
        )
    return errors


def _check_percentages(
    cfg: ServiceConfig, doc: SourceDoc, sd: Mapping[str, Any]
) -> list[ConfigError]:
    dc = _dict(sd.get("deploymentConfiguration"))
    lo, hi = dc.get("minimumHealthyPercent"), dc.get("maximumPercent")
    if isinstance(lo, int) and isinstance(hi, int) and hi < lo:
        return [
            doc.error(
                ["deploymentConfiguration", "maximumPercent"],
                f"maximumPercent ({hi}) must be >= minimumHealthyPercent ({lo})",
            )
        ]
    return []


def _check_name(cfg: ServiceConfig, doc: SourceDoc, sd: Mapping[str, Any]) -> list[ConfigError]:
    name = sd.get("serviceName")
    if isinstance(name, str) and cfg.service and name != cfg.service:
        return [
            doc.error(
                ["serviceName"],
                f'serviceName "{name}" differs from the config\'s service "{cfg.service}"',
            )
        ]
    return []


def _check_load_balancers(
    cfg: ServiceConfig, doc: SourceDoc, sd: Mapping[str, Any]
) -> list[ConfigError]:
    lbs = _list(sd.get("loadBalancers"))
    errors = [
        doc.error(["loadBalancers", i], "needs targetGroupArn or loadBalancerName")
        for i, lb in enumerate(lbs)
        if not _dict(lb).get("targetGroupArn") and not _dict(lb).get("loadBalancerName")
    ]
    if _controller(sd) == "CODE_DEPLOY" and not lbs:
        errors.append(doc.error(["loadBalancers"], "a CODE_DEPLOY service needs loadBalancers"))
    return errors


_SERVICE_CHECKS = (
    _check_placement,
    _check_desired_count,
    _check_percentages,
    _check_name,
    _check_load_balancers,
)


def _containers(td: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """By name; the first of duplicates (those are reported with the task definition)."""
    out: dict[str, Mapping[str, Any]] = {}
    for c in _list(td.get("containerDefinitions")):
        if isinstance(_dict(c).get("name"), str):
            out.setdefault(c["name"], c)
    return out


def _check_lb_targets(
    doc: SourceDoc, sd: Mapping[str, Any], td: Mapping[str, Any]
) -> list[ConfigError]:
    containers = _containers(td)
    errors: list[ConfigError] = []
    for i, lb in enumerate(_list(sd.get("loadBalancers"))):
        lb = _dict(lb)
        cname, port = lb.get("containerName"), lb.get("containerPort")
        if isinstance(cname, str) and cname not in containers:
            errors.append(
                doc.error(
                    ["loadBalancers", i, "containerName"],
                    f'no container named "{cname}" in the task definition',
                )
            )
        elif isinstance(cname, str) and isinstance(port, int):
            mappings = _list(containers[cname].get("portMappings"))
            if port not in {_dict(pm).get("containerPort") for pm in mappings}:
                errors.append(
                    doc.error(
                        ["loadBalancers", i, "containerPort"],
                        f'container "{cname}" has no portMappings entry with containerPort {port}',
                    )
                )
    return errors


def _check_network(
    doc: SourceDoc, sd: Mapping[str, Any], td: Mapping[str, Any]
) -> list[ConfigError]:
    mode = td.get("networkMode")
    awsvpc_conf = _dict(sd.get("networkConfiguration")).get("awsvpcConfiguration")
    if mode == "awsvpc" and not awsvpc_conf and _controller(sd) != "EXTERNAL":
        return [
            doc.error(
                [],
                "the task definition uses networkMode awsvpc: "
                "networkConfiguration.awsvpcConfiguration is required",
            )
        ]
    if awsvpc_conf and mode != "awsvpc":
        return [
            doc.error(
                ["networkConfiguration"],
                f'networkConfiguration needs networkMode "awsvpc" in the task definition, got "{mode or "bridge"}"',
            )
        ]
    return []


def _check_compatibilities(
    doc: SourceDoc, sd: Mapping[str, Any], td: Mapping[str, Any]
) -> list[ConfigError]:
    compat = _list(td.get("requiresCompatibilities"))
    if not compat or "FARGATE" in compat:
        return []
    errors: list[ConfigError] = []
    if sd.get("launchType") == "FARGATE":
        errors.append(
            doc.error(
                ["launchType"],
                "the task definition does not list FARGATE in requiresCompatibilities",
            )
        )
    for i, cp in enumerate(_list(sd.get("capacityProviderStrategy"))):
        provider = _dict(cp).get("capacityProvider")
        if provider in ("FARGATE", "FARGATE_SPOT"):
            errors.append(
                doc.error(
                    ["capacityProviderStrategy", i, "capacityProvider"],
                    f"{provider} needs FARGATE in the task definition's requiresCompatibilities",
                )
            )
    return errors


def _check_service_connect(
    doc: SourceDoc, sd: Mapping[str, Any], td: Mapping[str, Any]
) -> list[ConfigError]:
    sc = _dict(sd.get("serviceConnectConfiguration"))
    if not sc.get("enabled"):
        return []
    names = _port_names(td)
    known = ", ".join(sorted(names)) or "none"
    return [
        doc.error(
            ["serviceConnectConfiguration", "services", i, "portName"],
            f'no portMappings entry named "{port_name}" in the task definition (named: {known})',
        )
        for i, svc in enumerate(_list(sc.get("services")))
        if isinstance(port_name := _dict(svc).get("portName"), str) and port_name not in names
    ]


_SERVICE_TD_CHECKS = (
    _check_lb_targets,
    _check_network,
    _check_compatibilities,
    _check_service_connect,
)


def check_config(cfg: ServiceConfig, doc: SourceDoc) -> list[ConfigError]:
    data = _dict(doc.data)
    errors: list[ConfigError] = []
    # Only absent or empty counts as missing: a value of the wrong type (``!!binary``...)
    # is the schema's "expected string" at its own line.
    if data.get("service") in (None, ""):
        errors.append(doc.error([], 'missing required field "service"'))
    if data.get("task_definition") in (None, ""):
        errors.append(doc.error([], 'missing required field "task_definition"'))
    if not data.get("region") and cfg.region:  # from AWS_REGION
        problem = region_problem(cfg.region)
        if problem:
            errors.append(doc.error([], f"AWS_REGION {problem}"))
    cd = _dict(data.get("codedeploy"))
    if bool(cd.get("application_name")) != bool(cd.get("deployment_group_name")):
        missing = "deployment_group_name" if cd.get("application_name") else "application_name"
        errors.append(
            doc.error(["codedeploy"], f"{missing} is required with the other CodeDeploy name")
        )
    return errors


def advice(cfg: ServiceConfig) -> list[str]:
    """Warnings that do not block: a region botocore does not know, CODE_DEPLOY discovery,
    codedeploy section unused."""
    out: list[str] = []
    if cfg.region and region_problem(cfg.region) is None and not is_known_region(cfg.region):
        cfg_doc = cfg.sources["config"]
        where = cfg_doc.location(["region"]) if _dict(cfg_doc.data).get("region") else "AWS_REGION"
        out.append(
            f'{where}: region "{cfg.region}" is not one botocore knows (a new region, or a '
            "typo?); AWS calls go to its endpoint anyway"
        )
    sd = cfg.service_definition or {}
    controller = _dict(sd.get("deploymentController")).get("type", "ECS")
    doc = cfg.sources.get("servicedef")
    cd = cfg.codedeploy
    if controller == "CODE_DEPLOY" and (cd is None or not cd.application_name) and doc is not None:
        out.append(
            f"{doc.location(['deploymentController', 'type'])}: no codedeploy application in "
            "the config; it will be discovered from the service's deployment group"
        )
    if controller != "CODE_DEPLOY" and cd is not None and sd:
        cfg_doc = cfg.sources["config"]
        out.append(
            f"{cfg_doc.location(['codedeploy'])}: codedeploy is set but the service's "
            f'deploymentController is "{controller}"; it is ignored'
        )
    return out
