"""Secret masking for every output of a plan: terminal, Markdown, JSON and the plan file.

Display outputs replace secrets by ``(sensitive)``. The plan file must not hold secrets either,
yet ``apply`` has to send the exact payloads, so it stores ``(sensitive:<hash>)`` placeholders
that ``unmask_from_file`` turns back into the values the CLI re-renders at apply time.

Which values are secret: the ones the templates marked (SSM SecureString, Secrets Manager),
plus the values of environment entries whose names look secret (``DB_PASSWORD``, ``API_KEY``),
plus every value of an environment entry that once held a marked value (so the old value of a
rotated secret, read from AWS, is masked too). Values shorter than ``MIN_SECRET_LENGTH`` are
ignored: masking "1" or "on" everywhere would blank the whole plan.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from planner.errors import EcsplanError
from planner.plan.codec import to_data
from planner.plan.model import Plan

PLACEHOLDER = "(sensitive)"
MIN_SECRET_LENGTH = 4
FILE_PLACEHOLDER_RE = re.compile(r"\(sensitive:([0-9a-f]{12})\)")

# Matched anywhere in the name: long enough not to occur by accident inside other words.
_SECRET_SUBSTRINGS = (
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "CREDENTIAL",
    "PRIVATE",
    "APIKEY",
    "AUTHORIZATION",
)
# Matched only as a whole word part: KEY in API_KEY / apiKey but not in MONKEY or KEYBOARD.
_SECRET_WORDS = frozenset(
    {"KEY", "KEYS", "PASS", "PWD", "AUTH", "OAUTH", "CREDS", "DSN", "SALT", "COOKIE", "SIGNATURE"}
)
# A word part that makes a KEY name public: PUBLIC_KEY, KEY_ID (AWS_ACCESS_KEY_ID is an id).
_PUBLIC_WORDS = frozenset({"PUBLIC", "ID"})


def _word_parts(name: str) -> list[str]:
    """Split ``DB_PASSWORD`` / ``dbPassword`` / ``db-password.v2`` into upper-case parts."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [p for p in re.split(r"[^A-Za-z0-9]+", spaced.upper()) if p]


def looks_secret(name: str) -> bool:
    """Whether an environment variable name suggests its value is a secret."""
    parts = _word_parts(name)
    glued = "".join(parts)
    if any(s in glued for s in _SECRET_SUBSTRINGS):
        return True
    words = set(parts)
    hits = words & _SECRET_WORDS
    if not hits:
        return False
    if hits <= {"KEY", "KEYS"} and words & _PUBLIC_WORDS:
        return False
    # A variable named exactly PWD is the shell's working directory, not a password.
    return parts != ["PWD"]


def _env_entries(obj: Any) -> Iterator[Mapping[str, Any]]:
    """Every ``{"name", "value"}`` item of any ``environment`` list found in ``obj``."""
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            if k == "environment" and isinstance(v, (list, tuple)):
                for item in v:
                    if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                        yield item
            yield from _env_entries(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _env_entries(v)


def _usable(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH


def sensitive_values(plan: Plan, marked: Iterable[str] = ()) -> frozenset[str]:
    """All values to hide for this plan: ``marked`` plus secret-looking environment values."""
    return secret_values_in(to_data(plan), marked)


def secret_values_in(obj: Any, marked: Iterable[str] = ()) -> frozenset[str]:
    """``marked`` plus the values of secret-looking environment entries anywhere in ``obj``
    (a plan, or the rendered task definitions a plan file must be restored from)."""
    values = {v for v in marked if _usable(v)}
    entries = list(_env_entries(obj))
    secret_names = {e["name"] for e in entries if looks_secret(e["name"])}
    secret_names |= {
        e["name"]
        for e in entries
        if isinstance(e.get("value"), str) and any(v in e["value"] for v in values)
    }
    values |= {e["value"] for e in entries if e["name"] in secret_names and _usable(e.get("value"))}
    return frozenset(values)


def value_hash(value: str) -> str:
    """The 12 hex digits naming a secret in the plan file."""
    return hashlib.sha256(value.encode()).hexdigest()[:12]


def _walk_strings(obj: Any, fn: Callable[[str], str]) -> Any:
    """A deep copy of JSON-like data with ``fn`` applied to every string (keys included)."""
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, Mapping):
        return {fn(k) if isinstance(k, str) else k: _walk_strings(v, fn) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_walk_strings(v, fn) for v in obj]
    return obj


def _values_pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation, longest first, so a single pass never re-scans replaced text."""
    ordered = sorted({v for v in values if _usable(v)}, key=lambda v: (-len(v), v))
    if not ordered:
        return None
    return re.compile("|".join(re.escape(v) for v in ordered))


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
    pattern = _values_pattern(values)

    def fn(s: str) -> str:
        if pattern is not None:
            s = pattern.sub(placeholder, s)
        return FILE_PLACEHOLDER_RE.sub(placeholder, s)

    return _mask_env_by_name(_walk_strings(to_data(obj), fn), placeholder)


def mask_for_file(obj: Any, values: Iterable[str]) -> Any:
    """A copy safe to write to disk: each value -> ``(sensitive:<sha256 prefix>)``."""
    pattern = _values_pattern(values)
    data = to_data(obj)
    if pattern is None:
        return _walk_strings(data, lambda s: s)
    return _walk_strings(
        data, lambda s: pattern.sub(lambda m: f"(sensitive:{value_hash(m[0])})", s)
    )


def unmask_from_file(obj: Any, values: Iterable[str]) -> Any:
    """Undo ``mask_for_file`` exactly; refuse when a placeholder's value was not supplied."""
    by_hash = {value_hash(v): v for v in values if isinstance(v, str)}
    missing: set[str] = set()

    def fn(s: str) -> str:
        def repl(m: re.Match[str]) -> str:
            if m[1] in by_hash:
                return by_hash[m[1]]
            missing.add(m[1])
            return m[0]

        return FILE_PLACEHOLDER_RE.sub(repl, s)

    out = _walk_strings(to_data(obj), fn)
    if missing:
        raise EcsplanError(
            "plan file holds sensitive values that the current configuration does not provide: "
            + ", ".join(f"(sensitive:{h})" for h in sorted(missing)),
            "the secrets were changed or removed since the plan was made; run plan again",
        )
    return out


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
    vals = frozenset(v for v in values if _usable(v))
    b, a = _secret_env(before, vals), _secret_env(after, vals)
    return sorted(k for k in b.keys() & a.keys() if b[k] != a[k])
