"""Shared sandbox state outside moto: call counters, fault settings, the write log, who
signed each call, and the big state lock.

The lock serialises moto request handling and progression ticks, so a tick never sees a
half-applied API call (moto's backends are plain Python objects without locking).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from ecsplan_sandbox.signers import SignedCall, account_and_role, signing_key

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

FaultKind = Literal["throttle", "error", "lost"]
#: Outcomes in the write log: moto answered 2xx / an error; the sandbox refused it before
#: moto saw it (throttle, error); or moto applied it and the sandbox lost the answer.
WriteOutcome = Literal["applied", "refused", "faulted", "lost"]
MAX_WRITE_LOG = 20000


def is_write(operation_key: str) -> bool:
    """True for "service:Operation" keys whose operation changes state."""
    return operation_key.partition(":")[2].startswith(WRITE_PREFIXES)


@dataclass(frozen=True)
class WriteRecord:
    """One write call as the sandbox received it: what a test compares with the plan."""

    seq: int
    operation: str  # "ecs:UpdateService"
    params: dict[str, Any]  # the request's parameters (JSON body or query), as sent
    outcome: WriteOutcome
    status: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "operation": self.operation,
            "params": self.params,
            "outcome": self.outcome,
            "status": self.status,
        }


@dataclass(frozen=True)
class Faults:
    """Fault injection settings; all zero means faults are off.

    ``lost_rate``: the call is applied, then its answer is replaced by a 503, as when AWS
    did the work and the response never arrived (a timeout, a 5xx after commit)."""

    throttle_rate: float = 0.0
    error_rate: float = 0.0
    lost_rate: float = 0.0
    latency_ms: int = 0
    operations: frozenset[str] | None = None
    seed: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        known = {"throttle_rate", "error_rate", "lost_rate", "latency_ms", "operations", "seed"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        throttle = float(data.get("throttle_rate") or 0)
        error = float(data.get("error_rate") or 0)
        lost = float(data.get("lost_rate") or 0)
        rates = (throttle, error, lost)
        if not (all(0 <= r <= 1 for r in rates) and sum(rates) <= 1):
            raise ValueError(
                "throttle_rate, error_rate and lost_rate must be within 0..1 and sum to <= 1"
            )
        ops = data.get("operations")
        seed = data.get("seed")
        return cls(
            throttle_rate=throttle,
            error_rate=error,
            lost_rate=lost,
            latency_ms=max(0, int(data.get("latency_ms") or 0)),
            operations=frozenset(ops) if ops else None,
            seed=int(seed) if seed is not None else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "throttle_rate": self.throttle_rate,
            "error_rate": self.error_rate,
            "lost_rate": self.lost_rate,
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
    _writes: list[WriteRecord] = field(default_factory=list)
    _signed: list[SignedCall] = field(default_factory=list)
    _key_owners: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    def count(self, operation_key: str) -> None:
        with self._lock:
            self._requests[operation_key] += 1

    def log_write(
        self, operation_key: str, params: dict[str, Any], outcome: WriteOutcome, status: int
    ) -> None:
        """Keep a write call's parameters and fate (the newest MAX_WRITE_LOG of them)."""
        with self._lock:
            seq = (self._writes[-1].seq + 1) if self._writes else 1
            self._writes.append(WriteRecord(seq, operation_key, params, outcome, status))
            del self._writes[:-MAX_WRITE_LOG]

    def writes(self) -> list[WriteRecord]:
        with self._lock:
            return list(self._writes)

    def log_signer(self, operation_key: str, environ: dict[str, Any]) -> None:
        """Record who signed a counted call: its key, and moto's account and role for it
        (the newest MAX_WRITE_LOG calls)."""
        signed = signing_key(environ)
        if signed is None:
            return
        key_id, region = signed
        with self._lock:
            owner = self._key_owners.get(key_id)
        if owner is None:
            with self.state_lock:  # reads moto's IAM backends
                owner = account_and_role(key_id)
        with self._lock:
            self._key_owners[key_id] = owner
            seq = (self._signed[-1].seq + 1) if self._signed else 1
            self._signed.append(SignedCall(seq, operation_key, region, key_id, *owner))
            del self._signed[:-MAX_WRITE_LOG]

    def signed_calls(self) -> list[SignedCall]:
        with self._lock:
            return list(self._signed)

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
            self._writes.clear()
            self._signed.clear()
            self._key_owners.clear()
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
            if f.throttle_rate or f.error_rate or f.lost_rate:
                roll = self._rng.random()
                if roll < f.throttle_rate:
                    kind = "throttle"
                elif roll < f.throttle_rate + f.error_rate:
                    kind = "error"
                elif roll < f.throttle_rate + f.error_rate + f.lost_rate:
                    kind = "lost"
            if kind is not None:
                self._faults_injected[f"{operation_key}:{kind}"] += 1
            return f.latency_ms, kind
