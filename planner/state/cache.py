"""Task definition content cached in the state location, so a repeat plan skips
DescribeTaskDefinition for revisions it has already read.

A registered revision never changes: its ARN (``family:revision``) names one content for good.
So an entry is keyed by the full ARN, revision included, and a revision the cache has not
seen is always read from AWS. What is cached is the describe body without the members that
do change (``status``, ``deregisteredAt``, ``deleteRequestedAt``) and without tags: tags can
be added or removed on a registered revision (TagResource), and the planner compares them, so
they are read fresh on every plan (planner/aws/reads.py reads them 100 ARNs per call).

The describe body is kept, not its canonical form: canonicalisation is code and may change
between versions, the content does not. Secret-bearing members (environment values,
``secrets``, ``secretOptions``, repository credentials) are stored as digests and filled
back from this run's desired task definitions (planner/state/cache_secrets.py): the state
never holds a secret, and an entry whose hidden values the config no longer has is simply
not used. Every entry carries the sha256 of its content and
its ARN; an entry that does not parse, names another ARN or fails its digest (a torn write,
a hand edit, disk damage) is ignored with a warning and the revision read from AWS again
(the fresh read then replaces the entry). Reading or writing the cache never fails a plan.

Layout: ``<state>/.cache/task-definitions/<ARN, percent-encoded>.json`` (local), the same
under the S3 prefix. See docs/state.md.
"""

from __future__ import annotations

import hashlib
import json
import threading
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from planner.errors import EcsplanError
from planner.state.backend import CacheStore, KeyStore
from planner.state.cache_secrets import KnownValues, hide, restore
from planner.state.errors import StateWarning
from planner.state.paths import encode_service_key
from planner.state.secret_key import lazy_secret_key

KIND = "task-definitions"
ENTRY_FORMAT = 3  # 3: digests keyed by the state's secret key (2: unkeyed; 1: values as read)
# Members of a describe body that change after registration: never cached.
MUTABLE = ("status", "deregisteredAt", "deleteRequestedAt")


class CacheBackend(CacheStore, KeyStore, Protocol):
    """What the cache needs of a backend: its entries, and the key that hides their secrets."""


def content_digest(content: Mapping[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def immutable_content(body: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a DescribeTaskDefinition ``taskDefinition`` that never changes."""
    return {k: v for k, v in body.items() if k not in MUTABLE}


def is_revision_arn(ref: str) -> bool:
    """A full task definition ARN with its revision (``...:task-definition/web:12``): the
    only key the cache answers for (``web``, ``web:12`` or a family ARN may mean another
    revision tomorrow, or in another account)."""
    if not ref.startswith("arn:") or ":task-definition/" not in ref:
        return False
    rev = ref.rsplit(":", 1)[-1]
    return rev.isdigit()


class TaskDefinitionCache:
    """Verified get / best-effort put of task definition content in a state backend."""

    def __init__(self, backend: CacheBackend, known: KnownValues | None = None) -> None:
        self.backend = backend
        self.known = known or KnownValues()
        self._writable = True  # after a failed write (read-only state in a PR job?) stop trying
        self._lock = threading.Lock()

    def bind(self, desired: Iterable[Any], sensitive: Iterable[str] = ()) -> TaskDefinitionCache:
        """This cache, filling hidden values from ``desired`` (the task definitions, or a plan,
        of the run at hand) and the values its templates marked ``sensitive``."""
        backend = self.backend
        known = KnownValues(
            desired,
            sensitive,
            lazy_secret_key(backend),
            peek=lambda: backend.secret_key(create=False) is not None,
        )
        return TaskDefinitionCache(backend, known)

    @staticmethod
    def _name(arn: str) -> str:
        return f"{KIND}/{encode_service_key(arn)}.json"

    def get(self, arn: str) -> dict[str, Any] | None:
        """The cached content of exactly this revision, or None (not cached, or unusable)."""
        if not is_revision_arn(arn):
            return None
        try:
            raw = self.backend.cache_get(self._name(arn))
        except (OSError, EcsplanError, ValueError) as e:
            self._warn(arn, f"cannot read it: {e}")
            return None
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
            content = entry["content"]
            problem = None
            if entry.get("format") in (1, 2):
                return None  # written by an earlier version (values as read, or unkeyed)
            if entry.get("format") != ENTRY_FORMAT:
                problem = f"unknown format {entry.get('format')!r}"
            elif entry.get("arn") != arn or content.get("taskDefinitionArn") != arn:
                problem = "it is for another revision"
            elif entry.get("digest") != content_digest(content):
                problem = "its content does not match its digest"
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            problem = f"not a cache entry ({type(e).__name__})"
        if problem:
            self._warn(arn, problem)
            return None
        # None: a hidden value is not what this run wants (a changed environment value, a
        # rotated secret): described again, which shows the real values in the diff
        return restore(content, self.known)

    def put(self, arn: str, body: Mapping[str, Any]) -> None:
        """Remember a revision read from AWS; a failure to write is a warning, not an error."""
        if not self._writable or not is_revision_arn(arn) or body.get("taskDefinitionArn") != arn:
            return
        # JSON-shaped first (datetimes as text), so the digest is the one a reader computes
        content = hide(json.loads(json.dumps(immutable_content(body), default=str)), self.known)
        entry = {"format": ENTRY_FORMAT, "arn": arn, "digest": content_digest(content)}
        data = json.dumps({**entry, "content": content}).encode()
        try:
            self.backend.cache_put(self._name(arn), data)
        except (OSError, EcsplanError, ValueError) as e:
            with self._lock:
                first, self._writable = self._writable, False
            if not first:
                return
            warnings.warn(
                f"task definition cache: could not store {arn} ({e}); not caching more in this run",
                StateWarning,
                stacklevel=2,
            )

    @staticmethod
    def _warn(arn: str, why: str) -> None:
        warnings.warn(
            f"task definition cache entry for {arn} ignored ({why}); read from AWS instead",
            StateWarning,
            stacklevel=3,
        )


def task_definition_cache(backend: CacheBackend | None) -> TaskDefinitionCache | None:
    """The cache of a backend (None without one)."""
    return None if backend is None else TaskDefinitionCache(backend)
