"""S3 state on the sandbox over real HTTP: conditional lock objects, one object per entry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from ecsplan_sandbox.server import Sandbox
from planner.aws.clients import AwsContext
from planner.errors import AwsError
from planner.state import (
    Journal,
    JournalConflict,
    LockHeld,
    LockLost,
    StateError,
    UnknownLock,
    last_unfinished_run,
    new_run_id,
    open_backend,
)
from planner.state.s3 import S3Backend, parse_s3_url

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "journal-entry.schema.json").read_text())
BUCKET = "ecsplan-state"
URL = f"s3://{BUCKET}/teams/web"
SERVICE = "my-cluster/web"


def s3_client() -> Any:
    return AwsContext(max_attempts=2).client("s3")


@pytest.fixture
def backend(sandbox: Sandbox) -> S3Backend:
    s3_client().create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    b = open_backend(URL, AwsContext(max_attempts=2))
    assert isinstance(b, S3Backend)
    return b


def keys() -> list[str]:
    resp = s3_client().list_objects_v2(Bucket=BUCKET)
    return [o["Key"] for o in resp.get("Contents", [])]


def test_parse_s3_url() -> None:
    assert parse_s3_url("s3://b") == ("b", "")
    assert parse_s3_url("s3://b/x/y/") == ("b", "x/y")
    with pytest.raises(StateError, match="no bucket"):
        parse_s3_url("s3:///x")


def test_journal_round_trip_one_object_per_entry(backend: S3Backend) -> None:
    run_id = new_run_id()
    j = Journal(backend, SERVICE, run_id)
    j.start("apply", {"plan_digest": "abc"})
    j.begin("register", "register_task_definition")
    j.success("register", "register_task_definition", {"taskDefinitionArn": "arn:td/web:7"})
    j.end("succeeded")
    stored = backend.entries(SERVICE, run_id)
    assert stored == list(j.entries)
    validator = Draft202012Validator(SCHEMA)
    for e in stored:
        assert not list(validator.iter_errors(e.to_data()))
    assert keys() == [
        f"teams/web/my-cluster%2Fweb/runs/{run_id}/{n:08d}.json" for n in (1, 2, 3, 4)
    ]
    assert backend.services() == [SERVICE]
    assert backend.entries(SERVICE, "unknown-run") == []


def test_duplicate_seq_is_refused(backend: S3Backend) -> None:
    run_id = new_run_id()
    first = Journal(backend, SERVICE, run_id)
    first.start("apply")
    first.begin("update", "update_service")
    second = Journal(backend, SERVICE, run_id)  # a second writer starting at seq 1
    with pytest.raises(JournalConflict, match="already exists"):
        second.start("deploy")
    stored = backend.entries(SERVICE, run_id)
    assert [e.event for e in stored] == ["run_start", "begin"]
    assert stored[0].data["operation"] == "apply"  # not overwritten

    resumed = Journal.resume(backend, SERVICE, run_id)
    resumed.success("update", "update_service", {"deploymentId": "ecs-svc/1"})
    assert [e.seq for e in backend.entries(SERVICE, run_id)] == [1, 2, 3]
    assert resumed.step_states()["update"].outputs == {"deploymentId": "ecs-svc/1"}


def test_runs_and_last_unfinished_run(backend: S3Backend) -> None:
    done = Journal(backend, SERVICE, "20260101T000000Z-aaaaaa")
    done.start("apply")
    done.end("succeeded")
    done.note("rolled back later by another run")
    crashed = Journal(backend, SERVICE, "20260102T000000Z-bbbbbb")
    crashed.start("deploy")
    crashed.begin("update", "update_service")
    crashed.note("waiting")

    runs = backend.runs(SERVICE)
    assert [(r.run_id, r.operation, r.outcome) for r in runs] == [
        (crashed.run_id, "deploy", None),
        (done.run_id, "apply", "succeeded"),
    ]
    assert runs[1].ended is not None
    assert last_unfinished_run(backend, SERVICE) == runs[0]
    crashed.end("failed")
    assert last_unfinished_run(backend, SERVICE) == backend.runs(SERVICE)[0]  # retried on resume
    crashed.end("succeeded")
    assert last_unfinished_run(backend, SERVICE) is None
    assert backend.runs("other/service") == []


def test_lock_unlock_force_unlock(backend: S3Backend) -> None:
    info = backend.lock(SERVICE, operation="apply", run_id="r1")
    assert info.path == f"{URL}/my-cluster%2Fweb/lock.json"
    assert backend.locks() == [info]
    with pytest.raises(LockHeld) as held:
        backend.lock(SERVICE, operation="deploy", run_id="r2")
    assert held.value.holder == info
    assert str(held.value).endswith(f"ecsplan state unlock {info.id}")

    backend.unlock(info)
    assert backend.locks() == []
    with pytest.raises(LockLost, match="already released"):
        backend.unlock(info)

    again = backend.lock(SERVICE, operation="apply", run_id="r3")
    with pytest.raises(LockLost, match="now held by"):
        backend.unlock(info)
    with pytest.raises(UnknownLock, match=again.id):
        backend.force_unlock("nope")
    other = open_backend(URL, AwsContext(max_attempts=2))  # another process, say
    assert other.force_unlock(again.id) == again
    assert backend.locks() == []


def test_unlock_from_another_backend_object(backend: S3Backend) -> None:
    info = backend.lock(SERVICE, operation="apply", run_id="r1")
    open_backend(URL, AwsContext(max_attempts=2)).unlock(info)
    assert backend.locks() == []


def test_lock_contention_between_threads_exactly_one_wins(backend: S3Backend) -> None:
    n = 8
    barrier = threading.Barrier(n)
    results: list[tuple[str, str]] = []
    mutex = threading.Lock()

    def contend(i: int) -> None:
        mine = open_backend(URL, AwsContext(max_attempts=2))
        barrier.wait()
        try:
            got = mine.lock(SERVICE, operation="apply", run_id=f"run-{i}")
            outcome = ("won", got.id)
        except LockHeld as e:
            outcome = ("held", e.holder.id)
        with mutex:
            results.append(outcome)

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [lock_id for what, lock_id in results if what == "won"]
    assert len(winners) == 1
    assert all(lock_id == winners[0] for _, lock_id in results)
    assert [i.id for i in backend.locks()] == winners


def test_missing_bucket_says_so(sandbox: Sandbox) -> None:
    backend = open_backend("s3://no-such-bucket/x", AwsContext(max_attempts=1))
    with pytest.raises(AwsError, match=r"no-such-bucket.*NoSuchBucket"):
        backend.lock(SERVICE, operation="apply", run_id="r1")


def test_state_cli_on_s3(backend: S3Backend, sandbox: Sandbox) -> None:
    j = Journal(backend, SERVICE, "20260101T000000Z-aaaaaa")
    j.start("apply")
    j.begin("update", "update_service")
    info = backend.lock(SERVICE, operation="apply", run_id=j.run_id)
    env = {**os.environ, **sandbox.env()}

    def ecsplan(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "planner", "--state", URL, "state", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )

    listed = json.loads(ecsplan("list", "--format", "json").stdout)
    assert listed["services"][0]["last_run"]["run_id"] == j.run_id
    assert [lock["id"] for lock in listed["locks"]] == [info.id]
    shown = ecsplan("show", "web")
    assert "update_service" in shown.stdout and "in doubt" in shown.stdout
    released = ecsplan("unlock", info.id)
    assert released.returncode == 0, released.stderr
    assert backend.locks() == []
