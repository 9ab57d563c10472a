"""Which services an invocation works on: -w workspace, or -c configs (repeatable, globs),
loaded, validated and ordered so that dependencies come first."""

from __future__ import annotations

import glob
import graphlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from planner.aws.clients import AwsContext
from planner.aws.template_sources import AwsTemplateSources
from planner.config import LoadOptions, load_valid_config
from planner.config.workspace_file import load_workspace, same_service_errors
from planner.errors import ConfigError, EcsplanError, Location, ValidationFailed
from planner.plan.model import Plan
from planner.workspace.planning import ServiceEntry

DEFAULT_PARALLELISM = 10


@dataclass(frozen=True)
class SelectSpec:
    """Which services, as the global flags say: -w, or -c (repeatable, globs), and how to
    load them (envfiles, Jsonnet externals, --timeout over the configs' timeout)."""

    configs: tuple[str, ...] = ()
    workspace: str | None = None
    region: str | None = None
    envfiles: tuple[str, ...] = ()
    ext_str: Mapping[str, str] = field(default_factory=dict)
    ext_code: Mapping[str, str] = field(default_factory=dict)
    timeout_seconds: float | None = None


def load_options(spec: SelectSpec, aws: AwsContext, definitions: bool = True) -> LoadOptions:
    """LoadOptions from the flags, with lazy AWS lookups for templates."""
    return LoadOptions(
        envfiles=spec.envfiles,
        ext_str=dict(spec.ext_str),
        ext_code=dict(spec.ext_code),
        sources=AwsTemplateSources(aws),
        definitions=definitions,
    )


def config_paths(spec: SelectSpec, options: LoadOptions) -> list[Path]:
    """The configs named by -w (each workspace service) or -c (repeatable, globs allowed)."""
    if spec.workspace:
        return [s.config for s in load_workspace(spec.workspace, options).services]
    out: list[Path] = []
    for pattern in spec.configs:
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise ConfigError(Location(pattern, 1, "$"), "no config file matches this pattern")
        out.extend(Path(m) for m in matches)
    return out


@dataclass(frozen=True)
class Selection:
    """The services of this invocation in dependency order, plus workspace settings."""

    entries: tuple[ServiceEntry, ...]
    parallelism: int
    state: str | None
    options: LoadOptions

    @property
    def sensitive(self) -> frozenset[str]:
        out: set[str] = set()
        for e in self.entries:
            out |= e.config.sensitive
        return frozenset(out)


def _unique_keys(entries: list[ServiceEntry]) -> list[ServiceEntry]:
    """Key = service name; cluster/service when two configs share a name."""
    names = [e.config.service for e in entries]
    out = []
    for e in entries:
        key = e.config.service
        if names.count(key) > 1:
            key = f"{e.config.cluster}/{e.config.service}"
        out.append(replace(e, key=key))
    keys = [e.key for e in out]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup:
        raise EcsplanError(f"service {dup} is named by two configs; give each service once")
    return out


def select(
    spec: SelectSpec,
    aws: AwsContext,
    targets: tuple[str, ...] = (),
    *,
    definitions: bool = True,
) -> Selection:
    """Load and validate every config; order them so dependencies come first.

    ``definitions=False``: the configs only, for commands that read live state alone."""
    options = load_options(spec, aws, definitions)
    if spec.workspace:
        ws = load_workspace(spec.workspace, options)
        entries = [
            ServiceEntry(
                s.name,
                load_valid_config(s.config, replace(options, placement=s.placement)),
                s.depends_on,
                s.placement,
            )
            for s in ws.services
        ]
        same = same_service_errors(ws, {e.key: e.config for e in entries}, spec.region)
        if same:
            raise ValidationFailed(same)
        parallelism = ws.parallelism or DEFAULT_PARALLELISM
        state = ws.state
        if state and not Path(state).is_absolute() and not state.startswith("s3://"):
            state = str(Path(spec.workspace).parent / state)
    else:
        entries = _unique_keys(
            [ServiceEntry("", load_valid_config(p, options)) for p in config_paths(spec, options)]
        )
        parallelism = DEFAULT_PARALLELISM
        state = entries[0].config.state if len(entries) == 1 else None
    if targets:
        entries = _with_dependencies(entries, targets)
    if spec.timeout_seconds is not None:  # ecspresso's global --timeout overrides the config's
        seconds = spec.timeout_seconds
        entries = [replace(e, config=replace(e.config, timeout_seconds=seconds)) for e in entries]
    return Selection(tuple(_ordered(entries)), parallelism, state, options)


def _ordered(entries: list[ServiceEntry]) -> list[ServiceEntry]:
    by_key = {e.key: e for e in entries}
    ts = graphlib.TopologicalSorter(
        {e.key: [d for d in e.depends_on if d in by_key] for e in entries}
    )
    return [by_key[k] for k in ts.static_order()]


def _with_dependencies(entries: list[ServiceEntry], targets: tuple[str, ...]) -> list[ServiceEntry]:
    """--target NAME: that service and everything it depends on, as Terraform does."""
    by_key = {e.key: e for e in entries}
    unknown = [t for t in targets if t not in by_key]
    if unknown:
        raise EcsplanError(f"--target {unknown[0]}: no such service (known: {', '.join(by_key)})")
    keep: set[str] = set()
    stack = list(targets)
    while stack:
        k = stack.pop()
        if k not in keep:
            keep.add(k)
            stack.extend(by_key[k].depends_on)
    return [e for e in entries if e.key in keep]


def saved_selection(spec: SelectSpec, aws: AwsContext, plan: Plan) -> Selection:
    """The services of a saved plan (a plan file, a run's record), to plan them again.

    With -w/-c the selection (and so the workspace's state location and parallelism) comes
    from them and must name the plan's services; without, from the paths the plan records."""
    keys = [sp.key for sp in plan.services]
    if spec.workspace or spec.configs:
        sel = select(spec, aws)
        by_key = {e.key: e for e in sel.entries}
        missing = [k for k in keys if k not in by_key]
        if missing:
            raise EcsplanError(
                f"the plan covers {', '.join(keys)} but -w/-c select {', '.join(by_key)}; "
                "apply it with the -w/-c it was made with"
            )
        return replace(sel, entries=tuple(by_key[k] for k in keys))
    options = load_options(spec, aws)
    entries = tuple(
        ServiceEntry(sp.key, load_valid_config(sp.config_path, options), sp.depends_on)
        for sp in plan.services
    )
    state = entries[0].config.state if len(entries) == 1 else None
    return Selection(entries, DEFAULT_PARALLELISM, state, options)
