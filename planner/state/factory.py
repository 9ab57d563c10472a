"""Picking a state backend from a ``--state`` location (the only module importing them all).

Backends import the shared helpers (locking.py, paths.py, secret_key.py), never this module
nor each other, so the state package has no import cycle. Backends are imported when chosen:
a local state never loads boto3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.aws.clients import AwsContext
    from planner.state.backend import StateBackend

DEFAULT_LOCATION = "./state"
MEMORY_SCHEME = "memory://"


def open_backend(location: str, aws: AwsContext | None = None) -> StateBackend:
    """``s3://bucket[/prefix]`` -> S3Backend; ``memory://[name]`` -> MemoryBackend (this
    process only: tests and library use; one shared state per name, a new one when unnamed);
    anything else is a local directory."""
    if location.startswith("s3://"):
        from planner.state.s3 import S3Backend

        return S3Backend.from_url(location, aws)
    if location.startswith(MEMORY_SCHEME):
        from planner.state.memory import MemoryBackend

        return MemoryBackend.named(location[len(MEMORY_SCHEME) :])
    from planner.state.local import LocalBackend

    return LocalBackend(location)
