"""Structured diffs of canonical documents, with list items named by their natural key.

`containerDefinitions[name=web].image` reads better than `containerDefinitions[0].image`
and stays stable when an item is inserted before another.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepdiff import DeepDiff

# List field -> item field naming the item. Lists of plain strings listed under _SET_LISTS
# are keyed by the value itself.
NATURAL_KEYS: dict[str, str] = {
    "containerDefinitions": "name",
    "environment": "name",
    "secrets": "name",
    "secretOptions": "name",
    "ulimits": "name",
    "volumes": "name",
    "volumeConfigurations": "name",
    "tags": "key",
    "portMappings": "containerPort",
    "mountPoints": "containerPath",
    "volumesFrom": "sourceContainer",
    "dependsOn": "containerName",
    "systemControls": "namespace",
    "extraHosts": "hostname",
    "resourceRequirements": "type",
    "capacityProviderStrategy": "capacityProvider",
    "loadBalancers": "containerName",
    "serviceRegistries": "registryArn",
    "services": "portName",
    "inferenceAccelerators": "deviceName",
}
_SET_LISTS = frozenset(
    {"subnets", "securityGroups", "requiresCompatibilities", "alarmNames", "capabilities"}
)
_MARK = "\x00"  # prefix of a dict key that stands for a keyed list item

_KINDS = {
    "values_changed": "changed",
    "type_changes": "changed",
    "dictionary_item_added": "added",
    "iterable_item_added": "added",
    "dictionary_item_removed": "removed",
    "iterable_item_removed": "removed",
}


def structured_diff(before: Any, after: Any) -> list[dict[str, Any]]:
    """Change records {path, kind (changed|added|removed), old, new}, sorted by path."""
    if before == after:  # the common case in large plans; DeepDiff costs ~1.5 ms even then
        return []
    left, right = _keyed(before), _keyed(after)
    diff = DeepDiff(left, right, ignore_order=False, verbose_level=2, view="tree")
    records = []
    for report, kind in _KINDS.items():
        for level in diff.get(report, []):
            records.append(
                {
                    "path": _render(level.path(output_format="list")),
                    "kind": kind,
                    "old": None if kind == "added" else _restore(level.t1),
                    "new": None if kind == "removed" else _restore(level.t2),
                }
            )
    return sorted(records, key=lambda r: (r["path"], r["kind"]))


def _keyed(value: Any, field: str | None = None) -> Any:
    """Turn keyed lists into marked dicts so deepdiff matches items by key, not position."""
    if isinstance(value, Mapping):
        return {str(k): _keyed(v, str(k)) for k, v in value.items()}
    if not isinstance(value, list):
        return value
    items = [_keyed(v) for v in value]
    if not items:
        return items
    keys: list[Any] | None = None
    if field in _SET_LISTS and all(isinstance(v, str) for v in items):
        keys = list(items)
    elif field in NATURAL_KEYS:
        name = NATURAL_KEYS[field]
        if all(isinstance(v, Mapping) and v.get(name) is not None for v in items):
            keys = [f"{name}={v[name]}" for v in items]
    if keys is None or len(set(map(str, keys))) != len(keys):
        return items
    return {f"{_MARK}{field}{_MARK}{k}": v for k, v in zip(keys, items, strict=True)}


def _restore(value: Any) -> Any:
    """Undo _keyed: marked dicts back to lists, so values are the documents' own shapes."""
    if isinstance(value, Mapping):
        if value and all(str(k).startswith(_MARK) for k in value):
            return [_restore(v) for v in value.values()]
        return {k: _restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value


def _render(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, str) and part.startswith(_MARK):
            out += f"[{part.rsplit(_MARK, 1)[-1]}]"
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
