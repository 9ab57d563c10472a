"""Every backend implements every protocol member, with the protocol's parameters, and the
composed StateBackend is exactly the union of the five concerns."""

from __future__ import annotations

import inspect

import pytest

from planner.state.backend import (
    CacheStore,
    JournalStore,
    KeyStore,
    LockStore,
    RunStore,
    StateBackend,
)
from planner.state.local import LocalBackend
from planner.state.memory import MemoryBackend
from planner.state.s3 import S3Backend

PROTOCOLS = (LockStore, JournalStore, CacheStore, RunStore, KeyStore)


def members(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(fn)
        for name, fn in vars(protocol).items()
        if inspect.isfunction(fn) and not name.startswith("_")
    }


def shape(sig: inspect.Signature) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


def test_state_backend_is_the_union_of_the_concerns() -> None:
    union: dict[str, inspect.Signature] = {}
    for protocol in PROTOCOLS:
        assert not union.keys() & members(protocol).keys(), "each member has one concern"
        union |= members(protocol)
    assert set(StateBackend.__mro__) >= set(PROTOCOLS)
    assert {n for n in dir(StateBackend) if not n.startswith("_")} == set(union)


@pytest.mark.parametrize("cls", [LocalBackend, S3Backend, MemoryBackend])
@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
def test_every_backend_implements_the_protocol(cls: type, protocol: type) -> None:
    for name, sig in members(protocol).items():
        impl = getattr(cls, name, None)
        assert callable(impl), f"{cls.__name__} lacks {protocol.__name__}.{name}"
        assert shape(inspect.signature(impl)) == shape(sig), f"{cls.__name__}.{name}"
