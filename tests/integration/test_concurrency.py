"""Eight `ecsplan deploy` processes on one service at once: one applies, seven fail fast.

The sandbox's clock is paused while they run, so the rollout the winner waits for cannot
finish: the winner holds the service's lock for as long as the others live. Every process
deploys a different image tag, so each one has changes to apply whenever it plans (none of
them can skip the lock with "no changes"). The seven others must exit 1 while the winner is
still waiting (they never wait for the lock), with a first stderr line naming the holder and
its run; then the clock resumes and the winner finishes. Exactly one task definition revision
and one run are added. Both state backends: a local directory and S3 on the sandbox.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-northeast-1"
QUIET = {"NO_COLOR": "1", "COLUMNS": "200", "ECSPLAN_POLL_INTERVAL": "0.05"}
N = 8

pytestmark = pytest.mark.integration


def _client(sandbox: Any, name: str) -> Any:
    return boto3.client(
        name,
        endpoint_url=sandbox.endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _inproc(cfg: Path, state: str, *args: str) -> tuple[int, str, str]:
    from planner.cli.main import main

    code = 0
    saved = {k: os.environ.get(k) for k in QUIET}
    os.environ.update(QUIET)
    try:
        with CliRunner().isolation() as streams:
            try:
                main(["--no-color", "-c", str(cfg), "--state", state, *args])
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            out, err = streams[0].getvalue().decode(), streams[1].getvalue().decode()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return code, out, err


def _revisions(sandbox: Any) -> list[str]:
    ecs = _client(sandbox, "ecs")
    return list(ecs.list_task_definitions(familyPrefix="myservice")["taskDefinitionArns"])


def _runs(cfg: Path, state: str) -> list[dict[str, Any]]:
    code, out, err = _inproc(cfg, state, "state", "show", "myservice", "--format", "json")
    assert code == 0, err
    return list(json.loads(out)["runs"])


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_eight_deploys_one_winner(backend: str, sandbox: Any, tmp_path: Path) -> None:
    dest = tmp_path / "single-service"
    shutil.copytree(ROOT / "examples" / "single-service", dest)
    cfg = dest / "ecspresso.yml"
    sandbox.prepare([str(cfg)])
    if backend == "s3":
        _client(sandbox, "s3").create_bucket(
            Bucket="ecsplan-state", CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        state = "s3://ecsplan-state/team-a"
    else:
        state = str(tmp_path / "state")

    code, _, err = _inproc(cfg, state, "deploy")  # the service exists, one run journaled
    assert code == 0, err
    revisions_before = _revisions(sandbox)
    runs_before = _runs(cfg, state)
    assert len(runs_before) == 1

    sandbox.pause()  # no rollout can finish: the winner keeps the lock while it waits
    env = {**os.environ, **sandbox.env(), **QUIET}
    env.pop("ECSPLAN_STATE", None)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "planner",
                "--no-color",
                "-c",
                str(cfg),
                "--state",
                state,
                "deploy",
            ],
            env={**env, "IMAGE_TAG": f"2.{i}"},  # never the first deploy's 1.27
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        for i in range(N)
    ]
    try:
        guard = time.monotonic() + 120  # a hang guard, not a timing assertion
        while sum(p.poll() is not None for p in procs) < N - 1 and time.monotonic() < guard:
            time.sleep(0.1)
        finished = [p for p in procs if p.poll() is not None]
        running = [p for p in procs if p.poll() is None]
        losers = [(p, *p.communicate()) for p in finished]
        assert len(running) == 1, "exactly one deploy must still be applying: " + "\n".join(
            f"exit {p.returncode}: {err.strip()[:300]}" for p, _, err in losers
        )
    finally:
        sandbox.resume()
    (winner,) = running
    out, err = winner.communicate(timeout=120)
    assert winner.returncode == 0, f"{out}\n{err}"

    runs = _runs(cfg, state)
    new_runs = [r for r in runs if r["run_id"] not in {x["run_id"] for x in runs_before}]
    assert len(new_runs) == 1, runs
    winner_run = new_runs[0]["run_id"]
    for p, out, err in losers:
        first = err.splitlines()[0] if err else ""
        assert p.returncode == 1, f"{out}\n{err}"
        assert "Traceback" not in err, err
        assert first.startswith("Error: state for my-cluster/myservice is locked by "), err
        assert f"(apply, run {winner_run}, since " in first, err
    assert len(_revisions(sandbox)) == len(revisions_before) + 1
    assert sandbox.write_calls().get("ecs:RegisterTaskDefinition") == 2  # first deploy + winner
