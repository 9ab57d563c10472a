"""Local state: durable JSON-lines journals, crash tolerance, and one lock holder at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from planner.state import (
    Journal,
    JournalConflict,
    JournalEntry,
    LockHeld,
    LockInfo,
    LockLost,
    StateError,
    StateWarning,
    UnknownLock,
    last_unfinished_run,
    new_run_id,
    open_backend,
)
from planner.state.local import LocalBackend

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "journal-entry.schema.json").read_text())
SERVICE = "my-cluster/web"


def assert_valid(entry: JournalEntry) -> None:
    errors = list(Draft202012Validator(SCHEMA).iter_errors(entry.to_data()))
    assert not errors, [e.message for e in errors]


@pytest.fixture
def backend(tmp_path: Path) -> LocalBackend:
    b = open_backend(str(tmp_path / "state"))
    assert isinstance(b, LocalBackend)
    return b


def run_file(backend: LocalBackend, run_id: str) -> Path:
    (path,) = (backend.root).glob(f"*/runs/{run_id}.jsonl")
    return path


def write_full_run(backend: LocalBackend, run_id: str) -> Journal:
    j = Journal(backend, SERVICE, run_id)
    j.start("apply", {"plan_digest": "abc"})
    j.begin("register", "register_task_definition", {"family": "web"})
    j.success("register", "register_task_definition", {"taskDefinitionArn": "arn:td/web:7"})
    j.begin("update", "update_service")
    j.failure("update", "update_service", "ServiceNotActiveException")
    j.note("gave up", {"why": "test"})
    j.end("failed")
    return j


# -- journal --------------------------------------------------------------------------------


def test_journal_round_trip_and_schema(backend: LocalBackend) -> None:
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
    assert stored[2].outputs == {"taskDefinitionArn": "arn:td/web:7"}
    for e in stored:
        assert_valid(e)
        assert JournalEntry.from_json(e.to_json()) == e
    lines = run_file(backend, run_id).read_text().splitlines()
    assert len(lines) == 7 and all(json.loads(line)["run_id"] == run_id for line in lines)


def test_schema_refuses_a_failure_without_error() -> None:
    bad = {"format": 1, "seq": 1, "run_id": "r1", "ts": "2026-01-01T00:00:00Z",
           "event": "failure", "step_id": "s", "kind": "update_service"}  # fmt: skip
    assert list(Draft202012Validator(SCHEMA).iter_errors(bad))


def test_every_append_is_fsynced_before_it_returns(
    backend: LocalBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to name file descriptors")
    monkeypatch.setattr(os, "fsync", spy)
    run_id = new_run_id()
    j = Journal(backend, SERVICE, run_id)
    j.start("apply")
    path = str(run_file(backend, run_id).resolve())
    assert synced.count(path) == 1
    j.begin("s1", "update_service")
    assert synced.count(path) == 2
    # the new file's directory entry is synced too (a crash cannot lose the whole file)
    assert str(Path(path).parent) in synced


def test_torn_last_line_is_ignored_with_a_warning_and_repaired(backend: LocalBackend) -> None:
    run_id = new_run_id()
    j = Journal(backend, SERVICE, run_id)
    j.start("apply")
    j.begin("s1", "register_task_definition")
    path = run_file(backend, run_id)
    with path.open("ab") as f:  # a crash in the middle of writing entry 3
        f.write(b'{"format":1,"seq":3,"run_id":"' + run_id.encode() + b'","ts":"2026')
    with pytest.warns(StateWarning, match="incomplete last journal line"):
        entries = backend.entries(SERVICE, run_id)
    assert [e.seq for e in entries] == [1, 2]

    with pytest.warns(StateWarning):
        resumed = Journal.resume(backend, SERVICE, run_id)
    with pytest.warns(StateWarning):
        resumed.success("s1", "register_task_definition", {"arn": "x"})
    assert [e.seq for e in backend.entries(SERVICE, run_id)] == [1, 2, 3]
    assert all(json.loads(line) for line in path.read_text().splitlines())


def test_damage_before_the_last_line_is_an_error(backend: LocalBackend) -> None:
    run_id = new_run_id()
    Journal(backend, SERVICE, run_id).start("apply")
    path = run_file(backend, run_id)
    path.write_text("not json\n" + path.read_text())
    with pytest.raises(StateError, match=r":1: unreadable journal entry"):
        backend.entries(SERVICE, run_id)


def test_resume_continues_seq_and_a_reused_seq_is_refused(backend: LocalBackend) -> None:
    run_id = new_run_id()
    j = Journal(backend, SERVICE, run_id)
    j.start("apply")
    j.begin("s1", "update_service")
    resumed = Journal.resume(backend, SERVICE, run_id)
    resumed.note("resumed")
    assert [e.seq for e in backend.entries(SERVICE, run_id)] == [1, 2, 3]
    assert [e.seq for e in resumed.entries] == [1, 2, 3]
    stale = Journal(backend, SERVICE, run_id)  # starts at seq 1 again: a second writer
    with pytest.raises(JournalConflict, match="already has entry 3"):
        stale.start("apply")
    assert len(backend.entries(SERVICE, run_id)) == 3


def test_step_states(backend: LocalBackend) -> None:
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


def test_runs_newest_first_with_outcomes(backend: LocalBackend) -> None:
    assert backend.runs(SERVICE) == []
    assert last_unfinished_run(backend, SERVICE) is None
    first = write_full_run(backend, "20260101T000000Z-aaaaaa")
    crashed = Journal(backend, SERVICE, "20260102T000000Z-bbbbbb")
    crashed.start("deploy")
    crashed.begin("update", "update_service")

    runs = backend.runs(SERVICE)
    assert [r.run_id for r in runs] == [crashed.run_id, first.run_id]
    assert runs[1].outcome == "failed" and runs[1].ended is not None
    assert runs[1].operation == "apply"
    assert runs[0].outcome is None and runs[0].ended is None
    assert runs[0].operation == "deploy"
    assert last_unfinished_run(backend, SERVICE) == runs[0]

    crashed.end("interrupted")
    assert backend.runs(SERVICE)[0].outcome == "interrupted"
    assert last_unfinished_run(backend, SERVICE) is not None  # interrupted runs resume
    resumed = Journal.resume(backend, SERVICE, crashed.run_id)
    resumed.note("resumed")
    assert backend.runs(SERVICE)[0].outcome == "interrupted"  # a note does not reopen it
    resumed.success("update", "update_service", {})
    assert backend.runs(SERVICE)[0].outcome is None  # resumed and not ended again
    resumed.end("succeeded")
    assert backend.runs(SERVICE)[0].outcome == "succeeded"
    assert last_unfinished_run(backend, SERVICE) is None


def test_end_and_run_ids_are_checked(backend: LocalBackend) -> None:
    with pytest.raises(ValueError, match="invalid run id"):
        Journal(backend, SERVICE, "../../etc")
    j = Journal(backend, SERVICE, new_run_id())
    with pytest.raises(ValueError, match="unknown run outcome"):
        j.end("great")


def test_new_run_ids_sort_by_time_and_differ() -> None:
    import time

    ordered = []
    for _ in range(5):
        ordered.append(new_run_id())
        time.sleep(0.002)  # ids a few ms apart sort in creation order (same second too)
    assert sorted(ordered) == ordered
    ids = {new_run_id() for _ in range(50)}
    assert len(ids) == 50
    for rid in ids:
        stamp, _, rand = rid.partition("-")
        assert len(stamp) == len("20261128T192400123Z") and stamp.endswith("Z") and rand


def test_service_keys_never_escape_the_state_dir(tmp_path: Path) -> None:
    root = tmp_path / "state"
    backend = LocalBackend(root)
    keys = ["../evil", "a/b", "..", "c.d/e"]
    for key in keys:
        Journal(backend, key, new_run_id()).start("apply")
    (root / "README.md").write_text("not a service")
    assert backend.services() == sorted(keys)
    assert {p.parent for p in root.iterdir()} == {root}
    assert not (tmp_path / "evil").exists()


# -- locks ----------------------------------------------------------------------------------


def test_lock_unlock_and_relock(backend: LocalBackend) -> None:
    info = backend.lock(SERVICE, operation="apply", run_id="r1")
    assert info.service_key == SERVICE and info.operation == "apply" and info.run_id == "r1"
    assert "@" in info.who and info.created.endswith("Z") and info.path.endswith("lock.json")
    assert backend.locks() == [info]
    assert LockInfo.from_json(info.to_json()) == info
    with pytest.raises(LockHeld) as held:
        backend.lock(SERVICE, operation="deploy", run_id="r2")
    assert held.value.holder == info
    msg = str(held.value)
    assert msg.startswith(f"state for {SERVICE} is locked by {info.who} (apply, run r1")
    assert msg.endswith(f"if that run is dead: ecsplan state unlock {info.id}")
    backend.lock("other/service", operation="apply", run_id="r3")  # other services are free
    backend.unlock(info)
    assert [i.service_key for i in backend.locks()] == ["other/service"]
    with pytest.raises(LockLost, match="already released"):
        backend.unlock(info)
    again = backend.lock(SERVICE, operation="apply", run_id="r4")
    with pytest.raises(LockLost, match="now held by"):
        backend.unlock(info)
    backend.unlock(again)


def test_force_unlock(backend: LocalBackend) -> None:
    info = backend.lock(SERVICE, operation="apply", run_id="r1")
    with pytest.raises(UnknownLock, match=f"held locks: {info.id}"):
        backend.force_unlock("no-such-id")
    assert backend.force_unlock(info.id) == info
    assert backend.locks() == []
    backend.unlock(backend.lock(SERVICE, operation="apply", run_id="r2"))


def test_half_written_lock_file_is_replaced(backend: LocalBackend) -> None:
    lock_file = backend.root / "my-cluster%2Fweb" / "lock.json"
    lock_file.parent.mkdir(parents=True)
    lock_file.write_text('{"id": "abc", "serv')  # its writer died inside lock()
    with pytest.warns(StateWarning, match="half-written lock"):
        info = backend.lock(SERVICE, operation="apply", run_id="r1")
    assert backend.locks() == [info]


CONTENDER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from planner.state import LockHeld, open_backend

    state, go, n = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    backend = open_backend(state)
    while not go.exists():
        time.sleep(0.001)
    try:
        info = backend.lock("my-cluster/web", operation="apply", run_id=f"run-{n}")
        print(json.dumps({"won": info.id, "run": info.run_id}), flush=True)
        done = go.with_name("done")
        while not done.exists():  # hold the lock, alive, until the others have tried
            time.sleep(0.005)
    except LockHeld as e:
        print(json.dumps({"holder": e.holder.id, "run": e.holder.run_id, "message": str(e)}))
    """
)


def test_eight_processes_exactly_one_gets_the_lock(tmp_path: Path) -> None:
    state = tmp_path / "state"
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONTENDER, str(state), str(go), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    go.touch()
    deadline = time.monotonic() + 120
    while sum(p.poll() is not None for p in procs) < 7 and time.monotonic() < deadline:
        time.sleep(0.01)
    (tmp_path / "done").touch()
    results: list[dict[str, Any]] = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    winners = [r for r in results if "won" in r]
    assert len(winners) == 1
    winner = winners[0]
    losers = [r for r in results if "holder" in r]
    assert len(losers) == 7
    for r in losers:
        assert r["holder"] == winner["won"] and r["run"] == winner["run"]
        assert f"ecsplan state unlock {winner['won']}" in r["message"]

    # The winner exited without unlocking. Its process is gone, on this host: the next run
    # takes the lock over, saying so. (A holder on another host is never taken over.)
    backend = LocalBackend(state)
    with pytest.warns(StateWarning, match=f"took over the lock of {SERVICE} left by run"):
        later = backend.lock(SERVICE, operation="apply", run_id="later")
    assert [held.run_id for held in backend.locks()] == [later.run_id]
    # and a live holder's lock is released only by `state unlock ID`
    assert backend.force_unlock(later.id).run_id == "later"
