"""KeyStore: the state's secret key, created on first use, one key for every user."""

from __future__ import annotations

import threading

from state_impls import StateUnderTest

from planner.state.backend import StateBackend
from planner.state.secret_key import SECRET_KEY_BYTES, lazy_secret_key


def test_created_on_first_use_then_always_the_same(
    state: StateUnderTest, backend: StateBackend
) -> None:
    assert backend.secret_key(create=False) is None
    key = backend.secret_key()
    assert key is not None and len(key) == SECRET_KEY_BYTES == 32
    assert backend.secret_key() == key
    assert backend.secret_key(create=False) == key
    assert state.reopen().secret_key(create=False) == key
    assert state.reopen().secret_key() == key


def test_two_first_users_agree_on_one_key(state: StateUnderTest) -> None:
    n = 4
    barrier = threading.Barrier(n)
    keys: list[bytes | None] = []

    def first_use() -> None:
        mine = state.reopen()
        barrier.wait()
        keys.append(mine.secret_key())

    threads = [threading.Thread(target=first_use) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == n and len(set(keys)) == 1
    assert state.backend.secret_key(create=False) == keys[0]


def test_the_lazy_key_is_made_only_when_a_placeholder_needs_it(backend: StateBackend) -> None:
    lazy = lazy_secret_key(backend)
    assert backend.secret_key(create=False) is None  # a plan without secrets writes nothing
    key = lazy()
    assert key == backend.secret_key(create=False) and len(key) == 32
    assert lazy() == key
