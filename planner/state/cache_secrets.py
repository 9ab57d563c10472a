"""Cached task definitions hold no secret values, yet a cache hit gives back the exact content.

A live task definition may hold secrets anywhere a user put them: environment values (an
SSM SecureString rendered into ``DB_CONN``, a rotated password whose old value this run never
saw), ``secrets[].valueFrom`` (a Secrets Manager ARN names its secret), log ``secretOptions``
and ``repositoryCredentials``. The state is read by CI jobs and people who must not see them,
so those members are stored as ``(cached:<digest>)``: a sha256 over the member's name and
value. Any other string containing a value the templates marked secret gets the plan file's
``(sensitive:<hash>)`` placeholder.

A placeholder is filled back from the values of this run's desired task definitions (the
same member, the same name). If one cannot be filled, the live value differs from what the
config wants now (a new image tag does not matter, a changed environment value does), and
the entry is not used: the revision is described from AWS, so the diff shows real values.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from planner.errors import EcsplanError
from planner.plan.codec import to_data
from planner.plan.secrets import LazyKey, Secrets, restore_values

PLACEHOLDER_RE = re.compile(r"\(cached:([0-9a-f]{16})\)")
# list member -> (item key holding the name, item key holding the value)
_NAMED_LISTS = {
    "environment": ("name", "value"),
    "secrets": ("name", "valueFrom"),
    "secretOptions": ("name", "valueFrom"),
}
_CREDENTIALS = "repositoryCredentials"


def _digest(key: bytes, member: str, name: str, value: str) -> str:
    """An HMAC under the state's key: whoever copies one entry cannot test guesses offline."""
    text = f"{member}\0{name}\0{value}"
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:16]


def _rewrite(obj: Any, fn: Callable[[str, str, str], str]) -> Any:
    """A copy of JSON-like ``obj`` with ``fn(member, name, value)`` applied to every member
    that is stored as a digest."""
    if isinstance(obj, Mapping):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if k in _NAMED_LISTS and isinstance(v, list):
                name_key, value_key = _NAMED_LISTS[k]
                v = [
                    {**item, value_key: fn(k, str(item.get(name_key, "")), item[value_key])}
                    if isinstance(item, Mapping) and isinstance(item.get(value_key), str)
                    else item
                    for item in v
                ]
            elif k == _CREDENTIALS and isinstance(v, Mapping):
                param = v.get("credentialsParameter")
                if isinstance(param, str):
                    v = {**v, "credentialsParameter": fn(k, "credentialsParameter", param)}
            out[k] = _rewrite(v, fn)
        return out
    if isinstance(obj, list):
        return [_rewrite(v, fn) for v in obj]
    return obj


class KnownValues:
    """What a cached entry may be filled back from: this run's desired values.

    The digests need the state's key; it is read only when an entry is stored or filled
    back (``peek`` says whether the state has one yet: without a key there are no usable
    entries, and no key is created just to look)."""

    def __init__(
        self,
        desired: Iterable[Any] = (),
        sensitive: Iterable[str] = (),
        key: bytes | LazyKey = b"",
        peek: Callable[[], bool] = lambda: True,
    ) -> None:
        self.docs = [to_data(d) for d in desired]
        self.marked = frozenset(sensitive)
        self.secrets = Secrets.of(self.docs, self.marked, key)
        self.restorable = restore_values(self.docs, self.marked)
        self.peek = peek
        self._by_digest: dict[str, str] | None = None

    @classmethod
    def of(
        cls, desired: Iterable[Any], sensitive: Iterable[str] = (), key: bytes = b""
    ) -> KnownValues:
        """From desired task definitions (or any data holding them, such as a plan)."""
        return cls(desired, sensitive, key)

    @property
    def by_digest(self) -> dict[str, str]:
        if self._by_digest is None:
            key = self.secrets.key
            found: dict[str, str] = {}

            def collect(member: str, name: str, value: str) -> str:
                found[_digest(key, member, name, value)] = value
                return value

            for doc in self.docs:
                _rewrite(doc, collect)
            self._by_digest = found
        return self._by_digest


def hide(content: Mapping[str, Any], known: KnownValues) -> dict[str, Any]:
    """The copy of ``content`` that may be written to the state."""
    key = known.secrets.key
    hidden = _rewrite(content, lambda m, n, v: f"(cached:{_digest(key, m, n, v)})")
    return dict(known.secrets.mask(hidden))


def restore(content: Mapping[str, Any], known: KnownValues) -> dict[str, Any] | None:
    """The exact content again, or None when a hidden value is not one of ``known``."""
    if not known.peek():
        return None  # no key in the state yet: no entry can be filled back
    missing = False

    def fill(member: str, name: str, value: str) -> str:
        nonlocal missing
        m = PLACEHOLDER_RE.fullmatch(value)
        if m is None:
            return value
        if m[1] not in known.by_digest:
            missing = True
            return value
        return known.by_digest[m[1]]

    filled = _rewrite(content, fill)
    if missing:
        return None
    try:
        return dict(known.secrets.unmask(filled, known.restorable))
    except EcsplanError:  # a marked secret changed since the entry was written
        return None
