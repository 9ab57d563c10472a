"""Which services a command works on: -w workspace, or -c configs (repeatable, globs)."""

from __future__ import annotations

import glob
import graphlib
from dataclasses import dataclass, replace
from pathlib import Path

from planner.aws.template_sources import AwsTemplateSources
from planner.cli.context import Globals
from planner.config import LoadOptions, load_valid_config
from planner.config.workspace_file import load_workspace, same_service_errors
from planner.errors import ConfigError, EcsplanError, Location, ValidationFailed
from planner.plan.secrets import Secrets
from planner.state.backend import lazy_secret_key, open_backend
from planner.workspace.planning import ServiceEntry, secrets_of

DEFAULT_PARALLELISM = 10


def load_options(g: Globals, definitions: bool = True) -> LoadOptions:
    """LoadOptions from the global flags, with lazy AWS lookups for templates."""
    return LoadOptions(
        envfiles=g.envfiles,
        ext_str=g.ext_str,
        ext_code=g.ext_code,
        sources=AwsTemplateSources(g.aws()),
        definitions=definitions,
    )


def config_paths(g: Globals, options: LoadOptions) -> list[Path]:
    """The configs named by -w (each workspace service) or -c (repeatable, globs allowed)."""
    if g.workspace:
        return [s.config for s in load_workspace(g.workspace, options).services]
    out: list[Path] = []
    for pattern in g.config_paths:
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
        out.append(ServiceEntry(key, e.config, e.depends_on))
    keys = [e.key for e in out]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup:
        raise EcsplanError(f"service {dup} is named by two configs; give each service once")
    return out


def select(g: Globals, targets: tuple[str, ...] = (), *, definitions: bool = True) -> Selection:
    """Load and validate every config; order them so dependencies come first.

    ``definitions=False``: the configs only, for commands that read live state alone."""
    options = load_options(g, definitions)
    if g.workspace:
        ws = load_workspace(g.workspace, options)
        entries = [
            ServiceEntry(s.name, load_valid_config(s.config, options), s.depends_on)
            for s in ws.services
        ]
        same = same_service_errors(ws, {e.key: e.config for e in entries}, g.region)
        if same:
            raise ValidationFailed(same)
        parallelism = ws.parallelism or DEFAULT_PARALLELISM
        state = ws.state
        if state and not Path(state).is_absolute() and not state.startswith("s3://"):
            state = str(Path(g.workspace).parent / state)
    else:
        entries = _unique_keys(
            [ServiceEntry("", load_valid_config(p, options)) for p in config_paths(g, options)]
        )
        parallelism = DEFAULT_PARALLELISM
        state = entries[0].config.state if len(entries) == 1 else None
    if targets:
        entries = _with_dependencies(entries, targets)
    if g.timeout_seconds is not None:  # ecspresso's global --timeout overrides the config's
        entries = [
            replace(e, config=replace(e.config, timeout_seconds=g.timeout_seconds)) for e in entries
        ]
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


def state_location(g: Globals, sel: Selection) -> str:
    """--state / ECSPLAN_STATE > workspace or config `ecsplan.state` > ./state."""
    return g.state or sel.state or "state"


def run_secrets(g: Globals, sel: Selection) -> Secrets:
    """The selection's secrets with the key of its state location."""
    aws = g.aws(sel.entries[0].config.region if sel.entries else None)
    return secrets_of(sel.entries, lazy_secret_key(open_backend(state_location(g, sel), aws)))
