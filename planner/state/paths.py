"""Names inside a state location: safe segments and where each kind of object lives.

Service keys contain "/" ("my-cluster/web") and come from user configs; run ids come from
files. Both become one path segment that cannot climb out of the state location. The names
here are relative and shared by every backend (a directory, an S3 prefix, memory), so the
layouts of docs/state.md are spelled in one place. Pure: no I/O, no backend imports.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

_RUN_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,127}")

CACHE_DIR = ".cache"  # never a percent-encoded service key ("." is always encoded there)
RUN_RECORDS_DIR = ".runs"  # one object per run: its whole plan, written at its start
SECRET_KEY_NAME = ".secret-key"  # the HMAC key of secret placeholders; never printed
LOCK_NAME = "lock.json"  # per service: present while a run holds its lock
RUNS_DIR = "runs"  # per service: the journals of its runs


def encode_service_key(service_key: str) -> str:
    """One segment: percent-encoding of everything but letters, digits, "-" and "_"
    ("." too, so "." and ".." can never appear)."""
    if not service_key:
        raise ValueError("service key is empty")
    return quote(service_key, safe="").replace(".", "%2E").replace("~", "%7E")


def decode_service_key(segment: str) -> str:
    return unquote(segment)


def check_run_id(run_id: str) -> str:
    """The run id, if it is safe as a file name / key segment; else ValueError."""
    if not _RUN_ID.fullmatch(run_id):
        raise ValueError(f"invalid run id {run_id!r} (letters, digits, '-' and '_' only)")
    return run_id


def is_encoded_service_key(segment: str) -> bool:
    """Whether a directory/prefix name is one we wrote (skips README.md and the like)."""
    try:
        return encode_service_key(decode_service_key(segment)) == segment
    except ValueError:
        return False


def run_record_path(run_id: str) -> str:
    """``.runs/<run id>.json``, relative to the state location."""
    return f"{RUN_RECORDS_DIR}/{check_run_id(run_id)}.json"


def cache_entry_path(name: str) -> str:
    """``<kind>/<file>`` of a cache entry, relative to the state location: ``.cache/...``.
    Refuses any other shape, so that no name can reach outside the cache."""
    kind, _, file = name.partition("/")
    if not kind or not file or "/" in file or file.startswith(".") or kind.startswith("."):
        raise ValueError(f"invalid cache entry name {name!r}")
    return f"{CACHE_DIR}/{kind}/{file}"


def lock_path(service_key: str) -> str:
    """``<service key, encoded>/lock.json``, relative to the state location."""
    return f"{encode_service_key(service_key)}/{LOCK_NAME}"


def runs_path(service_key: str) -> str:
    """``<service key, encoded>/runs``: where the service's journals live (one per run)."""
    return f"{encode_service_key(service_key)}/{RUNS_DIR}"
