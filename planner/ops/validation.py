"""`validate` and `render`: local checks and rendered documents, no AWS writes.

Only the read-only template lookups (ssm, secretsmanager_arn, cfn_*, s3:// tfstate) may
reach AWS, and only when a template uses them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.config import LoadOptions, config_warnings, load_config, validate_config
from planner.config.model import ServiceConfig
from planner.config.workspace_file import load_workspace, same_service_errors
from planner.errors import ConfigError, ValidationFailed
from planner.plan.secrets import secret_values_in

TARGETS = ("config", "servicedef", "taskdef")


@dataclass
class Checked:
    """One config's verdict: loaded and valid (``config``), or its errors."""

    path: Path
    config: ServiceConfig | None = None
    errors: list[ConfigError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_config(path: Path, options: LoadOptions) -> Checked:
    try:
        cfg = load_config(path, options)
    except ValidationFailed as e:
        return Checked(path, None, list(e.errors), list(e.warnings))
    except ConfigError as e:
        return Checked(path, None, [e], list(e.warnings))
    found = validate_config(cfg)
    return Checked(path, None if found else cfg, list(found), list(config_warnings(cfg)))


def workspace_errors(
    workspace: str, options: LoadOptions, checked: Sequence[Checked], region: str | None
) -> list[ConfigError]:
    """A workspace whose entries are the same service twice (checked once all load)."""
    loaded = {c.path: c.config for c in checked if c.config is not None}
    ws = load_workspace(workspace, options)
    configs = {s.name: loaded[s.config] for s in ws.services if s.config in loaded}
    return same_service_errors(ws, configs, region)


@dataclass(frozen=True)
class Rendered:
    label: str  # the document's file
    data: Any
    sensitive: frozenset[str]  # the values a display hides


def render_documents(
    paths: Sequence[Path],
    options: LoadOptions,
    targets: Sequence[str],
    *,
    warn: Any,
) -> list[Rendered]:
    """The rendered documents of each config, with the values a display must hide."""
    out = []
    for path in paths:
        cfg = load_config(path, options)
        for w in cfg.warnings:
            warn(w)
        for target in targets or TARGETS:
            doc = cfg.sources.get(target)
            if doc is None:
                continue
            hidden = secret_values_in(cfg.task_definition, cfg.sensitive)
            out.append(Rendered(str(doc.path), doc.data, hidden))
    return out
