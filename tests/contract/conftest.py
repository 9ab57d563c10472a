"""The state backends under one contract: each test here runs against every implementation
(see state_impls.py): a local directory, S3 on the sandbox (``integration``) and memory."""

from __future__ import annotations

from pathlib import Path

import pytest
from state_impls import StateUnderTest, local_state, memory_state, s3_state

from planner.state.backend import StateBackend


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.integration), "memory"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> StateUnderTest:
    if request.param == "local":
        return local_state(tmp_path)
    if request.param == "s3":
        return s3_state(request)
    return memory_state()


@pytest.fixture
def backend(state: StateUnderTest) -> StateBackend:
    return state.backend
