"""Which run `rollback` undoes (planner/apply/undo.py pick_run) and which one
`apply --resume` continues (planner/apply/resume.py), from run records and journals in a
local state directory."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from planner.apply.operations import prepare_resume
from planner.apply.resume import (
    NothingToResume,
    check_same_workspace,
    lock_age,
    run_to_resume,
    take_over_locks,
)
from planner.apply.undo import pick_run
from planner.aws.clients import AwsContext
from planner.errors import EcsplanError
from planner.ops.session import Session
from planner.state import Journal, StateBackend, open_backend
from planner.state.run_record import RunRecord
from planner.workspace.selection import SelectSpec, select

ROOT = Path(__file__).resolve().parents[2]
WEB, API = "c/web", "c/api"
R = [f"20260101T0000000{i:02d}Z-0000{i:02d}" for i in range(10)]


@dataclass(frozen=True)
class Run:
    """A run of the history: its id (R[n]), operation, per service key the journal's
    outcome ("-": no journal, None: started, never ended; "unchanged": nothing planned
    there, so no journal), whether it has a record."""

    n: int
    op: str = "apply"
    outcomes: tuple[tuple[str, str | None], ...] = ((WEB, "succeeded"),)
    record: bool = True
    undoes: int | None = None


def write(backend: StateBackend, runs: list[Run]) -> None:
    for r in runs:
        rid = R[r.n]
        keys = [k for k, _ in r.outcomes]
        if r.record:
            services = [
                {"key": k.split("/")[1], "steps": [] if o == "unchanged" else [{"id": "s1"}]}
                for k, o in r.outcomes
            ]
            backend.put_run_record(
                rid,
                RunRecord(
                    run_id=rid,
                    operation=r.op,
                    created="2026-01-01T00:00:00Z",
                    who="alice@ci",
                    version="0.1.0",
                    plan={"services": services},
                    undoes=R[r.undoes] if r.undoes is not None else None,
                    state_keys=tuple(keys),
                ).to_json(),
            )
        for key, outcome in r.outcomes:
            if outcome in ("-", "unchanged"):
                continue
            j = Journal(backend, key, rid)
            j.start(r.op)
            j.begin("s1", "update_service")
            if outcome is not None:
                j.success("s1", "update_service")
                j.end(outcome)


@pytest.fixture
def backend(tmp_path: Path) -> StateBackend:
    return open_backend(str(tmp_path / "state"))


# --- rollback: which run ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("runs", "keys", "expected"),
    [
        pytest.param([Run(1)], [WEB], 1, id="the-only-apply"),
        pytest.param([Run(1), Run(2)], [WEB], 2, id="the-newest-apply"),
        pytest.param([Run(1), Run(2, outcomes=((WEB, "failed"),))], [WEB], 2, id="failed"),
        pytest.param([Run(1), Run(2, outcomes=((WEB, None),))], [WEB], 2, id="unfinished"),
        pytest.param(
            [
                Run(1),
                Run(2, outcomes=((WEB, "rolled_back"),)),
                Run(3, op="rollback", undoes=2),
            ],
            [WEB],
            1,
            id="a-rolled-back-run-is-skipped",
        ),
        pytest.param(
            [Run(1), Run(2, op="delete"), Run(3, op="scale")],
            [WEB],
            1,
            id="not-applies-are-skipped",
        ),
        pytest.param(
            [Run(1), Run(2, outcomes=((API, "succeeded"),))],
            [WEB],
            1,
            id="another-service's-run",
        ),
        pytest.param(
            [Run(1, outcomes=((WEB, "succeeded"), (API, "succeeded"))), Run(2)],
            [API],
            1,
            id="a-workspace-run-covering-the-service",
        ),
        pytest.param(
            [Run(1, outcomes=((WEB, "rolled_back"), (API, "succeeded")))],
            [WEB, API],
            1,
            id="partly-rolled-back-is-not-undone",
        ),
        pytest.param([Run(1, record=False)], [WEB], 1, id="a-journal-without-record"),
        pytest.param(
            [Run(1), Run(2, record=False)],
            [WEB],
            2,
            id="a-newer-journal-without-record",
        ),
        pytest.param(
            [Run(1, record=False), Run(2)],
            [WEB],
            2,
            id="a-newer-record-than-the-journal",
        ),
    ],
)
def test_pick_run(backend, runs, keys, expected) -> None:
    write(backend, runs)
    assert pick_run(backend, keys, None) == R[expected]


@pytest.mark.parametrize(
    "runs",
    [
        pytest.param([], id="no-state"),
        pytest.param([Run(1, op="delete")], id="only-a-delete"),
        pytest.param(
            [Run(1, outcomes=((WEB, "rolled_back"),)), Run(2, op="rollback", undoes=1)],
            id="all-rolled-back",
        ),
        pytest.param([Run(1, outcomes=((API, "succeeded"),))], id="only-other-services"),
        pytest.param(
            [Run(1, outcomes=((WEB, "rolled_back"),), record=False)],
            id="rolled-back-journal-without-record",
        ),
    ],
)
def test_pick_run_finds_nothing_to_roll_back(backend, runs) -> None:
    write(backend, runs)
    with pytest.raises(EcsplanError) as e:
        pick_run(backend, [WEB], None)
    assert e.value.message == "no applied run to roll back (see: ecsplan state list)"


def test_pick_run_skips_a_run_that_left_the_selected_service_unchanged(backend) -> None:
    write(backend, [Run(1), Run(2, outcomes=((WEB, "unchanged"), (API, "succeeded")))])
    assert pick_run(backend, [WEB, API], None) == R[2]  # the workspace: api's change
    assert pick_run(backend, [WEB], None) == R[1]  # web alone: its last change


def test_pick_run_takes_the_given_run_as_is(backend) -> None:
    write(backend, [Run(1), Run(2)])
    assert pick_run(backend, [WEB], R[1]) == R[1]


# --- resume: which run, or why none ----------------------------------------------------------


def test_run_to_resume_reports_where_each_service_stands(backend) -> None:
    write(backend, [Run(1, outcomes=((WEB, "succeeded"), (API, "-")))])
    p = run_to_resume(backend, [WEB, API], "ecsplan apply")
    assert p.record.run_id == R[1]
    assert dict(p.outcomes) == {"web": "succeeded", "api": "not started"}
    assert p.done == {"web": "succeeded"}
    assert p.started == {"web"}
    assert not p.finished


@pytest.mark.parametrize("outcome", [None, "failed", "interrupted"])
def test_run_to_resume_continues_an_unfinished_apply(backend, outcome) -> None:
    write(backend, [Run(1), Run(2, outcomes=((WEB, outcome),))])
    p = run_to_resume(backend, [WEB], "ecsplan apply")
    assert p.record.run_id == R[2]
    assert dict(p.outcomes) == {"web": outcome or "running"}
    assert p.done == {}


@pytest.mark.parametrize(
    ("runs", "keys", "error", "message"),
    [
        pytest.param(
            [],
            [WEB],
            NothingToResume,
            "nothing to resume: no run of these services is recorded in the state (a run "
            "killed before its first write leaves nothing to continue); run `ecsplan apply` "
            "again",
            id="nothing-recorded",
        ),
        pytest.param(
            [Run(1), Run(2, op="rollback", undoes=1)],
            [WEB],
            NothingToResume,
            f"nothing to resume: the newest run of these services, {R[2]}, is a rollback, not "
            "an apply; run `ecsplan apply` to plan afresh",
            id="newest-is-a-rollback",
        ),
        pytest.param(
            [Run(1)],
            [WEB],
            NothingToResume,
            f"nothing to resume: run {R[1]} finished (1 service(s) done)",
            id="finished",
        ),
        pytest.param(
            [Run(1, outcomes=((WEB, "rolled_back"),))],
            [WEB],
            NothingToResume,
            f"nothing to resume: run {R[1]} was rolled back; run `ecsplan apply` again",
            id="rolled-back",
        ),
        pytest.param(
            [Run(1, outcomes=((WEB, None),)), Run(2, op="scale", record=False)],
            [WEB],
            NothingToResume,
            f"web: run {R[2]} changed it after run {R[1]}; continuing {R[1]} would undo "
            "that. Plan and apply again",
            id="changed-since",
        ),
        pytest.param(
            [Run(1, outcomes=((WEB, None), (API, "-")))],
            [WEB],
            EcsplanError,
            f"run {R[1]} covers c/web, c/api, but the services selected here leave out "
            "c/api; resume it with the -w/-c it was made with",
            id="selection-leaves-part-of-the-run-out",
        ),
    ],
)
def test_run_to_resume_refuses(backend, runs, keys, error, message) -> None:
    write(backend, runs)
    with pytest.raises(error) as e:
        run_to_resume(backend, keys, "ecsplan apply")
    assert e.value.message == message


def test_resume_names_the_workspace_the_run_was_made_with(tmp_path: Path) -> None:
    record = RunRecord(R[1], "apply", "t", "who", "0.1.0", {"services": []}, "ws.yml")
    check_same_workspace(record, "./ws.yml")  # the same file, spelled otherwise
    check_same_workspace(record, None)
    with pytest.raises(EcsplanError) as e:
        check_same_workspace(record, "other.yml")
    assert e.value.message == (
        f"run {R[1]} was made with -w ws.yml, not -w other.yml; resume it with the "
        "workspace it was made with"
    )


def test_prepare_resume_refuses_without_a_recorded_run(tmp_path: Path) -> None:
    aws = AwsContext(region="ap-northeast-1")
    sel = select(SelectSpec(configs=(str(ROOT / "examples/single-service/ecspresso.yml"),)), aws)
    session = Session(sel, aws, state_override=str(tmp_path / "state"))
    with pytest.raises(NothingToResume) as e:
        prepare_resume(session, "ecsplan -c ecspresso.yml apply", other_hosts=False)
    assert "nothing to resume: no run of these services is recorded" in e.value.message
    assert "run `ecsplan -c ecspresso.yml apply` again" in e.value.message
    assert not (tmp_path / "state").exists()


# --- the dead run's locks --------------------------------------------------------------------


def test_a_live_run_keeps_its_lock(backend) -> None:
    lock = backend.lock(WEB, operation="apply", run_id=R[1])  # held by this (live) process
    with pytest.raises(EcsplanError) as e:
        take_over_locks(backend, [R[1]], [WEB], other_hosts=True)
    assert e.value.message == (
        f"run {R[1]} is still running: {WEB} is locked by {lock.describe()} "
        f"(process {os.getpid()} on this host)"
    )
    assert [i.id for i in backend.locks()] == [lock.id]


def test_locks_of_other_runs_and_services_are_left_alone(backend) -> None:
    mine = backend.lock(WEB, operation="apply", run_id=R[2])
    other = backend.lock(API, operation="apply", run_id=R[1])
    assert take_over_locks(backend, [R[1]], [WEB], other_hosts=True) == []
    assert take_over_locks(backend, [R[3]], [WEB, API], other_hosts=True) == []
    assert sorted(i.id for i in backend.locks()) == sorted([mine.id, other.id])


@pytest.mark.parametrize(
    ("created", "text"),
    [
        ("2026-12-06T07:00:00Z", "taken 2026-12-06T07:00:00Z, 3h12m ago"),
        ("2026-12-06T10:12:30Z", "taken 2026-12-06T10:12:30Z, 0h00m ago"),
        ("2026-12-06T11:00:00Z", "taken 2026-12-06T11:00:00Z, 0h00m ago"),  # clock skew
        ("yesterday", "taken yesterday"),
    ],
)
def test_lock_age(backend, created, text) -> None:
    info = replace(backend.lock(WEB, operation="apply", run_id=R[1]), created=created)
    now = datetime(2026, 12, 6, 10, 12, 59, tzinfo=timezone.utc)
    assert lock_age(info, now) == text
