"""The JSON ecspresso v2.6.0 and ecsta v0.4.5 print, byte for byte (pure functions).

Both take an aws-sdk-go-v2 struct, ``json.Marshal`` it (every struct field, Go field names),
decode it into ``map[string]interface{}``, rewrite the keys and ``json.MarshalIndent`` it with
two spaces. So the output has:

- every member of the Go struct, unset ones as ``null`` / ``""`` / ``0`` / ``false``
  (:func:`go_struct`, from the generated planner/render/ecs_go_shapes.py);
- keys sorted; ``<``, ``>``, ``&``, U+2028 and U+2029 escaped (Go's HTML-safe encoder);
- numbers that went through float64; times as RFC 3339 with nanoseconds, in UTC, at the
  millisecond precision the SDK parses;
- ecspresso (json.go ``MarshalJSONForAPI``): first letter of each key lower-cased except
  inside ``dockerLabels`` and ``options`` maps, ``null`` values and empty arrays dropped, and
  a newline at the end (:func:`marshal_for_api`);
- ecsta (format.go ``MarshalJSONForAPI``): first letter of every key lower-cased, nothing
  dropped, no newline (:func:`ecsta_marshal`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from planner.render.ecs_go_shapes import SHAPES

_ZERO = {"ptr": None, "time": None, "enum": "", "num": 0, "bool": False}
_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def rfc3339nano(value: Any) -> str:
    """A time as Go prints a ``time.Time`` the SDK parsed: UTC, milliseconds, zeros trimmed."""
    t = value.astimezone(dt.timezone.utc) if value.tzinfo else value
    ms = t.microsecond // 1000
    frac = f".{ms:03d}".rstrip("0").rstrip(".") if ms else ""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def _field(value: Any, kind: str) -> Any:
    if value is None:
        return None if kind.startswith(("list", "map", "struct")) else _ZERO.get(kind)
    if kind == "time":
        return rfc3339nano(value) if isinstance(value, dt.datetime) else value
    if kind.startswith("struct:"):
        return go_struct(value, kind[7:])
    if kind.startswith("list:"):
        return [go_struct(v, kind[5:]) for v in value]
    if kind == "list":
        return list(value)
    if kind == "map":
        return dict(value)
    return value


def go_struct(data: Mapping[str, Any], shape: str) -> dict[str, Any]:
    """What ``json.Marshal`` of the SDK struct decoded from ``data`` (an AWS response as boto3
    returns it) gives: every field of the struct; members the SDK does not know are gone."""
    return {m: _field(data.get(m), k) for m, k in SHAPES[shape].items()}


def _lower_first(key: str) -> str:
    return key[:1].lower() + key[1:]


def _walk_api(obj: Any, rename: bool) -> Any:
    """ecspresso json.go walkMap/walkArray with jsonKeyForAPI; ``rename`` false inside the
    ``dockerLabels`` and ``options`` maps (walkMap(value, nil))."""
    if isinstance(obj, list):
        return [_walk_api(v, rename) for v in obj]
    if not isinstance(obj, Mapping):
        return obj
    out = {}
    for key, value in obj.items():
        if value is None or (isinstance(value, list) and not value):
            continue  # walkMap: nil values and empty arrays are deleted
        keep = isinstance(value, Mapping) and key.lower() in ("dockerlabels", "options")
        out[_lower_first(key) if rename else key] = _walk_api(value, rename and not keep)
    return out


def _walk_ecsta(obj: Any) -> Any:
    """ecsta format.go walkMap/walkArray: every key lower-first, nothing dropped."""
    if isinstance(obj, list):
        return [_walk_ecsta(v) for v in obj]
    if isinstance(obj, Mapping):
        return {_lower_first(k): _walk_ecsta(v) for k, v in obj.items()}
    return obj


def _number(n: int | float) -> str:
    """encoding/json floatEncoder for a float64 (every JSON number decodes to one)."""
    f = float(n)
    if f == int(f) and abs(f) < 1e21:
        return str(int(f))
    if abs(f) < 1e-6 or abs(f) >= 1e21:
        text = repr(f).replace("e-0", "e-")  # Go: 'e' format, e-07 cleaned up to e-7
        return text if "e" in text else f"{f:e}"
    return format(Decimal(repr(f)), "f")


def _string(s: str) -> str:
    text = json.dumps(s, ensure_ascii=False)
    return "".join(_HTML.get(c, c) for c in text)


def go_indent(obj: Any, depth: int = 0) -> str:
    """``json.MarshalIndent(v, "", "  ")`` of decoded JSON (maps, slices, scalars)."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(obj, Mapping):
        if not obj:
            return "{}"
        items = [f"{inner}{_string(k)}: {go_indent(obj[k], depth + 1)}" for k in sorted(obj)]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(obj, (list, tuple)):
        if not obj:
            return "[]"
        return "[\n" + ",\n".join(inner + go_indent(v, depth + 1) for v in obj) + f"\n{pad}]"
    if obj is None:
        return "null"
    if isinstance(obj, bool):
        return "true" if obj else "false"
    if isinstance(obj, (int, float)):
        return _number(obj)
    return _string(str(obj))


def marshal_for_api(obj: Mapping[str, Any]) -> str:
    """ecspresso json.go ``MarshalJSONForAPI``: the text it writes, trailing newline included."""
    return go_indent(_walk_api(obj, True)) + "\n"


def ecsta_marshal(obj: Mapping[str, Any]) -> str:
    """ecsta format.go ``MarshalJSONForAPI`` without a query (no trailing newline)."""
    return go_indent(_walk_ecsta(obj))
