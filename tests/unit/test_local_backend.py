"""What only the local directory backend does: its file layout, fsync, torn files left by a
crash, and exclusion between processes. Its contract is in tests/contract/."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from planner.state import Journal, LockHeld, StateError, StateWarning, new_run_id, open_backend
from planner.state.local import LocalBackend

SERVICE = "my-cluster/web"


@pytest.fixture
def backend(tmp_path: Path) -> LocalBackend:
    b = open_backend(str(tmp_path / "state"))
    assert isinstance(b, LocalBackend)
    return b


def run_file(backend: LocalBackend, run_id: str) -> Path:
    (path,) = (backend.root).glob(f"*/runs/{run_id}.jsonl")
    return path


def test_layout_of_the_directory(backend: LocalBackend) -> None:
    run_id = new_run_id()
    j = Journal(backend, SERVICE, run_id)
    j.start("apply")
    j.end("succeeded")
    backend.lock(SERVICE, operation="apply", run_id=run_id)
    backend.put_run_record(run_id, b"{}")
    backend.cache_put("task-definitions/x.json", b"{}")
    backend.secret_key()
    root = backend.root
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == sorted(
        [
            ".secret-key",
            f".runs/{run_id}.json",
            ".cache/task-definitions/x.json",
            "my-cluster%2Fweb/.guard",
            "my-cluster%2Fweb/lock.json",
            f"my-cluster%2Fweb/runs/{run_id}.jsonl",
        ]
    )
    lines = run_file(backend, run_id).read_text().splitlines()  # JSON lines, one per entry
    assert len(lines) == 2 and all(json.loads(line)["run_id"] == run_id for line in lines)


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


def test_service_keys_never_escape_the_state_dir(tmp_path: Path) -> None:
    root = tmp_path / "state"
    backend = LocalBackend(root)
    keys = ["../evil", "a/b", "..", "c.d/e"]
    for key in keys:
        Journal(backend, key, new_run_id()).start("apply")
    (root / "README.md").write_text("not a service")
    (root / "notes").mkdir()  # a directory without a lock or journals is no service
    assert backend.services() == sorted(keys)
    assert {p.parent for p in root.iterdir()} == {root}
    assert not (tmp_path / "evil").exists()


def test_half_written_lock_file_is_replaced(backend: LocalBackend) -> None:
    lock_file = backend.root / "my-cluster%2Fweb" / "lock.json"
    lock_file.parent.mkdir(parents=True)
    lock_file.write_text('{"id": "abc", "serv')  # its writer died inside lock()
    with pytest.warns(StateWarning, match="half-written lock"):
        info = backend.lock(SERVICE, operation="apply", run_id="r1")
    assert backend.locks() == [info]


def test_secret_key_file_is_private_and_a_damaged_one_is_refused(backend: LocalBackend) -> None:
    key = backend.secret_key()
    path = backend.root / ".secret-key"
    assert path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_bytes(b"short")
    with pytest.raises(StateError, match=r"\.secret-key: damaged secret key \(5 bytes\)"):
        backend.secret_key()


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
    with pytest.raises(LockHeld):
        backend.lock(SERVICE, operation="apply", run_id="again")
    assert backend.force_unlock(later.id).run_id == "later"
