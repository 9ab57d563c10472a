"""Secrets in plan data: which values are secret, and the placeholders that stand for them.

A plan (and a plan file, a journal, a run record, the task definition cache) must not hold
a secret, yet apply sends exact payloads. So:

- live documents and the desired documents' comparable forms are *blinded* before planning
  (:meth:`Secrets.blind`): a secret value becomes ``(sensitive:<12 hex>)``, an HMAC of the
  value under the state's key. Equal secrets give equal placeholders (no false diff), a
  rotated one a different placeholder (a diff, shown as ``(sensitive)``); the value of a
  rotated secret that no config holds any more never appears anywhere.
- payloads keep real values; writing plan data to disk masks them the same way
  (:func:`mask_for_file`) and apply re-derives them from the configs.

The key lives only in the state backend (planner/state): whoever has a plan file alone
cannot test a guessed password against a placeholder. Pure: no I/O.

Which values are secret: those the templates marked (SSM SecureString, Secrets Manager), the
values of environment entries whose names look secret (``DB_PASSWORD``, ``API_KEY``) or that
hold a marked value, and the password of any URL (``postgres://app:PW@host/db``), whatever
the variable's name. Other marked values are replaced wherever they occur; values shorter
than ``MIN_SECRET_LENGTH`` only in those places (masking "1" everywhere would blank a plan).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.errors import EcsplanError
from planner.plan.codec import to_data

MIN_SECRET_LENGTH = 4
FILE_PLACEHOLDER_RE = re.compile(r"\(sensitive:([0-9a-f]{12})\)")
# scheme://user:PASSWORD@host — the password group holds no "@", "/" or whitespace
URL_PASSWORD_RE = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)(?P<pw>[^@/\s]+)@")

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


def env_entries(obj: Any) -> Iterator[Mapping[str, Any]]:
    """Every ``{"name", "value"}`` item of any ``environment`` list found in ``obj``."""
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            if k == "environment" and isinstance(v, (list, tuple)):
                for item in v:
                    if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                        yield item
            yield from env_entries(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from env_entries(v)


def is_maskable(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH


def url_passwords(text: str) -> list[str]:
    """The passwords of the ``scheme://user:password@host`` URLs in ``text``."""
    return [
        m["pw"] for m in URL_PASSWORD_RE.finditer(text) if not FILE_PLACEHOLDER_RE.match(m["pw"])
    ]


def _strings(obj: Any) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, Mapping):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)


def _secret_names(entries: list[Mapping[str, Any]], marked: Iterable[str]) -> set[str]:
    values = [v for v in marked if is_maskable(v)]
    names = {e["name"] for e in entries if looks_secret(e["name"])}
    names |= {
        e["name"]
        for e in entries
        if isinstance(e.get("value"), str) and any(v in e["value"] for v in values)
    }
    return names


def secret_values_in(obj: Any, marked: Iterable[str] = ()) -> frozenset[str]:
    """``marked`` plus the values of secret environment entries and every URL password
    anywhere in ``obj`` (a plan, or the rendered task definitions of a selection)."""
    values = {v for v in marked if is_maskable(v)}
    data = to_data(obj)
    entries = list(env_entries(data))
    names = _secret_names(entries, values)
    values |= {e["value"] for e in entries if e["name"] in names and is_maskable(e.get("value"))}
    values -= {v for v in values if FILE_PLACEHOLDER_RE.fullmatch(v)}
    for s in _strings(data):
        values.update(url_passwords(s))
    return frozenset(values)


def sensitive_values(plan: Any, marked: Iterable[str] = ()) -> frozenset[str]:
    """All values to hide for a plan: ``marked`` plus secret-looking environment values."""
    return secret_values_in(to_data(plan), marked)


def restore_values(obj: Any, marked: Iterable[str] = ()) -> frozenset[str]:
    """Every value a placeholder in data masked for ``obj``'s run may stand for, short ones
    included: what :meth:`Secrets.unmask` fills placeholders back from."""
    data = to_data(obj)
    entries = list(env_entries(data))
    names = _secret_names(entries, marked)
    out = {str(v) for v in marked}
    out |= {e["value"] for e in entries if e["name"] in names and isinstance(e.get("value"), str)}
    for s in _strings(data):
        out.update(url_passwords(s))
    return frozenset(v for v in out if not FILE_PLACEHOLDER_RE.fullmatch(v))


def walk_strings(obj: Any, fn: Callable[[str], str]) -> Any:
    """A deep copy of JSON-like data with ``fn`` applied to every string (keys included)."""
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, Mapping):
        return {fn(k) if isinstance(k, str) else k: walk_strings(v, fn) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [walk_strings(v, fn) for v in obj]
    return obj


def values_pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation, longest first, so a single pass never re-scans replaced text."""
    ordered = sorted({v for v in values if is_maskable(v)}, key=lambda v: (-len(v), v))
    if not ordered:
        return None
    return re.compile("|".join(re.escape(v) for v in ordered))


class LazyKey:
    """The state's key, read (or created) only when a placeholder is first made: a plan
    that fails before it meets a secret writes nothing to the state."""

    def __init__(self, load: Callable[[], bytes]) -> None:
        self._load = load
        self._key: bytes | None = None
        self._lock = threading.Lock()

    def __call__(self) -> bytes:
        with self._lock:
            if self._key is None:
                self._key = self._load()
            return self._key


@dataclass(frozen=True)
class Secrets:
    """The secrets of one run and the key their placeholders are made with.

    ``marked``: values the templates marked; ``names``: environment names that hold a
    secret in the desired task definitions (see :meth:`of`); ``key``: the state's HMAC key
    (empty in pure unit tests, where placeholders need only be stable)."""

    key_source: bytes | LazyKey = field(default=b"", compare=False, repr=False)
    marked: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    @property
    def key(self) -> bytes:
        src = self.key_source
        return src if isinstance(src, bytes) else src()

    @classmethod
    def of(cls, desired: Iterable[Any], marked: Iterable[str], key: bytes | LazyKey) -> Secrets:
        """From the desired task definitions of a run (the same configs give the same)."""
        values = frozenset(v for v in marked if is_maskable(v))
        entries = [e for doc in desired for e in env_entries(to_data(doc))]
        return cls(key, values, frozenset(_secret_names(entries, values)))

    def placeholder(self, value: str) -> str:
        if FILE_PLACEHOLDER_RE.fullmatch(value):
            return value
        digest = hmac.new(self.key, value.encode(), hashlib.sha256).hexdigest()
        return f"(sensitive:{digest[:12]})"

    def _hide_in(self, text: str, pattern: re.Pattern[str] | None) -> str:
        text = URL_PASSWORD_RE.sub(lambda m: f"{m['head']}{self.placeholder(m['pw'])}@", text)
        return pattern.sub(lambda m: self.placeholder(m[0]), text) if pattern else text

    def blind(self, doc: Any) -> Any:
        """A copy of a document with every secret value as its placeholder."""
        pattern = values_pattern(self.marked)
        return _blind(doc, self, pattern)

    def mask(self, obj: Any, values: Iterable[str] = ()) -> Any:
        """A copy safe to write to disk (the plan file, journals, run records, cache
        entries): secret environment values, URL passwords, the marked values and
        ``values`` wherever they occur -> their placeholders."""
        pattern = values_pattern({*values, *self.marked})
        return _blind(to_data(obj), self, pattern)

    def unmask(self, obj: Any, values: Iterable[str], *, strict: bool = True) -> Any:
        """Undo :meth:`mask` with ``values``; ``strict``: refuse a placeholder none of them
        makes (the secret changed since), else leave it as it is."""
        by_digest = {self.placeholder(v)[11:23]: v for v in values if isinstance(v, str)}
        missing: set[str] = set()

        def repl(m: re.Match[str]) -> str:
            if m[1] in by_digest:
                return by_digest[m[1]]
            missing.add(m[1])
            return m[0]

        out = walk_strings(to_data(obj), lambda s: FILE_PLACEHOLDER_RE.sub(repl, s))
        if missing and strict:
            raise EcsplanError(
                "saved data holds sensitive values that the current configuration does not "
                "provide: " + ", ".join(f"(sensitive:{h})" for h in sorted(missing)),
                "the secrets were changed or removed since it was made; run plan again",
            )
        return out


def _blind(obj: Any, secrets: Secrets, pattern: re.Pattern[str] | None) -> Any:
    if isinstance(obj, str):
        return secrets._hide_in(obj, pattern)
    if isinstance(obj, Mapping):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if k == "environment" and isinstance(v, (list, tuple)):
                v = [_blind_entry(e, secrets, pattern) for e in v]
            else:
                v = _blind(v, secrets, pattern)
            out[k] = v
        return out
    if isinstance(obj, (list, tuple)):
        return [_blind(v, secrets, pattern) for v in obj]
    return obj


def _blind_entry(entry: Any, secrets: Secrets, pattern: re.Pattern[str] | None) -> Any:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
        return _blind(entry, secrets, pattern)
    name, value = entry["name"], entry.get("value")
    if not isinstance(value, str):
        return dict(entry)
    if looks_secret(name) or name in secrets.names:
        return {**entry, "value": secrets.placeholder(value)}
    return {**entry, "value": secrets._hide_in(value, pattern)}
