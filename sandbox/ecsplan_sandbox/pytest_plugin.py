"""pytest fixtures: one sandbox per test session (per xdist worker), reset before each test.

`sandbox_server` is the session's Sandbox (tick 0.02 s, so rollouts finish in well under a
second); `sandbox` resets it, resumes its clock and puts its endpoint and dummy credentials in
the environment (AWS_ENDPOINT_URL, AWS_REGION=ap-northeast-1, ...).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ecsplan_sandbox.server import Sandbox

TEST_TICK = 0.02


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Sandbox]:
    sb = Sandbox(port=0, tick=TEST_TICK).start()
    yield sb
    sb.stop()


@pytest.fixture
def sandbox(sandbox_server: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """A clean sandbox whose endpoint is in the environment (AWS_ENDPOINT_URL etc.)."""
    sandbox_server.reset()
    sandbox_server.tick = TEST_TICK
    sandbox_server.resume()
    for k, v in sandbox_server.env().items():
        monkeypatch.setenv(k, v)
    return sandbox_server
