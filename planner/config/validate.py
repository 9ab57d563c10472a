"""Validation of a loaded config: load problems, JSON Schema, then semantic checks, all at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from planner.config import semantic
from planner.config.model import LoadOptions, ServiceConfig
from planner.config.source import SourceDoc
from planner.errors import ConfigError, Location, ValidationFailed

_SCHEMA_KINDS = {
    "config": "config",
    "taskdef": "task_definition",
    "servicedef": "service_definition",
}


def schema_errors(kind: str, doc: SourceDoc) -> list[ConfigError]:
    """JSON Schema problems of ``doc`` as ConfigErrors (``kind`` as in schema_problems)."""
    from planner.config.schema import schema_problems

    return [doc.error(parts, message) for parts, message in schema_problems(kind, doc.data)]


def validate_config(cfg: ServiceConfig) -> list[ConfigError]:
    """Every problem of ``cfg``: load problems, schema, semantic; sorted by file and line."""
    errors: list[ConfigError] = list(cfg.problems)
    for name, kind in _SCHEMA_KINDS.items():
        doc = cfg.sources.get(name)
        if doc is not None:
            errors.extend(schema_errors(kind, doc))
    errors.extend(semantic.check_config(cfg, cfg.sources["config"]))
    td_doc = cfg.sources.get("taskdef")
    if td_doc is not None:
        errors.extend(semantic.check_task_definition(td_doc))
    sd_doc = cfg.sources.get("servicedef")
    if sd_doc is not None:
        errors.extend(semantic.check_service_definition(cfg, sd_doc, cfg.task_definition))
    return _dedupe(errors, [str(doc.path) for doc in cfg.sources.values()])


def _dedupe(errors: list[ConfigError], files: list[str]) -> list[ConfigError]:
    """Each message once, by file (config, task definition, service definition) and line."""
    seen: set[str] = set()
    out: list[ConfigError] = []
    for e in errors:
        if e.message not in seen:
            seen.add(e.message)
            out.append(e)
    order = {f: i for i, f in enumerate(dict.fromkeys(files))}
    for e in out:
        order.setdefault(e.location.file, len(order))
    return sorted(out, key=lambda e: (order[e.location.file], e.location.line or 1))


def config_warnings(cfg: ServiceConfig) -> list[str]:
    """Load warnings (unknown keys...) plus advice that does not block."""
    return [*cfg.warnings, *semantic.advice(cfg)]


def load_valid_config(path: str | Path, options: LoadOptions | None = None) -> ServiceConfig:
    """Load and validate; raise ValidationFailed listing every problem. For plan/deploy."""
    from planner.config.loader import load_config

    cfg = load_config(path, options)
    errors = validate_config(cfg)
    if errors:
        raise ValidationFailed(errors)
    return cfg


def load_valid_task_definition(path: str | Path, options: LoadOptions) -> dict[str, Any]:
    """A task definition file other than the config's (`run --task-def FILE`): rendered with
    the same templates, envfiles and lookups, checked as the config's would be."""
    from planner.config.functions import FunctionSet
    from planner.config.loader import missing_file_message, read_document, unwrap
    from planner.config.source import not_a_file

    p = Path(path)
    if not_a_file(p):
        raise ConfigError(Location(str(p)), f"--task-def: {missing_file_message(p)}")
    doc = unwrap(read_document(p, FunctionSet(options.sources), options), ("taskDefinition",))
    errors = schema_errors("task_definition", doc) + semantic.check_task_definition(doc)
    if errors:
        raise ValidationFailed(errors)
    return dict(doc.data)
