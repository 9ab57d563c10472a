"""`init` for many services of a cluster: the guide's layout and a workspace listing it.

    services/<service>/ecspresso.yml, ecs-service-def.json, ecs-task-def.json
    workspace.yml

Each service's files are exactly what single-service `init` writes (planner/ops/init.py), so
`ecsplan -w workspace.yml plan` right after says "No changes" for every service. Reads are
batched as plan's are (ListServices 100 a page, DescribeServices 10 a call, each task
definition ARN once, CodeDeploy walked once), and everything is read and rendered before
anything is written: a cluster that changes under the reads, or any other error, leaves the
directory as it was.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from planner.aws.clients import AwsContext
from planner.aws.reads import LiveReader, ServiceRef
from planner.errors import AwsError, EcsplanError
from planner.ops.init import (
    CONFIG_FILE,
    SERVICE_DEF_FILE,
    TASK_DEF_FILE,
    InitSource,
    init_files,
    jsonnet_path,
)
from planner.ops.init_files import check_targets, write_files_atomically

SERVICES_DIR = "services"
WORKSPACE_FILE = "workspace.yml"
_GLOB_CHARS = frozenset("*?[")
_NAMES_SHOWN = 5
_CLUSTER_HINT = " (check --cluster and --region)"


@dataclass(frozen=True)
class FleetSelection:
    """Which services of one cluster: all of them, or names and shell globs."""

    cluster: str
    patterns: tuple[str, ...] = ()
    all_services: bool = False

    @property
    def needs_listing(self) -> bool:
        """Globs and --all need ListServices; plain names are described directly."""
        return self.all_services or any(is_glob(p) for p in self.patterns)


@dataclass(frozen=True)
class LayoutOptions:
    """File names inside each service directory (single init's flags) and the workspace's."""

    paths: tuple[str, str] = (SERVICE_DEF_FILE, TASK_DEF_FILE)
    jsonnet: bool = False
    workspace: str = WORKSPACE_FILE


@dataclass(frozen=True)
class LayoutFile:
    """One file to write: its path relative to the target directory (POSIX), its text."""

    path: str
    text: str


@dataclass(frozen=True)
class FleetRead:
    """What was read of the cluster: one InitSource per selected service, in name order."""

    region: str
    cluster: str
    sources: tuple[InitSource, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class FleetResult:
    """What `init --all` wrote, for the view."""

    root: Path
    region: str
    cluster: str
    services: tuple[str, ...]
    written: tuple[Path, ...]
    workspace: Path
    shared_families: tuple[tuple[str, tuple[str, ...]], ...] = ()
    warnings: tuple[str, ...] = ()


def is_glob(pattern: str) -> bool:
    return any(c in _GLOB_CHARS for c in pattern)


def _shown(names: Sequence[str]) -> str:
    more = f", ... ({len(names)} in all)" if len(names) > _NAMES_SHOWN else ""
    return ", ".join(names[:_NAMES_SHOWN]) + more


def select_names(listed: Sequence[str], selection: FleetSelection, region: str) -> list[str]:
    """The listed services the selection names, sorted; a glob matching none, or a name not
    listed, is the user's mistake and said so before anything is described."""
    cluster = selection.cluster
    if not listed:
        raise EcsplanError(f"init: cluster {cluster} has no services in {region}")
    names = sorted(set(listed))
    if selection.all_services:
        return names
    chosen: set[str] = set()
    for pattern in selection.patterns:
        found = fnmatch.filter(names, pattern) if is_glob(pattern) else [pattern]
        if not found:
            raise EcsplanError(
                f"init: --service {pattern!r} matches no service of cluster {cluster} "
                f"(it has {_shown(names)})"
            )
        missing = [n for n in found if n not in names]
        if missing:
            raise EcsplanError(f"init: service {cluster}/{missing[0]} not found in {region}")
        chosen.update(found)
    return sorted(chosen)


def check_described(
    names: Sequence[str],
    described: Mapping[str, Mapping[str, Any] | None],
    cluster: str,
    region: str,
    listed: bool,
) -> None:
    """Every selected service must be ACTIVE: a file written for a deleted one would make
    the next plan create it again. After ListServices named it, MISSING or INACTIVE means it
    was deleted in between; DRAINING means it is being deleted."""
    for name in names:
        svc = described.get(name)
        status = "MISSING" if svc is None else str(svc.get("status"))
        if status == "ACTIVE":
            continue
        if status == "DRAINING":
            raise EcsplanError(
                f"init: service {cluster}/{name} is being deleted (DRAINING); run init again "
                "once it is gone, or leave it out of --service"
            )
        if not listed:
            raise EcsplanError(f"init: service {cluster}/{name} not found in {region}")
        raise EcsplanError(
            f"init: service {cluster}/{name} was deleted while init read the cluster "
            f"(ListServices listed it, DescribeServices says {status}); run init again"
        )


def read_fleet(aws: AwsContext, region: str, selection: FleetSelection) -> FleetRead:
    """Read the selected services (ListServices only for --all and globs), their task
    definitions (each ARN once) and, when any is under CodeDeploy, the region's deployment
    groups (once)."""
    reader = LiveReader(aws)
    cluster = selection.cluster
    if selection.needs_listing:
        listed = reader.service_names(region, cluster, cluster_hint=_CLUSTER_HINT)
        names = select_names(listed, selection, region)
    else:
        names = sorted(set(selection.patterns))
    refs = [ServiceRef(region, cluster, n) for n in names]
    by_ref = reader.services(refs, cluster_hint=_CLUSTER_HINT)
    described = {r.service: by_ref.get(r) for r in refs}
    check_described(names, described, cluster, region, selection.needs_listing)
    services = [dict(described[n] or {}) for n in names]
    task_definitions = reader.task_definitions(
        [(region, str(s["taskDefinition"])) for s in services]
    )
    groups, warnings = _codedeploy_groups(reader, region, services)
    cluster_name = cluster.rsplit("cluster/", 1)[-1]  # CodeDeploy names clusters by name
    sources = tuple(
        InitSource(
            region,
            cluster,
            s,
            task_definitions[str(s["taskDefinition"])],
            (groups or {}).get((cluster_name, str(s["serviceName"]))),
        )
        for s in services
    )
    if groups is not None:
        warnings += [
            f"{s.service['serviceName']}: no CodeDeploy deployment group names this service; "
            "no codedeploy: section written (plan looks for the group itself)"
            for s in sources
            if _code_deploy(s.service) and s.codedeploy is None
        ]
    return FleetRead(region, cluster, sources, tuple(warnings))


def _code_deploy(service: Mapping[str, Any]) -> bool:
    return (service.get("deploymentController") or {}).get("type") == "CODE_DEPLOY"


def _codedeploy_groups(
    reader: LiveReader, region: str, services: Sequence[Mapping[str, Any]]
) -> tuple[dict[tuple[str, str], tuple[str, str]] | None, list[str]]:
    """The deployment groups by (cluster, service), read only when a service needs them
    (None when not read); a failure is a warning, as in single init: the files are right
    without the section."""
    if not any(_code_deploy(s) for s in services):
        return None, []
    try:
        return reader.codedeploy_groups(region), []
    except AwsError as e:
        return None, [f"no codedeploy: sections written ({e})"]


def service_files(source: InitSource, options: LayoutOptions) -> list[LayoutFile]:
    """The three files of one service under services/<name>/, as single init writes them."""
    name = str(source.service["serviceName"])
    base = f"{SERVICES_DIR}/{name}"
    config = jsonnet_path(CONFIG_FILE) if options.jsonnet else CONFIG_FILE
    paths = options.paths
    if options.jsonnet:
        paths = (jsonnet_path(paths[0]), jsonnet_path(paths[1]))
    files = init_files(
        source.region,
        source.cluster,
        source.service,
        source.task_definition,
        source.codedeploy,
        paths=paths,
        jsonnet=options.jsonnet,
    )
    return [
        LayoutFile(f"{base}/{config}", files.config),
        LayoutFile(f"{base}/{paths[0]}", files.service_definition),
        LayoutFile(f"{base}/{paths[1]}", files.task_definition),
    ]


def workspace_text(region: str, cluster: str, configs: Mapping[str, str]) -> str:
    """workspace.yml (planner/config/workspace_file.py) listing each service's config."""
    doc = {"services": {name: {"config": path} for name, path in configs.items()}}
    head = f"# ecsplan init: the services of cluster {cluster} in {region}\n"
    return head + yaml.safe_dump(doc, sort_keys=False)


def fleet_layout(read: FleetRead, options: LayoutOptions) -> list[LayoutFile]:
    """Every file of the layout, services in name order, the workspace last."""
    files: list[LayoutFile] = []
    configs: dict[str, str] = {}
    for source in read.sources:
        mine = service_files(source, options)
        files += mine
        configs[str(source.service["serviceName"])] = mine[0].path
    files.append(LayoutFile(options.workspace, workspace_text(read.region, read.cluster, configs)))
    return files


def shared_families(sources: Sequence[InitSource]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Task definition families run by more than one service: each service gets its own
    copy of the definition, which the view says (a change deployed through one copy
    registers a revision only that service runs)."""
    by_family: dict[str, list[str]] = defaultdict(list)
    for s in sources:
        td = s.task_definition.get("taskDefinition", s.task_definition)
        by_family[str(td.get("family"))].append(str(s.service["serviceName"]))
    return tuple((f, tuple(names)) for f, names in sorted(by_family.items()) if len(names) > 1)


def init_fleet(
    aws: AwsContext,
    region: str,
    selection: FleetSelection,
    root: Path,
    options: LayoutOptions = LayoutOptions(),
    *,
    force: bool = False,
) -> FleetResult:
    """Read the services, render their files, and write them all or none."""
    check_targets(root, [])  # a target that is a file fails before any AWS call
    read = read_fleet(aws, region, selection)
    files = fleet_layout(read, options)
    check_targets(root, [f.path for f in files], force=force)
    written = write_files_atomically(root, [(f.path, f.text) for f in files])
    return FleetResult(
        root=root,
        region=read.region,
        cluster=read.cluster,
        services=tuple(str(s.service["serviceName"]) for s in read.sources),
        written=tuple(written),
        workspace=root / options.workspace,
        shared_families=shared_families(read.sources),
        warnings=read.warnings,
    )
