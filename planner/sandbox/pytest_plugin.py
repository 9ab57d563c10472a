"""pytest fixtures: one sandbox per test session, reset before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from planner.sandbox.server import Sandbox


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Sandbox]:
    sb = Sandbox(port=0, tick=0.02).start()
    yield sb
    sb.stop()


@pytest.fixture
def sandbox(sandbox_server: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """A clean sandbox whose endpoint is in the environment (AWS_ENDPOINT_URL etc.)."""
    sandbox_server.reset()
    for k, v in sandbox_server.env().items():
        monkeypatch.setenv(k, v)
    return sandbox_server
