"""Which run `apply --resume` continues (and `rollback` undoes), from the state alone.

A run is its whole plan: its record (written when it starts) names every service, and each
service's journal says how far it got. Resuming continues the newest run of the selected
services: services it finished are reported, services it started are reconciled from their
journals, services it had not reached yet are applied as any saved plan is. The dead run's
locks are taken over, so none outlives the run that continues (or rolls back) its work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from planner.errors import EcsplanError
from planner.state.backend import StateBackend
from planner.state.locking import holder_state
from planner.state.model import APPLY_OPERATIONS, LockInfo
from planner.state.run_record import RunRecord


class NothingToResume(EcsplanError):
    """No unfinished run of these services: what to do instead is in the message."""


@dataclass(frozen=True)
class RunProgress:
    """Where each service of a recorded run stands, from its journal.

    ``outcomes`` maps plan keys to ``succeeded``, ``unchanged`` (nothing to do), ``failed``,
    ``interrupted``, ``rolled_back``, ``running`` (a journal without end: the process died)
    or ``not started`` (no journal)."""

    record: RunRecord
    outcomes: Mapping[str, str]

    @property
    def done(self) -> dict[str, str]:
        return {k: o for k, o in self.outcomes.items() if o in ("succeeded", "unchanged")}

    @property
    def started(self) -> frozenset[str]:
        return frozenset(
            k for k, o in self.outcomes.items() if o not in ("not started", "unchanged")
        )

    @property
    def finished(self) -> bool:
        return len(self.done) == len(self.outcomes)


def load_record(backend: StateBackend, run_id: str) -> RunRecord | None:
    raw = backend.run_record(run_id)
    if raw is None:
        return None
    try:
        return RunRecord.from_json(raw, f"run record {run_id}")
    except ValueError as e:
        raise EcsplanError(str(e)) from e


def newest_record(backend: StateBackend, state_keys: Iterable[str]) -> RunRecord | None:
    """The newest recorded run that touched any of ``state_keys`` (newest first, so only
    the few records after it are read)."""
    wanted = set(state_keys)
    for run_id in reversed(backend.run_record_ids()):
        record = load_record(backend, run_id)
        if record is not None and wanted & set(record.state_keys):
            return record
    return None


def progress_of(backend: StateBackend, record: RunRecord) -> RunProgress:
    outcomes: dict[str, str] = {}
    services = {str(s.get("key")): s for s in record.plan.get("services") or ()}
    for key, state_key in record.key_of().items():
        if not services[key].get("steps"):
            outcomes[key] = "unchanged"
            continue
        runs = {r.run_id: r for r in backend.runs(state_key)}
        run = runs.get(record.run_id)
        if run is None:
            outcomes[key] = "not started"
        else:
            outcomes[key] = run.outcome or "running"
        newer = sorted(r for r in runs if r > record.run_id)
        if newer and outcomes[key] != "succeeded":
            raise NothingToResume(
                f"{key}: run {newer[-1]} changed it after run {record.run_id}; continuing "
                f"{record.run_id} would undo that. Plan and apply again"
            )
    return RunProgress(record, outcomes)


def run_to_resume(backend: StateBackend, state_keys: Iterable[str], again: str) -> RunProgress:
    """The newest run of these services if it is an apply that did not finish.

    ``again`` is the command that starts afresh, for the messages."""
    keys = list(state_keys)
    record = newest_record(backend, keys)
    if record is None:
        raise NothingToResume(
            "nothing to resume: no run of these services is recorded in the state (a run "
            f"killed before its first write leaves nothing to continue); run `{again}` again"
        )
    if record.operation not in APPLY_OPERATIONS:
        raise NothingToResume(
            f"nothing to resume: the newest run of these services, {record.run_id}, is a "
            f"{record.operation}, not an apply; run `{again}` to plan afresh"
        )
    outside = [k for k in record.state_keys if k not in keys]
    if outside:
        raise EcsplanError(
            f"run {record.run_id} covers {', '.join(record.state_keys)}, but the services "
            f"selected here leave out {', '.join(outside)}; resume it with the -w/-c it was "
            f"made with{_workspace_hint(record)}"
        )
    progress = progress_of(backend, record)
    if "rolled_back" in progress.outcomes.values():
        raise NothingToResume(
            f"nothing to resume: run {record.run_id} was rolled back; run `{again}` again"
        )
    if progress.finished:
        raise NothingToResume(
            f"nothing to resume: run {record.run_id} finished "
            f"({len(progress.outcomes)} service(s) done)"
        )
    return progress


def _workspace_hint(record: RunRecord) -> str:
    return f" (-w {record.workspace})" if record.workspace else ""


def check_same_workspace(record: RunRecord, workspace: str | None) -> None:
    """A resume names the workspace file the run was made with (paths as given may differ,
    the file may not)."""
    from pathlib import Path

    same = Path(str(record.workspace)).resolve() == Path(str(workspace)).resolve()
    if record.workspace and workspace and not same:
        raise EcsplanError(
            f"run {record.run_id} was made with -w {record.workspace}, not -w {workspace}; "
            "resume it with the workspace it was made with"
        )


def later_runs_on(backend: StateBackend, record: RunRecord) -> list[str]:
    """Ids of the recorded runs after ``record`` that continued or undid it (a rollback)."""
    ids = backend.run_record_ids()
    out = []
    for rid in ids[ids.index(record.run_id) + 1 :] if record.run_id in ids else ():
        later = load_record(backend, rid)
        if later is not None and later.undoes == record.run_id:
            out.append(rid)
    return out


def take_over_locks(
    backend: StateBackend, run_ids: Iterable[str], state_keys: Iterable[str], *, other_hosts: bool
) -> list[str]:
    """Release the locks the dead runs ``run_ids`` left on ``state_keys``; returns warnings.

    Their process must be gone: on this host that is checked; for another host the caller
    says so (``--take-over-locks``), and the warning names the holder and the lock's age."""
    keys, runs = set(state_keys), set(run_ids)
    held = [i for i in backend.locks() if i.service_key in keys and i.run_id in runs]
    warnings: list[str] = []
    for info in held:
        where = holder_state(info)
        run_id = info.run_id
        if where == "alive":
            raise EcsplanError(
                f"run {run_id} is still running: {info.service_key} is locked by "
                f"{info.describe()} (process {info.pid} on this host)"
            )
        if where == "elsewhere" and not other_hosts:
            raise EcsplanError(
                f"{info.service_key} is locked by run {run_id} on another host: "
                f"{info.who}, {lock_age(info)}; if that runner is gone, pass "
                "--take-over-locks"
            )
        backend.force_unlock(info.id)
        why = (
            f"process {info.pid} on this host is gone"
            if where == "dead"
            else f"held by {info.who} on another host, {lock_age(info)}"
        )
        warnings.append(f"took over the lock of {info.service_key} left by run {run_id} ({why})")
    return warnings


def lock_age(info: LockInfo, now: datetime | None = None) -> str:
    """``taken 2026-12-06T07:00:00Z, 3h12m ago``."""
    try:
        created = datetime.fromisoformat(info.created.replace("Z", "+00:00"))
    except ValueError:
        return f"taken {info.created}"
    seconds = int(((now or datetime.now(timezone.utc)) - created).total_seconds())
    hours, rest = divmod(max(seconds, 0), 3600)
    return f"taken {info.created}, {hours}h{rest // 60:02d}m ago"
