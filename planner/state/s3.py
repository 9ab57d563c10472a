"""State on S3 with conditional writes: no DynamoDB table, no read-modify-write races.

Layout (see docs/state.md)::

    s3://bucket/prefix/<service key, percent-encoded>/lock.json
    s3://bucket/prefix/<service key, percent-encoded>/runs/<run id>/<seq:08d>.json

The lock is created with If-None-Match: * (exactly one creator wins) and deleted with
If-Match on the ETag its creator got back, so a run never removes a lock it does not hold.
Each journal entry is its own object created with If-None-Match: *: a write is all or
nothing, and two writers using the same seq cannot both succeed.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from planner.aws.clients import AwsContext
from planner.aws.s3_objects import ConditionFailed, S3Objects
from planner.state.errors import JournalConflict, LockHeld, LockLost, StateError, StateWarning
from planner.state.locking import (
    dead_holder_warning,
    holder_is_dead,
    lock_lost,
    new_lock_info,
    unknown_lock,
)
from planner.state.model import JournalEntry, LockInfo, RunSummary, newest_first, summarize_run
from planner.state.paths import (
    RUN_RECORDS_DIR,
    SECRET_KEY_NAME,
    cache_entry_path,
    check_run_id,
    decode_service_key,
    is_encoded_service_key,
    lock_path,
    run_record_path,
    runs_path,
)
from planner.state.secret_key import SECRET_KEY_BYTES, new_secret_key

_ENTRY_NAME = re.compile(r"(\d{8,})\.json")
_PARALLEL_READS = 8

T = TypeVar("T")
R = TypeVar("R")


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix/`` -> ("bucket", "some/prefix")."""
    if not url.startswith("s3://"):
        raise StateError(f"not an S3 location: {url!r} (expected s3://bucket/prefix)")
    bucket, _, prefix = url[len("s3://") :].partition("/")
    if not bucket:
        raise StateError(f"no bucket in state location {url!r} (expected s3://bucket/prefix)")
    return bucket, prefix.strip("/")


class S3Backend:
    """Locks and journals under one S3 prefix, shared by CI jobs and people alike."""

    def __init__(self, objects: S3Objects, prefix: str = "") -> None:
        self.objects = objects
        self.prefix = prefix.strip("/")
        self._etags: dict[str, str] = {}  # lock id -> ETag of the lock object we created
        self._secret: bytes | None = None

    @classmethod
    def from_url(cls, url: str, aws: AwsContext | None = None) -> S3Backend:
        bucket, prefix = parse_s3_url(url)
        return cls(S3Objects(aws or AwsContext(), bucket), prefix)

    def __repr__(self) -> str:
        return f"S3Backend({self.objects.url(self.prefix)!r})"

    # -- keys ------------------------------------------------------------------------------

    @property
    def _base(self) -> str:
        return f"{self.prefix}/" if self.prefix else ""

    def _lock_key(self, service_key: str) -> str:
        return self._base + lock_path(service_key)

    def _runs_prefix(self, service_key: str) -> str:
        return f"{self._base}{runs_path(service_key)}/"

    def _entry_key(self, service_key: str, run_id: str, seq: int) -> str:
        return f"{self._runs_prefix(service_key)}{check_run_id(run_id)}/{seq:08d}.json"

    def _parallel(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        items = list(items)
        if len(items) <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=min(_PARALLEL_READS, len(items))) as pool:
            return list(pool.map(fn, items))

    # -- locks -----------------------------------------------------------------------------

    def _read_lock(self, service_key: str) -> tuple[LockInfo, str] | None:
        obj = self.objects.get(self._lock_key(service_key))
        if obj is None:
            return None
        try:
            return LockInfo.from_json(obj.body), obj.etag
        except (ValueError, KeyError, TypeError) as e:
            raise StateError(f"{self.objects.url(obj.key)}: unreadable lock object: {e}") from e

    def lock(self, service_key: str, *, operation: str, run_id: str) -> LockInfo:
        key = self._lock_key(service_key)
        info = new_lock_info(service_key, operation, run_id, self.objects.url(key))
        for _ in range(3):
            try:
                etag = self.objects.put_if_absent(key, info.to_json().encode())
            except ConditionFailed:
                held = self._read_lock(service_key)
                if held is None:  # released between our write and read: try again
                    continue
                if holder_is_dead(held[0]):
                    warnings.warn(dead_holder_warning(held[0]), StateWarning, stacklevel=2)
                    # someone else may take it over first; the next round will see
                    with contextlib.suppress(ConditionFailed):
                        self.objects.delete_if_match(key, held[1])
                    continue
                raise LockHeld(held[0]) from None
            self._etags[info.id] = etag
            return info
        raise StateError(f"could not take the lock {self.objects.url(key)}; retry")

    def unlock(self, info: LockInfo) -> None:
        key = self._lock_key(info.service_key)
        etag = self._etags.get(info.id)
        if etag is None:  # locked by another backend object (another process): check the id
            held = self._read_lock(info.service_key)
            if held is not None and held[0].id == info.id:
                etag = held[1]
        if etag is not None:
            try:
                self.objects.delete_if_match(key, etag)
                self._etags.pop(info.id, None)
                return
            except ConditionFailed:
                pass
        held = self._read_lock(info.service_key)
        raise lock_lost(info, None if held is None else held[0])

    def force_unlock(self, lock_id: str) -> LockInfo:
        for service_key in self.services():
            held = self._read_lock(service_key)
            if held is None or held[0].id != lock_id:
                continue
            try:
                self.objects.delete_if_match(self._lock_key(service_key), held[1])
            except ConditionFailed:
                raise LockLost(
                    f"lock {lock_id} on {service_key} changed while being released; "
                    "check `ecsplan state list` and retry"
                ) from None
            return held[0]
        raise unknown_lock(lock_id, self.objects.url(self._base), self.locks())

    def locks(self) -> list[LockInfo]:
        found = self._parallel(self._read_lock, self.services())
        return [h[0] for h in found if h is not None]

    # -- journal ---------------------------------------------------------------------------

    def append(self, service_key: str, entry: JournalEntry) -> None:
        key = self._entry_key(service_key, entry.run_id, entry.seq)
        try:
            self.objects.put_if_absent(key, (entry.to_json() + "\n").encode())
        except ConditionFailed:
            raise JournalConflict(
                f"journal entry {entry.seq} of run {entry.run_id} ({service_key}) already "
                f"exists at {self.objects.url(key)}; refusing to overwrite it (two writers on "
                "one run?)"
            ) from None

    def _read_entry(self, key: str) -> JournalEntry:
        obj = self.objects.get(key)
        if obj is None:
            raise StateError(f"journal entry {self.objects.url(key)} vanished while reading")
        try:
            return JournalEntry.from_json(obj.body)
        except (ValueError, KeyError, TypeError) as e:
            raise StateError(f"{self.objects.url(key)}: unreadable journal entry: {e}") from e

    def _entry_keys(self, service_key: str) -> dict[str, list[str]]:
        """Run id -> its entry keys in seq order."""
        runs_prefix = self._runs_prefix(service_key)
        by_run: dict[str, list[str]] = defaultdict(list)
        for key in self.objects.list_keys(runs_prefix):
            run_id, _, name = key[len(runs_prefix) :].partition("/")
            if _ENTRY_NAME.fullmatch(name):
                by_run[run_id].append(key)
        for keys in by_run.values():
            keys.sort()
        return by_run

    def entries(self, service_key: str, run_id: str) -> list[JournalEntry]:
        prefix = f"{self._runs_prefix(service_key)}{check_run_id(run_id)}/"
        keys = sorted(
            k for k in self.objects.list_keys(prefix) if _ENTRY_NAME.fullmatch(k[len(prefix) :])
        )
        out = self._parallel(self._read_entry, keys)
        out.sort(key=lambda e: e.seq)
        return out

    def runs(self, service_key: str) -> list[RunSummary]:
        """Reads each run's first entry and its tail back to the last step or run_end,
        not whole journals."""
        by_run = self._entry_keys(service_key)

        def summary(keys: list[str]) -> RunSummary:
            first = self._read_entry(keys[0])
            tail: list[JournalEntry] = []
            for key in reversed(keys[1:]):
                e = self._read_entry(key)
                tail.append(e)
                if e.event != "note":
                    break
            return summarize_run(service_key, [first, *reversed(tail)])

        return newest_first(self._parallel(summary, [keys for keys in by_run.values() if keys]))

    # -- cache ------------------------------------------------------------------------------

    def _cache_key(self, name: str) -> str:
        return self._base + cache_entry_path(name)

    def cache_get(self, name: str) -> bytes | None:
        obj = self.objects.get(self._cache_key(name))
        return None if obj is None else obj.body

    def cache_put(self, name: str, data: bytes) -> None:
        """Created with If-None-Match (entries are immutable: a racing writer wrote the same);
        an existing different entry (a corrupt one) is replaced with If-Match on its ETag."""
        key = self._cache_key(name)
        try:
            self.objects.put_if_absent(key, data)
            return
        except ConditionFailed:
            pass
        current = self.objects.get(key)
        if current is None or current.body == data:
            return
        # replaced meanwhile by another writer: theirs is checked on read like ours
        with contextlib.suppress(ConditionFailed):
            self.objects.put_if_match(key, data, current.etag)

    # -- run records and the secret key ----------------------------------------------------

    def put_run_record(self, run_id: str, data: bytes) -> None:
        key = self._base + run_record_path(run_id)
        try:
            self.objects.put_if_absent(key, data)
        except ConditionFailed:
            raise JournalConflict(
                f"run {run_id} already has a record at {self.objects.url(key)}"
            ) from None

    def run_record(self, run_id: str) -> bytes | None:
        obj = self.objects.get(self._base + run_record_path(run_id))
        return None if obj is None else obj.body

    def run_record_ids(self) -> list[str]:
        prefix = f"{self._base}{RUN_RECORDS_DIR}/"
        names = (k[len(prefix) :] for k in self.objects.list_keys(prefix))
        return sorted(n[: -len(".json")] for n in names if n.endswith(".json") and "/" not in n)

    def secret_key(self, create: bool = True) -> bytes | None:
        """Created with If-None-Match: of two first users, both end up with the winner's.
        Read once per backend object."""
        if self._secret is not None:
            return self._secret
        key = self._base + SECRET_KEY_NAME
        obj = self.objects.get(key)
        if obj is None and not create:
            return None
        if obj is None:
            with contextlib.suppress(ConditionFailed):
                self.objects.put_if_absent(key, new_secret_key(), "application/octet-stream")
            obj = self.objects.get(key)
        if obj is None or len(obj.body) != SECRET_KEY_BYTES:
            raise StateError(
                f"{self.objects.url(key)}: missing or damaged secret key; remove it to start "
                "a new one (plan files saved before then must be planned again)"
            )
        self._secret = obj.body
        return obj.body

    def services(self) -> list[str]:
        out = []
        for p in self.objects.list_prefixes(self._base):
            name = p[len(self._base) :].rstrip("/")
            if is_encoded_service_key(name):
                out.append(decode_service_key(name))
        return sorted(out)
