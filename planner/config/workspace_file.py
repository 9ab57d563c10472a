"""workspace.yml: services by name with their config paths and ``depends_on``.

Checked here: schema, unknown ``depends_on`` names, missing config files, a config listed
twice, cycles (named), and (once the configs are loaded) two entries that are the same ECS
service. The dependency order itself is the workspace layer's business (graphlib); the
cycle check is shared with ``ecsplan graph`` (planner/plan/graph.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from planner.config.functions import FunctionSet
from planner.config.loader import missing_file_message, read_document
from planner.config.model import LoadOptions, Placement, ServiceConfig
from planner.config.source import SourceDoc, not_a_file
from planner.config.validate import schema_errors
from planner.errors import ConfigError, ValidationFailed
from planner.plan.graph import dependency_cycle


@dataclass(frozen=True)
class WorkspaceService:
    name: str
    config: Path
    depends_on: tuple[str, ...] = ()
    placement: Placement = field(default_factory=Placement)  # its region, profile, role


@dataclass(frozen=True)
class WorkspaceFile:
    path: Path
    services: tuple[WorkspaceService, ...]
    parallelism: int = 10
    state: str | None = None
    source: SourceDoc | None = None


def load_workspace(path: str | Path, options: LoadOptions | None = None) -> WorkspaceFile:
    """Parse and check a workspace file; raise ValidationFailed listing every problem."""
    options = options or LoadOptions()
    wpath = Path(path)
    doc = read_document(wpath, FunctionSet(options.sources), options)
    errors = schema_errors("workspace", doc)
    if errors:
        raise ValidationFailed(errors)
    data = doc.data
    services: list[WorkspaceService] = []
    by_file: dict[Path, str] = {}
    listed_twice: list[ConfigError] = []  # reported when nothing else is wrong
    for name, entry in data["services"].items():
        cfg = Path(entry["config"])
        cfg = cfg if cfg.is_absolute() else wpath.parent / cfg
        if not_a_file(cfg):
            errors.append(doc.error(["services", name, "config"], missing_file_message(cfg)))
        elif cfg.resolve() in by_file:
            other = by_file[cfg.resolve()]
            listed_twice.append(
                doc.error(
                    ["services", name, "config"],
                    f'service "{name}" lists the same config as service "{other}" (line '
                    f"{doc.line_of(['services', other, 'config'])}); list each service once",
                )
            )
        else:
            by_file[cfg.resolve()] = name
        deps = tuple(entry.get("depends_on") or ())
        for i, dep in enumerate(deps):
            if dep not in data["services"]:
                errors.append(
                    doc.error(["services", name, "depends_on", i], f'unknown service "{dep}"')
                )
            elif dep == name:
                errors.append(
                    doc.error(
                        ["services", name, "depends_on", i], "a service cannot depend on itself"
                    )
                )
        services.append(WorkspaceService(name, cfg, deps, _placement(entry)))
    if not errors:
        errors.extend(_cycle(doc, services))
    if not errors:
        errors.extend(listed_twice)
    if errors:
        raise ValidationFailed(errors)
    return WorkspaceFile(
        path=wpath,
        services=tuple(services),
        parallelism=int(data.get("parallelism", 10)),
        state=data.get("state"),
        source=doc,
    )


def _placement(entry: Mapping[str, object]) -> Placement:
    """The entry's own ``region``, ``profile`` and ``assume_role_arn`` (schema-checked)."""
    names = [entry.get(k) for k in ("region", "profile", "assume_role_arn")]
    return Placement(*(n if isinstance(n, str) and n else None for n in names))


def _cycle(doc: SourceDoc, services: list[WorkspaceService]) -> list[ConfigError]:
    cycle = dependency_cycle({s.name: s.depends_on for s in services})
    if cycle is None:
        return []
    shown = " -> ".join(cycle)
    return [doc.error(["services", cycle[0], "depends_on"], f"dependency cycle: {shown}")]


def same_service_errors(
    ws: WorkspaceFile, configs: Mapping[str, ServiceConfig], region: str | None = None
) -> list[ConfigError]:
    """Two entries whose configs name the same region/cluster/service as the same identity:
    applying both would deploy one service twice (and wait on its own lock). ``region``:
    --region, under the entry's and the config's own region. Entries acting as different
    profiles or roles may name the same cluster/service (another account's)."""
    doc = ws.source
    if doc is None:
        return []
    seen: dict[tuple[str, ...], str] = {}
    errors: list[ConfigError] = []
    for s in ws.services:
        cfg = configs.get(s.name)
        if cfg is None:
            continue
        cluster = cfg.cluster.rsplit("cluster/", 1)[-1]  # an ARN names the same cluster
        where = s.placement.over(cfg.placement)
        who = (where.profile or "", where.assume_role_arn or "")
        key = (where.region or region or cfg.region or "", cluster, cfg.service, *who)
        if key in seen:
            shown = "/".join(k for k in key[:3] if k)
            errors.append(
                doc.error(
                    ["services", s.name],
                    f'services "{seen[key]}" and "{s.name}" are the same ECS service '
                    f"({shown}); list each service once",
                )
            )
        else:
            seen[key] = s.name
    return errors
