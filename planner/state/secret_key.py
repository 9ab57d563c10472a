"""The state's secret key: the HMAC key of the secret placeholders (planner/plan/secrets.py).

Every backend stores it as one object (``.secret-key``) created on first use; this module
holds what they share and the lazy handle the planners get. Imports no backend.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from planner.plan.secrets import LazyKey

if TYPE_CHECKING:
    from planner.state.backend import KeyStore

SECRET_KEY_BYTES = 32


def new_secret_key() -> bytes:
    """A fresh key: 32 random bytes (HMAC-SHA256's block of security, never printed)."""
    return os.urandom(SECRET_KEY_BYTES)


def lazy_secret_key(store: KeyStore) -> LazyKey:
    """The store's secret key, read (or created) only when a placeholder needs it."""

    def load() -> bytes:
        key = store.secret_key()
        assert key is not None  # created when missing
        return key

    return LazyKey(load)
