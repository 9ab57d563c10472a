"""The state backends under test, for the contract suite (fixtures in conftest.py).

``state`` is parametrized over the local directory (tmp_path), S3 on the sandbox (real HTTP,
marked ``integration`` like every sandbox test) and memory. ``state.reopen()`` is another
backend object on the same state, as another process would open it (memory has no other
process: its named state is shared within this one). ``state.location`` is what
``open_backend`` (and ``--state``) take, None where another process cannot reach it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from planner.aws.clients import AwsContext
from planner.state.backend import StateBackend
from planner.state.factory import open_backend

SERVICE = "my-cluster/web"
BUCKET = "ecsplan-state"
S3_URL = f"s3://{BUCKET}/teams/web"


@dataclass
class StateUnderTest:
    kind: str  # "local" | "s3" | "memory"
    backend: StateBackend
    where: str  # how lock info and messages name the location (lock paths start with it)
    location: str | None  # for open_backend in another process; None: this process only
    reopen: Callable[[], StateBackend]


def local_state(tmp_path: Path) -> StateUnderTest:
    root = tmp_path / "state"
    where = str(root.resolve())
    return StateUnderTest("local", open_backend(where), where, where, lambda: open_backend(where))


def s3_state(request: pytest.FixtureRequest) -> StateUnderTest:
    request.getfixturevalue("sandbox")  # started (and reset) only for this parametrization
    aws = AwsContext(max_attempts=2)
    aws.client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )

    def reopen() -> StateBackend:
        return open_backend(S3_URL, AwsContext(max_attempts=2))

    return StateUnderTest("s3", reopen(), S3_URL, S3_URL, reopen)


def memory_state() -> StateUnderTest:
    where = f"memory://contract-{uuid.uuid4().hex}"
    return StateUnderTest("memory", open_backend(where), where, None, lambda: open_backend(where))
