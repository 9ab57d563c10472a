"""JournalStore: per service, one journal per run; entries come back as written, in seq
order; a reused seq is refused; runs are summarized newest first with their outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from state_impls import SERVICE, StateUnderTest

from planner.state import (
    Journal,
    JournalConflict,
    JournalEntry,
    last_unfinished_run,
    new_run_id,
)
from planner.state.backend import StateBackend

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "journal-entry.schema.json").read_text())


def write_full_run(backend: StateBackend, run_id: str) -> Journal:
    j = Journal(backend, SERVICE, run_id)
    j.start("apply", {"plan_digest": "abc"})
    j.begin("register", "register_task_definition", {"family": "web"})
    j.success("register", "register_task_definition", {"taskDefinitionArn": "arn:td/web:7"})
    j.begin("update", "update_service")
    j.failure("update", "update_service", "ServiceNotActiveException")
    j.note("gave up", {"why": "test"})
    j.end("failed")
    return j


def test_journal_round_trip_and_schema(backend: StateBackend) -> None:
    run_id = new_run_id()
    j = write_full_run(backend, run_id)
    stored = backend.entries(SERVICE, run_id)
    assert stored == list(j.entries)
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5, 6, 7]
    assert [e.event for e in stored] == [
        "run_start", "begin", "success", "begin", "failure", "note", "run_end",
    ]  # fmt: skip
    assert stored[0].data["operation"] == "apply"
    assert stored[0].data["plan_digest"] == "abc"
    assert "@" in stored[0].data["who"]
    assert stored[1].data == {"family": "web"}
    assert stored[2].outputs == {"taskDefinitionArn": "arn:td/web:7"}
    assert stored[4].error == "ServiceNotActiveException"
    validator = Draft202012Validator(SCHEMA)
    for e in stored:
        assert not [err.message for err in validator.iter_errors(e.to_data())]
        assert JournalEntry.from_json(e.to_json()) == e
    assert backend.services() == [SERVICE]
    assert backend.entries(SERVICE, "unknown-run") == []
    assert backend.entries("other/service", run_id) == []


def test_a_reused_seq_is_refused_and_resume_continues_the_seq(
    state: StateUnderTest, backend: StateBackend
) -> None:
    run_id = new_run_id()
    first = Journal(backend, SERVICE, run_id)
    first.start("apply")
    first.begin("update", "update_service")
    second = Journal(state.reopen(), SERVICE, run_id)  # a second writer starting at seq 1
    wording = "already exists" if state.kind == "s3" else "already has entry 2"
    with pytest.raises(JournalConflict, match=wording):
        second.start("deploy")
    stored = backend.entries(SERVICE, run_id)
    assert [e.event for e in stored] == ["run_start", "begin"]
    assert stored[0].data["operation"] == "apply"  # not overwritten

    resumed = Journal.resume(backend, SERVICE, run_id)
    resumed.success("update", "update_service", {"deploymentId": "ecs-svc/1"})
    resumed.note("resumed")
    assert [e.seq for e in backend.entries(SERVICE, run_id)] == [1, 2, 3, 4]
    assert [e.seq for e in resumed.entries] == [1, 2, 3, 4]
    assert resumed.step_states()["update"].outputs == {"deploymentId": "ecs-svc/1"}
    stale = Journal(backend, SERVICE, run_id)  # starts at seq 1 again
    with pytest.raises(JournalConflict, match=run_id):
        stale.start("apply")
    assert len(backend.entries(SERVICE, run_id)) == 4


def test_step_states(backend: StateBackend) -> None:
    j = Journal(backend, SERVICE, new_run_id())
    j.start("apply")
    j.begin("register", "register_task_definition")
    j.success("register", "register_task_definition", {"taskDefinitionArn": "arn:td/web:7"})
    j.begin("scale", "set_scaling_capacity")
    j.failure("scale", "set_scaling_capacity", "boom")
    j.begin("update", "update_service")  # crash here: no outcome
    states = j.step_states()
    assert list(states) == ["register", "scale", "update"]
    assert states["register"].state == "succeeded"
    assert states["register"].outputs == {"taskDefinitionArn": "arn:td/web:7"}
    assert states["scale"].state == "failed" and states["scale"].error == "boom"
    assert states["update"].state == "in_doubt"
    assert "wait" not in states

    resumed = Journal.resume(j.backend, SERVICE, j.run_id)
    assert resumed.step_states() == states
    resumed.begin("scale", "set_scaling_capacity")
    assert resumed.step_states()["scale"].state == "in_doubt"
    assert resumed.step_states()["scale"].attempts == 2
    resumed.success("scale", "set_scaling_capacity", {})
    assert resumed.step_states()["scale"].state == "succeeded"


def test_runs_newest_first_with_outcomes(backend: StateBackend) -> None:
    assert backend.runs(SERVICE) == []
    assert last_unfinished_run(backend, SERVICE) is None
    first = write_full_run(backend, "20260101T000000Z-aaaaaa")
    first.note("rolled back later by another run")
    crashed = Journal(backend, SERVICE, "20260102T000000Z-bbbbbb")
    crashed.start("deploy")
    crashed.begin("update", "update_service")
    crashed.note("waiting")

    runs = backend.runs(SERVICE)
    assert [(r.run_id, r.operation, r.outcome) for r in runs] == [
        (crashed.run_id, "deploy", None),
        (first.run_id, "apply", "failed"),  # a note after run_end does not reopen it
    ]
    assert runs[1].ended is not None and runs[0].ended is None
    assert runs[0].service_key == SERVICE and runs[0].started == crashed.entries[0].ts
    assert last_unfinished_run(backend, SERVICE) == runs[0]

    crashed.end("interrupted")
    assert backend.runs(SERVICE)[0].outcome == "interrupted"
    assert last_unfinished_run(backend, SERVICE) is not None  # interrupted runs resume
    resumed = Journal.resume(backend, SERVICE, crashed.run_id)
    resumed.note("resumed")
    assert backend.runs(SERVICE)[0].outcome == "interrupted"  # a note does not reopen it
    resumed.success("update", "update_service", {})
    assert backend.runs(SERVICE)[0].outcome is None  # resumed and not ended again
    resumed.end("failed")
    assert last_unfinished_run(backend, SERVICE) == backend.runs(SERVICE)[0]  # retried
    resumed.end("succeeded")
    assert backend.runs(SERVICE)[0].outcome == "succeeded"
    assert last_unfinished_run(backend, SERVICE) is None
    assert backend.runs("other/service") == []


def test_end_and_run_ids_are_checked(backend: StateBackend) -> None:
    with pytest.raises(ValueError, match="invalid run id"):
        Journal(backend, SERVICE, "../../etc")
    with pytest.raises(ValueError, match="invalid run id"):
        backend.entries(SERVICE, "../../etc")
    with pytest.raises(ValueError, match="service key is empty"):
        backend.runs("")
    j = Journal(backend, SERVICE, new_run_id())
    with pytest.raises(ValueError, match="unknown run outcome"):
        j.end("great")


def test_services_are_the_keys_with_a_journal_or_a_lock(backend: StateBackend) -> None:
    """Any service key round-trips (its encoding is the backend's business), sorted."""
    assert backend.services() == []
    keys = ["../evil", "a/b", "..", "c.d/e", "x~y/z w"]
    for key in keys:
        Journal(backend, key, new_run_id()).start("apply")
    info = backend.lock("locked/only", operation="apply", run_id="r1")
    assert backend.services() == sorted([*keys, "locked/only"])
    backend.unlock(info)
    assert backend.services() == sorted(keys)
