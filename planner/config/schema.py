"""JSON Schema validation of config, workspace and definition documents, in human words.

jsonschema's own messages ("Additional properties are not allowed ('x' was unexpected)") are
written for schema authors; users get one short line per problem, anchored at the node to fix.
Loads the schemas shipped in ``schemas/`` (see ``schema_dir``); no other I/O.
"""

from __future__ import annotations

import difflib
import json
import re
import sysconfig
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

Path_ = tuple[str | int, ...]
Problem = tuple[Path_, str]

SCHEMA_FILES = {
    "config": "config.schema.json",
    "workspace": "workspace.schema.json",
    "task_definition": "task-definition.schema.json",
    "service_definition": "service-definition.schema.json",
    "plan": "plan.schema.json",
}

_JSON_TYPES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "boolean"),
    ((int, float), "number"),
    (str, "string"),
    (type(None), "null"),
    (dict, "object"),
    ((list, tuple), "array"),
)


def schema_dir() -> Path:
    """Where the schemas are: the repo's top-level ``schemas/`` (source checkout or editable
    install), else the copy a wheel installs under ``<prefix>/share/ecsplan/schemas``
    (the interpreter's prefix, or the user base for ``pip install --user``)."""
    shared = Path("share", "ecsplan", "schemas")  # [tool.setuptools.data-files] in pyproject
    candidates = [
        Path(__file__).resolve().parents[2] / "schemas",
        Path(sysconfig.get_path("data")) / shared,
        Path(sysconfig.get_path("data", sysconfig.get_preferred_scheme("user"))) / shared,
    ]
    for candidate in candidates:
        if (candidate / SCHEMA_FILES["config"]).is_file():
            return candidate
    raise FileNotFoundError(
        "ecsplan JSON schemas not found in: " + ", ".join(str(c) for c in candidates)
    )


@cache
def load_schema(kind: str) -> dict[str, Any]:
    """The parsed schema for ``kind`` (one of SCHEMA_FILES)."""
    if kind not in SCHEMA_FILES:
        raise ValueError(f"unknown schema kind {kind!r}; expected one of {sorted(SCHEMA_FILES)}")
    text = (schema_dir() / SCHEMA_FILES[kind]).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(kind))


def schema_problems(kind: str, data: Any) -> list[Problem]:
    """Every schema problem of ``data`` as (path to the offending node, one-line message),
    sorted by path. ``kind``: "config", "task_definition", "service_definition", "workspace".
    Definitions may use the describe-* wrapper form ({"taskDefinition": ...}/{"service": ...})."""
    problems: set[Problem] = set()
    for error in _validator(kind).iter_errors(data):
        problems.update(_explain(error))
    return sorted(problems, key=_sort_key)


def _sort_key(problem: Problem) -> tuple[tuple[tuple[int, int, str], ...], str]:
    path, message = problem
    parts = tuple((1, 0, p) if isinstance(p, str) else (0, p, "") for p in path)
    return parts, message


def _json_type(value: Any) -> str:
    for types, name in _JSON_TYPES:
        if isinstance(value, types):
            if name == "number" and isinstance(value, int):
                return "integer"
            return name
    return type(value).__name__


def _show(value: Any, limit: int = 40) -> str:
    """A value as it would look in JSON, cut short."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _got(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):  # YAML !!binary
        return f"binary data ({len(value)} bytes)"
    kind = _json_type(value)
    if kind in ("object", "array", "null"):
        return kind
    return f"{kind} {_show(value)}"


def _listing(values: Any) -> str:
    return ", ".join(str(v) if isinstance(v, str) else _show(v) for v in values)


def _expected_types(types: Any) -> str:
    return " or ".join(types) if isinstance(types, list) else str(types)


def _explain(error: ValidationError) -> Iterator[Problem]:
    path: Path_ = tuple(error.absolute_path)
    value = error.instance
    rule = error.validator
    limit = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    if rule == "additionalProperties" and isinstance(value, dict):
        properties: dict[str, Any] = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        # Suggest only fields a user would write, not read-only describe-output ones.
        writable = [k for k, v in properties.items() if not (v or {}).get("readOnly")]
        for key in value:
            if key in properties or any(_matches(p, key) for p in patterns):
                continue
            close = difflib.get_close_matches(str(key), writable, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            yield path, f'unknown field "{key}"{hint}'
    elif rule == "required" and isinstance(value, dict):
        for key in limit:
            if key not in value:
                yield path, f'missing required field "{key}"'
    elif rule == "type":
        yield path, f"expected {_expected_types(limit)}, got {_got(value)}"
    elif rule == "enum":
        if "propertyNames" in error.schema_path:
            yield path, f'field "{value}" must be one of: {_listing(limit)}'
        else:
            yield path, f"must be one of: {_listing(limit)}"
    elif rule == "const":
        yield path, f"must be {_show(limit)}"
    elif rule in ("anyOf", "oneOf"):
        yield from _explain_alternatives(error, path)
    else:
        yield path, _simple_message(rule, limit, value, schema, error.message)


def _explain_alternatives(error: ValidationError, path: Path_) -> Iterator[Problem]:
    """Report the branch whose type fits the value; if none fits, list the accepted types."""
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(int(sub.schema_path[0]), []).append(sub)
    fitting = [
        subs
        for subs in branches.values()
        if not any(s.validator == "type" and not s.relative_path for s in subs)
    ]
    if len(fitting) == 1:
        for sub in fitting[0]:
            yield from _explain(sub)
        return
    alternatives = error.validator_value if isinstance(error.validator_value, list) else []
    types = [a["type"] for a in alternatives if isinstance(a, dict) and "type" in a]
    if types and len(types) == len(alternatives):
        flat = [t for ts in types for t in (ts if isinstance(ts, list) else [ts])]
        yield path, f"expected {' or '.join(flat)}, got {_got(error.instance)}"
    elif error.validator == "oneOf" and not error.context:
        yield path, "matches more than one allowed form"
    else:
        yield path, "does not match any allowed form"


def _simple_message(rule: Any, limit: Any, value: Any, schema: dict[str, Any], raw: str) -> str:
    templates = {
        "minLength": "must be at least {} characters",
        "maxLength": "must be at most {} characters",
        "minItems": "must have at least {} items",
        "maxItems": "must have at most {} items",
        "minProperties": "must have at least {} field(s)",
        "maxProperties": "must have at most {} field(s)",
        "minimum": "must be at least {}",
        "maximum": "must be at most {}",
        "exclusiveMinimum": "must be greater than {}",
        "exclusiveMaximum": "must be less than {}",
    }
    if rule in templates:
        return templates[str(rule)].format(limit)
    if rule == "uniqueItems":
        return "must not contain duplicates"
    if rule == "pattern":
        hint = schema.get("x-hint")
        return f"{_show(value)} is not {hint}" if hint else f"must match the pattern {limit}"
    return raw


def _matches(pattern: str, key: Any) -> bool:
    return isinstance(key, str) and re.search(pattern, key) is not None
