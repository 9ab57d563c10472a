"""Service keys and run ids as path segments: reversible, one segment, never `.` or `..`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.state.paths import (
    check_run_id,
    decode_service_key,
    encode_service_key,
    is_encoded_service_key,
)


@given(st.text(min_size=1))
def test_any_service_key_is_one_safe_reversible_segment(key: str) -> None:
    segment = encode_service_key(key)
    assert "/" not in segment and "\\" not in segment and "\x00" not in segment
    assert segment not in (".", "..") and not segment.startswith(".")
    assert decode_service_key(segment) == key
    assert is_encoded_service_key(segment)


def test_readable_for_ecs_names() -> None:
    assert encode_service_key("my-cluster/web_1") == "my-cluster%2Fweb_1"
    assert not is_encoded_service_key("README.md")
    assert not is_encoded_service_key(".guard")
    with pytest.raises(ValueError):
        encode_service_key("")


@pytest.mark.parametrize("bad", ["", "..", "../x", "a/b", ".hidden", "a b", "x" * 129])
def test_unsafe_run_ids_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid run id"):
        check_run_id(bad)
