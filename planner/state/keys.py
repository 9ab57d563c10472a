"""Safe names for state paths and object keys.

Service keys contain "/" ("my-cluster/web") and come from user configs; run ids come from
files. Both become one path segment that cannot climb out of the state location.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

_RUN_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,127}")


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
