"""Shared pytest setup: repo paths and a CLI runner that goes through `planner.cli.main.main`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["ecsplan_sandbox.pytest_plugin"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# Tests never reach a real AWS account: dummy credentials, a fixed region.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture
def examples() -> Path:
    return EXAMPLES
