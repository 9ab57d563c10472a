"""CacheStore: whole entries under names of one shape, replaced whole, apart from services."""

from __future__ import annotations

import pytest
from state_impls import StateUnderTest

from planner.state.backend import StateBackend

NAME = "task-definitions/arn%3Aaws%3Aecs%3Aap-northeast-1%3A123%3Atask-definition%2Fweb%3A7.json"


def test_put_get_and_replace(state: StateUnderTest, backend: StateBackend) -> None:
    assert backend.cache_get(NAME) is None
    backend.cache_put(NAME, b'{"v": 1}')
    assert backend.cache_get(NAME) == b'{"v": 1}'
    assert state.reopen().cache_get(NAME) == b'{"v": 1}'
    backend.cache_put(NAME, b'{"v": 1}')  # a racing writer of the same content
    assert backend.cache_get(NAME) == b'{"v": 1}'
    backend.cache_put(NAME, b"{damaged")  # then a torn entry, say
    state.reopen().cache_put(NAME, b'{"v": 2}')  # replaced by the next fresh read
    assert backend.cache_get(NAME) == b'{"v": 2}'
    assert backend.cache_get("task-definitions/other.json") is None


def test_entries_are_not_services_nor_runs(backend: StateBackend) -> None:
    backend.cache_put(NAME, b"{}")
    assert backend.services() == []
    assert backend.run_record_ids() == []
    assert backend.locks() == []


@pytest.mark.parametrize("bad", ["", "kind", "kind/", "/file", "a/b/c", ".x/y", "a/.y", "../x"])
def test_names_of_another_shape_are_refused(backend: StateBackend, bad: str) -> None:
    """``<kind>/<file>`` only: no name reaches outside the cache."""
    with pytest.raises(ValueError, match="invalid cache entry name"):
        backend.cache_put(bad, b"{}")
    with pytest.raises(ValueError, match="invalid cache entry name"):
        backend.cache_get(bad)
