"""RunStore: a run's record is written once, read back whole, listed oldest first."""

from __future__ import annotations

import pytest
from state_impls import StateUnderTest

from planner.state import JournalConflict
from planner.state.backend import StateBackend

OLDER = "20260101T000000000Z-aaaaaa"
NEWER = "20260102T000000000Z-bbbbbb"


def test_written_once_read_back_listed_oldest_first(
    state: StateUnderTest, backend: StateBackend
) -> None:
    assert backend.run_record_ids() == []
    assert backend.run_record(NEWER) is None
    backend.put_run_record(NEWER, b'{"run": "newer"}\n')
    backend.put_run_record(OLDER, b'{"run": "older"}\n')
    assert backend.run_record(NEWER) == b'{"run": "newer"}\n'
    assert state.reopen().run_record(OLDER) == b'{"run": "older"}\n'
    assert backend.run_record_ids() == [OLDER, NEWER]
    with pytest.raises(JournalConflict, match=f"run {NEWER} already has a record"):
        state.reopen().put_run_record(NEWER, b'{"run": "impostor"}\n')
    assert backend.run_record(NEWER) == b'{"run": "newer"}\n'  # the first one stands


def test_records_are_not_services(backend: StateBackend) -> None:
    backend.put_run_record(OLDER, b"{}")
    assert backend.services() == [] and backend.runs("my-cluster/web") == []


@pytest.mark.parametrize("bad", ["", "..", "../x", "a/b", ".hidden"])
def test_unsafe_run_ids_are_refused(backend: StateBackend, bad: str) -> None:
    with pytest.raises(ValueError, match="invalid run id"):
        backend.put_run_record(bad, b"{}")
    with pytest.raises(ValueError, match="invalid run id"):
        backend.run_record(bad)
