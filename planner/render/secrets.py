"""Display masking: secrets in terminal, Markdown and JSON output become ``(sensitive)``.

What is secret, and the plan file's ``(sensitive:<hmac>)`` placeholders, are decided in
planner/plan/secrets.py (next to the plan codec); here they are only hidden from view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from planner.plan.codec import to_data
from planner.plan.secrets import (
    FILE_PLACEHOLDER_RE,
    URL_PASSWORD_RE,
    is_maskable,
    looks_secret,
    values_pattern,
    walk_strings,
)

PLACEHOLDER = "(sensitive)"


def _mask_env_by_name(obj: Any, placeholder: str) -> Any:
    if isinstance(obj, Mapping):
        out = {}
        for k, v in obj.items():
            if k == "environment" and isinstance(v, list):
                v = [
                    {**e, "value": placeholder}
                    if isinstance(e, Mapping)
                    and isinstance(e.get("name"), str)
                    and looks_secret(e["name"])
                    and "value" in e
                    else e
                    for e in v
                ]
            out[k] = _mask_env_by_name(v, placeholder)
        return out
    if isinstance(obj, list):
        return [_mask_env_by_name(v, placeholder) for v in obj]
    return obj


def mask(obj: Any, values: Iterable[str], placeholder: str = PLACEHOLDER) -> Any:
    """A display copy of JSON-like ``obj``: secrets and plan-file placeholders -> placeholder.

    Dataclasses (a Plan, a Step...) are turned into plain data first.
    """
    pattern = values_pattern(values)

    def fn(s: str) -> str:
        s = URL_PASSWORD_RE.sub(lambda m: f"{m['head']}{placeholder}@", s)
        if pattern is not None:
            s = pattern.sub(placeholder, s)
        return FILE_PLACEHOLDER_RE.sub(placeholder, s)

    return _mask_env_by_name(walk_strings(to_data(obj), fn), placeholder)


def _secret_env(doc: Any, values: frozenset[str]) -> dict[str, Any]:
    """``{"container/NAME": value}`` of the secret environment entries of one document."""
    out: dict[str, Any] = {}
    if not isinstance(doc, Mapping):
        return out
    for container in doc.get("containerDefinitions") or ():
        if not isinstance(container, Mapping):
            continue
        for e in container.get("environment") or ():
            if not isinstance(e, Mapping) or not isinstance(e.get("name"), str):
                continue
            value = e.get("value")
            hidden = isinstance(value, str) and (
                FILE_PLACEHOLDER_RE.search(value) or any(v in value for v in values)
            )
            if looks_secret(e["name"]) or hidden:
                out[f"{container.get('name', '?')}/{e['name']}"] = value
    return out


def changed_secret_names(before: Any, after: Any, values: Iterable[str]) -> list[str]:
    """Secret environment entries whose value changes, although both sides show (sensitive).

    Masking hides the change itself, so the renderers name these entries instead.
    """
    vals = frozenset(v for v in values if is_maskable(v))
    b, a = _secret_env(before, vals), _secret_env(after, vals)
    return sorted(k for k in b.keys() & a.keys() if b[k] != a[k])
