"""Shared sandbox state outside moto: call counters, fault settings and the big state lock.

The lock serialises moto request handling and progression ticks, so a tick never sees a
half-applied API call (moto's backends are plain Python objects without locking).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

WRITE_PREFIXES: tuple[str, ...] = (
    "Create",
    "Update",
    "Register",
    "Deregister",
    "Delete",
    "Put",
    "Start",
    "Stop",
    "Run",
    "Tag",
    "Untag",
    "Submit",
    "Set",
    "Suspend",
    "Resume",
    "Continue",
)

FaultKind = Literal["throttle", "error"]


def is_write(operation_key: str) -> bool:
    """True for "service:Operation" keys whose operation changes state."""
    return operation_key.partition(":")[2].startswith(WRITE_PREFIXES)


@dataclass(frozen=True)
class Faults:
    """Fault injection settings; all zero means faults are off."""

    throttle_rate: float = 0.0
    error_rate: float = 0.0
    latency_ms: int = 0
    operations: frozenset[str] | None = None
    seed: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        unknown = set(data) - {"throttle_rate", "error_rate", "latency_ms", "operations", "seed"}
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        throttle = float(data.get("throttle_rate") or 0)
        error = float(data.get("error_rate") or 0)
        if not (0 <= throttle <= 1 and 0 <= error <= 1 and throttle + error <= 1):
            raise ValueError("throttle_rate and error_rate must be within 0..1 and sum to <= 1")
        ops = data.get("operations")
        seed = data.get("seed")
        return cls(
            throttle_rate=throttle,
            error_rate=error,
            latency_ms=max(0, int(data.get("latency_ms") or 0)),
            operations=frozenset(ops) if ops else None,
            seed=int(seed) if seed is not None else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "throttle_rate": self.throttle_rate,
            "error_rate": self.error_rate,
            "latency_ms": self.latency_ms,
            "operations": sorted(self.operations) if self.operations is not None else None,
            "seed": self.seed,
        }

    def matches(self, operation_key: str) -> bool:
        return self.operations is None or operation_key in self.operations


@dataclass
class Control:
    """Mutable sandbox-wide state; every method is thread-safe."""

    state_lock: threading.RLock = field(default_factory=threading.RLock)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _requests: Counter[str] = field(default_factory=Counter)
    _faults_injected: Counter[str] = field(default_factory=Counter)
    _faults: Faults = field(default_factory=Faults)
    _rng: random.Random = field(default_factory=random.Random)

    def count(self, operation_key: str) -> None:
        with self._lock:
            self._requests[operation_key] += 1

    def stats(self) -> dict[str, Any]:
        with self._lock:
            requests = dict(sorted(self._requests.items()))
            faults = dict(sorted(self._faults_injected.items()))
        writes = {k: v for k, v in requests.items() if is_write(k)}
        return {
            "requests": requests,
            "total": sum(requests.values()),
            "writes": sum(writes.values()),
            "write_calls": writes,
            "faults_injected": faults,
            "faults": self._faults.to_dict(),
        }

    def reset(self) -> None:
        """Forget counters and turn faults off."""
        with self._lock:
            self._requests.clear()
            self._faults_injected.clear()
            self._faults = Faults()
            self._rng = random.Random()

    def set_faults(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.seed)

    @property
    def faults(self) -> Faults:
        return self._faults

    def decide(self, operation_key: str) -> tuple[int, FaultKind | None]:
        """Latency (ms) and fault, if any, for one matching call."""
        with self._lock:
            f = self._faults
            if not f.matches(operation_key):
                return 0, None
            kind: FaultKind | None = None
            if f.throttle_rate or f.error_rate:
                roll = self._rng.random()
                if roll < f.throttle_rate:
                    kind = "throttle"
                elif roll < f.throttle_rate + f.error_rate:
                    kind = "error"
            if kind is not None:
                self._faults_injected[f"{operation_key}:{kind}"] += 1
            return f.latency_ms, kind
