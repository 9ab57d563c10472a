"""Many services (issue 7): dependency order, parallelism, failure isolation, resume, and
batched reads for a whole workspace."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import boto3
import pytest

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
MICRO = ROOT / "examples" / "microservices"


def ecsplan(
    ws: Path, state: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "ECSPLAN_POLL_INTERVAL": "0.05", "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "--no-color",
            "--state",
            str(state),
            "-w",
            str(ws),
            *args,
        ],
        capture_output=True,
        text=True,
        env=full,
        timeout=180,
    )


def runs(state: Path, service: str) -> list[list[dict]]:
    """Every run of a service, each a list of journal entries."""
    files = sorted((state / f"my-cluster%2F{service}" / "runs").glob("*.jsonl"))
    return [
        [json.loads(line) for line in f.read_text().splitlines() if line.strip()] for f in files
    ]


def ts(entry: dict) -> float:
    return datetime.fromisoformat(entry["ts"].replace("Z", "+00:00")).timestamp()


def span(entries: list[dict], kind: str) -> tuple[float, float]:
    begin = next(e for e in entries if e["event"] == "begin" and e["kind"] == kind)
    done = next(e for e in entries if e["event"] == "success" and e["kind"] == kind)
    return ts(begin), ts(done)


@pytest.fixture
def micro(sandbox: Sandbox, tmp_path: Path) -> Path:
    work = tmp_path / "microservices"
    shutil.copytree(MICRO, work)
    sandbox.prepare([str(work / "workspace.yml")])
    return work / "workspace.yml"


def test_applies_in_dependency_order(micro: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    r = ecsplan(micro, state, "apply", "--auto-approve", "--timeout", "60s")
    assert r.returncode == 0, r.stderr
    db, api, front = (runs(state, s)[-1] for s in ("database", "api", "frontend"))
    # database's rollout completed before api's first write; api's before frontend's.
    assert span(db, "wait_rollout")[1] <= span(api, "register_task_definition")[0]
    assert span(api, "wait_rollout")[1] <= span(front, "register_task_definition")[0]
    for entries in (db, api, front):
        assert entries[-1]["event"] == "run_end" and entries[-1]["data"]["outcome"] == "succeeded"
    again = ecsplan(micro, state, "plan", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr


def test_failure_stops_dependents_only_and_resume_finishes(
    sandbox: Sandbox, micro: Path, tmp_path: Path
) -> None:
    """database has nothing to change and finishes; api fails (every UpdateService answers
    503); frontend, which depends on api, is not started. Once the fault is gone,
    `apply --resume` retries api's failed step and runs frontend."""
    state = tmp_path / "state"
    assert ecsplan(micro, state, "apply", "--auto-approve", "--timeout", "60s").returncode == 0
    tags = {"API_TAG": "2.5", "FRONTEND_TAG": "1.28", "ECSPLAN_MAX_ATTEMPTS": "2"}
    sandbox.set_faults(error_rate=1.0, operations=["ecs:UpdateService"], seed=1)
    r = ecsplan(micro, state, "apply", "--auto-approve", "--timeout", "60s", env=tags)
    assert r.returncode == 1
    assert "database: unchanged" in r.stdout + r.stderr
    assert "api: FAILED" in r.stderr and "ecs:UpdateService" in r.stderr
    assert "frontend: skipped - not started: api did not finish" in r.stderr
    assert "apply --resume" in r.stderr
    failed = [e for e in runs(state, "api")[-1] if e["event"] == "failure"]
    assert [e["kind"] for e in failed] == ["update_service"]  # the journal says where

    sandbox.set_faults()
    r = ecsplan(micro, state, "apply", "--resume", "--timeout", "60s", env=tags)
    assert r.returncode == 0, r.stderr
    assert "api, frontend to finish; database done" in r.stderr, r.stderr
    assert "database: unchanged" in r.stdout and "Apply complete: 3 service(s)." in r.stdout
    ecs = boto3.client("ecs")
    images = {}
    for name in ("database", "api", "frontend"):
        svc = ecs.describe_services(cluster="my-cluster", services=[name])["services"][0]
        td = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
        images[name] = td["containerDefinitions"][0]["image"]
    assert images == {
        "database": "postgres:16",
        "api": "public.ecr.aws/docker/library/httpd:2.5",
        "frontend": "nginx:1.28",
    }
    # api registered exactly one new revision across the failed run and its resume
    revs = ecs.list_task_definitions(familyPrefix="api")["taskDefinitionArns"]
    assert len(revs) == 2, revs


def test_independent_failure_does_not_stop_others(sandbox: Sandbox, tmp_path: Path) -> None:
    """Three independent services (a -c glob): one broken image fails alone."""
    for name in ("a", "b", "c"):
        d = tmp_path / "svcs" / name
        shutil.copytree(ROOT / "examples" / "single-service", d)
        cfg = (
            (d / "ecspresso.yml").read_text().replace("service: myservice", f"service: svc-{name}")
        )
        (d / "ecspresso.yml").write_text(cfg)
        td = json.loads((d / "ecs-task-def.json").read_text())
        td["family"] = f"svc-{name}"
        if name == "b":
            td["containerDefinitions"][0]["image"] = "nginx:1.27-fail"
        (d / "ecs-task-def.json").write_text(json.dumps(td))
    sandbox.prepare([str(tmp_path / "svcs" / "a" / "ecspresso.yml")])
    env = {**os.environ, "ECSPLAN_POLL_INTERVAL": "0.05"}
    r = subprocess.run(
        [sys.executable, "-m", "planner", "--no-color", "--state", str(tmp_path / "state"),
         "-c", str(tmp_path / "svcs" / "*" / "ecspresso.yml"), "apply", "--auto-approve",
         "--timeout", "20s"],
        capture_output=True, text=True, env=env, timeout=180,
    )  # fmt: skip
    assert r.returncode == 1
    assert "svc-a: ok" in r.stdout + r.stderr
    assert "svc-c: ok" in r.stdout + r.stderr
    assert "svc-b: FAILED" in r.stderr


def test_plan_of_fifty_services_is_batched(sandbox: Sandbox, tmp_path: Path) -> None:
    """A 50-service workspace plans with at most 1.3 API calls per service."""
    sys.path.insert(0, str(ROOT / "bench"))
    from _fleet import create_live, write_configs

    create_live(50)
    paths = write_configs(tmp_path / "ws", 50)
    ws = tmp_path / "ws" / "workspace.yml"
    ws.write_text(
        "services:\n"
        + "".join(f"  {p.parent.name}:\n    config: {p.parent.name}/ecspresso.yml\n" for p in paths)
    )
    before, writes_before = sandbox.stats()["total"], sandbox.write_calls()
    r = ecsplan(ws, tmp_path / "state", "plan", "--detailed-exitcode")
    calls = sandbox.stats()["total"] - before
    assert r.returncode == 0, r.stdout + r.stderr
    assert "No changes." in r.stdout
    assert calls <= 1.3 * 50, calls
    assert sandbox.write_calls() == writes_before  # a plan never writes


def test_saved_plan_of_a_workspace_uses_the_workspace_state(micro: Path, tmp_path: Path) -> None:
    """`state:` in workspace.yml is where plan-file applies journal and lock, too."""
    micro.write_text("state: ws-state\n" + micro.read_text())
    env = {**os.environ, "ECSPLAN_POLL_INTERVAL": "0.05", "NO_COLOR": "1"}
    env.pop("ECSPLAN_STATE", None)
    plan_file = tmp_path / "plan.json"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "planner", "-w", str(micro), *args],
            capture_output=True, text=True, env=env, timeout=180, cwd=tmp_path,
        )  # fmt: skip

    assert run("plan", "--out", str(plan_file)).returncode == 0
    r = run("apply", str(plan_file), "--timeout", "60s")
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in (micro.parent / "ws-state").iterdir())
    assert ".runs" in names  # the run's record
    assert [n for n in names if not n.startswith(".")] == [
        "my-cluster%2Fapi",
        "my-cluster%2Fdatabase",
        "my-cluster%2Ffrontend",
    ]
    assert not (tmp_path / "state").exists()

    # Applying a workspace plan without -w uses the workspace the plan records.
    (micro.parent / "services" / "api" / "ecs-task-def.json").write_text(
        (micro.parent / "services" / "api" / "ecs-task-def.json").read_text().replace("2.4", "2.6")
    )
    assert run("plan", "--out", str(plan_file)).returncode == 0
    r = subprocess.run(
        [sys.executable, "-m", "planner", "apply", str(plan_file), "--timeout", "60s"],
        capture_output=True, text=True, env=env, timeout=180, cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert len(list((micro.parent / "ws-state" / "my-cluster%2Fapi" / "runs").iterdir())) == 2
    assert not (tmp_path / "state").exists()
