"""Fixtures shared by the integration tests that talk to GitHub (a fake, fake_github.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_github import FakeGitHub, serve


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """A fake GitHub REST API on 127.0.0.1 (GITHUB_API_URL=github.url), one per test."""
    yield from serve()
