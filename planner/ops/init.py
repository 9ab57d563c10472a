"""`init`: definition files from a live service, written the way a user would write them.

The describe output is projected onto the API inputs, read-only and default values are
dropped (cpu 0, empty lists, REPLICA, NONE, ECS controller, 200/100 percent, LATEST...) and
keys are sorted, as ecspresso writes them. Every strip is checked against the canonical forms
`plan` compares: if a stripped document would not compare equal to the live one, the
unstripped projection is written instead, so `plan` right after `init` says "No changes".
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from planner.aws.clients import AwsContext
from planner.aws.reads import LiveReader, ServiceRef
from planner.canonical._common import canonical_tags, drop_empty, plain, project
from planner.canonical.fields import (
    CREATE_SERVICE_INPUT,
    REGISTER_TASK_DEFINITION_INPUT,
    SERVICE_FROM_DEPLOYMENT,
)
from planner.canonical.service import (
    canonical_service,
    controller_of,
    managed_fields,
    role_path,
    service_view,
)
from planner.canonical.service_rules import UNOBSERVABLE
from planner.canonical.taskdef import canonical_task_definition, unwrap_task_definition
from planner.errors import AwsError, EcsplanError

CONFIG_FILE = "ecspresso.yml"
SERVICE_DEF_FILE = "ecs-service-def.json"
TASK_DEF_FILE = "ecs-task-def.json"
_SERVICE_ADDRESSING = ("cluster", "serviceName", "taskDefinition", "clientToken", "role")
_CONTAINER_DEFAULTS: dict[str, Any] = {
    "cpu": 0,
    "versionConsistency": "enabled",
    "disableNetworking": False,
    "privileged": False,
    "readonlyRootFilesystem": False,
    "interactive": False,
    "pseudoTerminal": False,
}
_SERVICE_DEFAULTS: dict[str, Any] = {
    "schedulingStrategy": "REPLICA",
    "deploymentController": {"type": "ECS"},
    "propagateTags": "NONE",
    "enableECSManagedTags": False,
    "enableExecuteCommand": False,
    "healthCheckGracePeriodSeconds": 0,
    "platformVersion": "LATEST",
}
_DEPLOYMENT_DEFAULTS: dict[str, Any] = {
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "strategy": "ROLLING",
}


@dataclass(frozen=True)
class InitFiles:
    """The three documents `init` writes, as text."""

    config: str
    service_definition: str
    task_definition: str


def jsonnet_path(path: str) -> str:
    """ecspresso --jsonnet: a .json (or .yml/.yaml config) file becomes .jsonnet."""
    p = Path(path)
    return str(p.with_suffix(".jsonnet")) if p.suffix in (".json", ".yml", ".yaml") else path


def to_json(doc: Mapping[str, Any]) -> str:
    """Sorted keys, two-space indent, trailing newline: what ecspresso writes."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def task_definition_file(described: Mapping[str, Any]) -> dict[str, Any]:
    """The user's task definition for a DescribeTaskDefinition answer (with its tags)."""
    full = project(unwrap_task_definition(described), REGISTER_TASK_DEFINITION_INPUT)
    full["tags"] = canonical_tags(full.get("tags"), ())
    full = drop_empty(full)
    slim = plain(full)
    slim["containerDefinitions"] = [_slim_container(c) for c in slim["containerDefinitions"]]
    if slim.get("enableFaultInjection") is False:
        del slim["enableFaultInjection"]
    slim = drop_empty(slim)
    live = canonical_task_definition(described)
    return slim if canonical_task_definition(slim) == live else full


def _slim_container(c: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in c.items() if _CONTAINER_DEFAULTS.get(k, object()) != v}
    out["mountPoints"] = [_without_false(m, "readOnly") for m in out.get("mountPoints") or []]
    out["volumesFrom"] = [_without_false(v, "readOnly") for v in out.get("volumesFrom") or []]
    return out


def _without_false(item: Mapping[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not (k == name and v is False)}


def service_definition_file(described: Mapping[str, Any]) -> dict[str, Any]:
    """The user's service definition for a DescribeServices entry (tags included)."""
    src = plain(described)
    primary = next((d for d in src.get("deployments") or [] if d.get("status") == "PRIMARY"), None)
    for name in SERVICE_FROM_DEPLOYMENT:
        if name not in src and primary and name in primary:
            src[name] = primary[name]
    members = [m for m in CREATE_SERVICE_INPUT if m not in _SERVICE_ADDRESSING + UNOBSERVABLE]
    full = project(src, members)
    role = str(src.get("roleArn") or "")
    if role and "/aws-service-role/" not in role:
        # a custom service role (the linked one is implied); a role under a path keeps it,
        # since CreateService reads a bare name at the root path
        name = role_path(role)
        full["role"] = name if "/" not in name else "/" + name
    if full.get("capacityProviderStrategy"):
        full.pop("launchType", None)
    if full.get("schedulingStrategy") == "DAEMON":
        # ECS reports one task per instance as desiredCount and refuses any desiredCount
        # for a DAEMON service: written, the next change of instances would plan a refusal
        full.pop("desiredCount", None)
    full["tags"] = canonical_tags(full.get("tags"), ())
    vpc = (full.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if isinstance(vpc, dict):
        for name in ("subnets", "securityGroups"):
            if isinstance(vpc.get(name), list):
                vpc[name] = sorted(vpc[name])
    full = drop_empty(full)

    slim = {k: v for k, v in plain(full).items() if _SERVICE_DEFAULTS.get(k, object()) != v}
    dc = {
        k: v
        for k, v in (slim.get("deploymentConfiguration") or {}).items()
        if _DEPLOYMENT_DEFAULTS.get(k, object()) != v
    }
    slim["deploymentConfiguration"] = dc
    vpc = (slim.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if isinstance(vpc, dict) and vpc.get("assignPublicIp") == "DISABLED":
        del vpc["assignPublicIp"]
    slim = drop_empty(slim)

    controller = controller_of(described)
    live = canonical_service(described, controller=controller)
    return slim if _same_service(slim, live, controller) else full


def _same_service(doc: Mapping[str, Any], live: Mapping[str, Any], controller: str) -> bool:
    managed = managed_fields(doc)
    return service_view(canonical_service(doc, controller=controller), managed) == service_view(
        live, managed
    )


def config_file(
    region: str,
    cluster: str,
    service: str,
    codedeploy: tuple[str, str] | None = None,
    *,
    paths: tuple[str, str] = (SERVICE_DEF_FILE, TASK_DEF_FILE),
    jsonnet: bool = False,
) -> str:
    """The config as YAML, or as JSON (which Jsonnet reads as is) for a .jsonnet config;
    ``paths``: the service and task definition files, relative to the config."""
    doc: dict[str, Any] = {
        "region": region,
        "cluster": cluster,
        "service": service,
        "service_definition": paths[0],
        "task_definition": paths[1],
        "timeout": "10m",
    }
    if codedeploy is not None:  # blue/green: name the group instead of discovering it each plan
        doc["codedeploy"] = {
            "application_name": codedeploy[0],
            "deployment_group_name": codedeploy[1],
        }
    if jsonnet:
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(doc, sort_keys=False)


def init_files(
    region: str,
    cluster: str,
    service: Mapping[str, Any],
    task_definition: Mapping[str, Any],
    codedeploy: tuple[str, str] | None = None,
    *,
    paths: tuple[str, str] = (SERVICE_DEF_FILE, TASK_DEF_FILE),
    jsonnet: bool = False,
) -> InitFiles:
    """All three files for a described service and its described task definition."""
    name = str(service["serviceName"])
    return InitFiles(
        config=config_file(region, cluster, name, codedeploy, paths=paths, jsonnet=jsonnet),
        service_definition=to_json(service_definition_file(service)),
        task_definition=to_json(task_definition_file(task_definition)),
    )


@dataclass(frozen=True)
class InitSource:
    """What `init` reads of one service: it, its task definition, its CodeDeploy group."""

    region: str
    cluster: str
    service: Mapping[str, Any]
    task_definition: Mapping[str, Any]
    codedeploy: tuple[str, str] | None
    warnings: tuple[str, ...] = ()


def read_live(aws: AwsContext, region: str, cluster: str, service: str) -> InitSource:
    reader = LiveReader(aws)
    ref = ServiceRef(region, cluster, service)
    live = reader.services([ref]).get(ref)
    if live is None or live.get("status") == "INACTIVE":
        raise EcsplanError(f"init: service {cluster}/{service} not found in {region}")
    td_arn = str(live["taskDefinition"])
    td = reader.task_definitions([(region, td_arn)])[td_arn]
    codedeploy, warnings = None, []
    if (live.get("deploymentController") or {}).get("type") == "CODE_DEPLOY":
        try:
            codedeploy = reader.discover_codedeploy_group(region, cluster, service)
        except AwsError as e:  # the files are still right; plan will discover the group
            warnings.append(f"no codedeploy: section written ({e})")
    return InitSource(region, cluster, live, td, codedeploy, tuple(warnings))


@dataclass(frozen=True)
class InitResult:
    """What `init` of one service wrote, and what it could not find out (for the view)."""

    written: tuple[Path, ...]
    warnings: tuple[str, ...] = ()


def init_service(
    aws: AwsContext,
    region: str,
    cluster: str,
    service: str,
    config: Path,
    paths: tuple[str, str] = (SERVICE_DEF_FILE, TASK_DEF_FILE),
    *,
    jsonnet: bool = False,
    force: bool = False,
) -> InitResult:
    """ecspresso's `init`: the config at ``config``, the definitions at ``paths`` next to it.
    Existing files are refused before any AWS call unless ``force``."""
    targets = [config, config.parent / paths[0], config.parent / paths[1]]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise EcsplanError(f"init: {', '.join(existing)} already exist; use --force to overwrite")
    src = read_live(aws, region, cluster, service)
    files = init_files(
        src.region,
        cluster,
        src.service,
        src.task_definition,
        src.codedeploy,
        paths=paths,
        jsonnet=jsonnet,
    )
    texts = (files.config, files.service_definition, files.task_definition)
    return InitResult(tuple(write_files(targets, texts)), src.warnings)


def write_files(targets: Sequence[Path], texts: Sequence[str]) -> list[Path]:
    for path, text in zip(targets, texts, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(targets)
