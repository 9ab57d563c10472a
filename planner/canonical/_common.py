"""Small pure helpers shared by the canonical forms."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

Doc = dict[str, Any]


def plain(value: Any) -> Any:
    """A deep, JSON-shaped copy (dicts and lists only), so callers' inputs are never mutated."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return copy.copy(value)


def drop_empty(value: Any) -> Any:
    """Remove None, [] and {} recursively: ECS treats an absent optional value like an empty one."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = drop_empty(v)
            if v is None or v == [] or v == {}:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [drop_empty(v) for v in value if v is not None]
    return value


def project(doc: Mapping[str, Any], members: Iterable[str]) -> Doc:
    """Keep only the given top-level members."""
    return {k: doc[k] for k in members if k in doc}


def sort_key(*fields: str) -> Callable[[Any], tuple[str, ...]]:
    """A total sort key over dict items by the given fields (missing fields sort first)."""

    def key(item: Any) -> tuple[str, ...]:
        if not isinstance(item, Mapping):
            return (json.dumps(item, sort_keys=True, default=str),)
        tie_break = json.dumps(item, sort_keys=True, default=str)
        return (*(_sortable(item.get(f)) for f in fields), tie_break)

    return key


def _sortable(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:020d}"
    return str(value)


def sort_list(doc: dict[str, Any], name: str, *fields: str) -> None:
    """Sort doc[name] in place by the given item fields, when it is a list."""
    items = doc.get(name)
    if isinstance(items, list):
        doc[name] = sorted(items, key=sort_key(*fields))


def drop_false(doc: dict[str, Any], *names: str) -> None:
    """Remove booleans whose AWS default is false, so absent == false."""
    for name in names:
        if doc.get(name) is False:
            del doc[name]


# ecsplan's own bookkeeping tags (run and step of the register) are never a user change.
OWN_TAG_PREFIX = "ecsplan:"


def canonical_tags(tags: Any, ignore: Iterable[str]) -> list[dict[str, str]]:
    """Tags as [{key, value}] sorted by key, without ignored keys nor ecsplan's own."""
    ignored = set(ignore)
    out: dict[str, str] = {}
    if isinstance(tags, Mapping):
        pairs = list(tags.items())
    else:
        pairs = [(t.get("key"), t.get("value", "")) for t in tags or [] if isinstance(t, Mapping)]
    for key, value in pairs:
        if key is None or key in ignored or str(key).startswith(OWN_TAG_PREFIX):
            continue
        out[str(key)] = "" if value is None else str(value)
    return [{"key": k, "value": out[k]} for k in sorted(out)]
