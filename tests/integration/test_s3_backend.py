"""What only the S3 backend does, on the sandbox over real HTTP: its object layout (one
object per journal entry, conditional objects), its URL, a missing bucket, the state CLI.
Its contract is in tests/contract/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from ecsplan_sandbox.server import Sandbox
from planner.aws.clients import AwsContext
from planner.errors import AwsError
from planner.state import Journal, StateError, new_run_id, open_backend
from planner.state.s3 import S3Backend, parse_s3_url

pytestmark = pytest.mark.integration

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
    with pytest.raises(StateError, match="not an S3 location"):
        parse_s3_url("/tmp/state")


def test_one_object_per_journal_entry(backend: S3Backend) -> None:
    run_id = new_run_id()
    j = Journal(backend, SERVICE, run_id)
    j.start("apply", {"plan_digest": "abc"})
    j.begin("register", "register_task_definition")
    j.success("register", "register_task_definition", {"taskDefinitionArn": "arn:td/web:7"})
    j.end("succeeded")
    assert keys() == [
        f"teams/web/my-cluster%2Fweb/runs/{run_id}/{n:08d}.json" for n in (1, 2, 3, 4)
    ]
    body = s3_client().get_object(Bucket=BUCKET, Key=keys()[2])["Body"].read()
    assert json.loads(body)["outputs"] == {"taskDefinitionArn": "arn:td/web:7"}


def test_layout_of_the_prefix(backend: S3Backend) -> None:
    run_id = new_run_id()
    backend.lock(SERVICE, operation="apply", run_id=run_id)
    backend.put_run_record(run_id, b"{}")
    backend.cache_put("task-definitions/x.json", b"{}")
    backend.secret_key()
    assert sorted(keys()) == sorted(
        [
            "teams/web/.secret-key",
            f"teams/web/.runs/{run_id}.json",
            "teams/web/.cache/task-definitions/x.json",
            "teams/web/my-cluster%2Fweb/lock.json",
        ]
    )


def test_a_damaged_secret_key_is_refused(backend: S3Backend) -> None:
    s3_client().put_object(Bucket=BUCKET, Key="teams/web/.secret-key", Body=b"short")
    with pytest.raises(StateError, match=r"teams/web/\.secret-key: missing or damaged secret"):
        backend.secret_key()


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
