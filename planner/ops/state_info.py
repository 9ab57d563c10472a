"""What the state holds: each service's last runs and their steps, the locks; releasing one.

The `ecsplan state` commands show these; the data is read once here and rendered by
render/state_view.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planner.errors import EcsplanError
from planner.state import LockInfo, RunSummary, StateBackend, StepState
from planner.state.model import step_states


@dataclass(frozen=True)
class StateOverview:
    """Every service with state, its last run (None: none recorded), and the locks held."""

    location: str
    last_runs: tuple[tuple[str, RunSummary | None], ...]
    locks: tuple[LockInfo, ...]


@dataclass(frozen=True)
class ServiceHistory:
    """One service's last runs, newest first, with their steps, and its lock if held."""

    location: str
    key: str
    lock: LockInfo | None
    runs: tuple[RunSummary, ...]
    steps: Mapping[str, tuple[StepState, ...]]


@dataclass(frozen=True)
class Unlocked:
    """A released lock, and the run that held it when that run did not finish."""

    lock: LockInfo
    unfinished: RunSummary | None


def overview(backend: StateBackend, location: str) -> StateOverview:
    last = []
    for key in backend.services():
        runs = backend.runs(key)
        last.append((key, runs[0] if runs else None))
    return StateOverview(location, tuple(last), tuple(backend.locks()))


def history(backend: StateBackend, location: str, service: str, limit: int) -> ServiceHistory:
    key = resolve_service(backend, service)
    runs = tuple(backend.runs(key)[:limit])
    steps = {r.run_id: tuple(step_states(backend.entries(key, r.run_id)).values()) for r in runs}
    lock = next((i for i in backend.locks() if i.service_key == key), None)
    return ServiceHistory(location, key, lock, runs, steps)


def unlock(backend: StateBackend, lock_id: str) -> Unlocked:
    """Release ``lock_id``; the run it names is reported when it is the service's last and
    did not finish (`apply --resume` continues it)."""
    info = backend.force_unlock(lock_id)
    runs = backend.runs(info.service_key)
    run = next((r for r in runs if r.run_id == info.run_id), None)
    unfinished = run if run is not None and run.resumable and runs[0] is run else None
    return Unlocked(info, unfinished)


def resolve_service(backend: StateBackend, service: str) -> str:
    """An exact service key, or the one key ending in `/SERVICE` (`web` for `my-cluster/web`)."""
    known = backend.services()
    if service in known:
        return service
    matches = [k for k in known if k.endswith("/" + service)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise EcsplanError(f"service {service!r} is ambiguous: {', '.join(matches)}")
    listed = ", ".join(known) or "none"
    raise EcsplanError(f"no state for service {service!r}; services with state: {listed}")
