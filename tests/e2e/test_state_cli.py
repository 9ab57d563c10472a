"""`ecsplan state list|show|unlock` as a user runs them, on a local state directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.state import Journal, LockInfo, open_backend

SERVICE = "my-cluster/web"
OLD_RUN = "20260101T000000Z-aaaaaa"
NEW_RUN = "20260102T000000Z-bbbbbb"


def ecsplan(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ECSPLAN_STATE"}
    return subprocess.run(
        [sys.executable, "-m", "planner", "--state", str(state), "state", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """Two runs of my-cluster/web (one succeeded, one crashed mid-update), one of api."""
    root = tmp_path / "state"
    backend = open_backend(str(root))
    done = Journal(backend, SERVICE, OLD_RUN)
    done.start("apply")
    done.begin("register", "register_task_definition")
    done.success("register", "register_task_definition", {"taskDefinitionArn": "arn:td/web:7"})
    done.end("succeeded")
    crashed = Journal(backend, SERVICE, NEW_RUN)
    crashed.start("deploy")
    crashed.begin("scale", "set_scaling_capacity")
    crashed.failure("scale", "set_scaling_capacity", "ValidationException: max < min")
    crashed.begin("update", "update_service")
    api = Journal(backend, "my-cluster/api", "20260103T000000Z-cccccc")
    api.start("apply")
    api.end("succeeded")
    return root


def hold_lock(root: Path, run_id: str) -> LockInfo:
    """Take the lock in a process that then dies without releasing it."""
    code = (
        "import sys; from planner.state import open_backend; "
        f"print(open_backend(sys.argv[1]).lock({SERVICE!r}, operation='apply', "
        f"run_id={run_id!r}).to_json())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True
    )
    return LockInfo.from_json(out.stdout)


def test_list_text(state: Path) -> None:
    info = hold_lock(state, NEW_RUN)
    out = ecsplan(state, "list")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["SERVICE", "LAST", "RUN", "OPERATION", "STARTED", "OUTCOME"]
    api, web = lines[1].split(), lines[2].split()
    assert api[0] == "my-cluster/api" and api[-1] == "succeeded"
    assert web[:3] == [SERVICE, NEW_RUN, "deploy"] and web[-1] == "unfinished"
    assert "Locks held:" in lines
    assert f"  {SERVICE}: locked by {info.describe()}" in lines


def test_list_json(state: Path) -> None:
    out = ecsplan(state, "list", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    by_service = {s["service"]: s["last_run"] for s in data["services"]}
    assert by_service[SERVICE]["run_id"] == NEW_RUN
    assert by_service[SERVICE]["outcome"] is None
    assert by_service["my-cluster/api"]["outcome"] == "succeeded"
    assert data["locks"] == []


def test_list_empty(tmp_path: Path) -> None:
    out = ecsplan(tmp_path / "nothing-here", "list")
    assert out.returncode == 0
    assert out.stdout.startswith("No state in ")
    assert not (tmp_path / "nothing-here").exists()  # reading creates nothing


def test_show_text_lists_runs_and_steps(state: Path) -> None:
    out = ecsplan(state, "show", SERVICE)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Lock: not held" in text
    assert text.index(NEW_RUN) < text.index(OLD_RUN)  # newest first
    assert f"Run {NEW_RUN}: deploy, unfinished" in text
    assert "resume it with: ecsplan apply --resume" in text
    assert f"Run {OLD_RUN}: apply, succeeded" in text
    rows = {line.split()[0]: line.split() for line in text.splitlines() if line.startswith("  ")}
    assert rows["scale"][1:3] == ["set_scaling_capacity", "failed"]
    assert "ValidationException: max < min" in " ".join(rows["scale"])
    assert rows["update"][1:4] == ["update_service", "in", "doubt"]
    assert rows["register"][1:3] == ["register_task_definition", "succeeded"]
    assert "taskDefinitionArn=arn:td/web:7" in rows["register"]


def test_show_json_by_short_name_with_limit(state: Path) -> None:
    out = ecsplan(state, "show", "web", "--runs", "1", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["service"] == SERVICE
    assert [r["run_id"] for r in data["runs"]] == [NEW_RUN]
    steps = {s["step_id"]: s for s in data["runs"][0]["steps"]}
    assert steps["update"]["state"] == "in_doubt"
    assert steps["scale"]["error"].startswith("ValidationException")


def test_show_unknown_service_is_exit_1(state: Path) -> None:
    out = ecsplan(state, "show", "nope")
    assert out.returncode == 1
    assert out.stderr.startswith("Error: no state for service 'nope'; services with state:")
    assert SERVICE in out.stderr


def test_show_warns_about_a_torn_journal_line(state: Path) -> None:
    (run_file,) = state.glob(f"*/runs/{NEW_RUN}.jsonl")
    with run_file.open("ab") as f:
        f.write(b'{"format":1,"seq":6,')
    out = ecsplan(state, "show", SERVICE)
    assert out.returncode == 0, out.stderr
    assert "Warning: " in out.stderr and "incomplete last journal line" in out.stderr
    assert f"Run {NEW_RUN}: deploy, unfinished" in out.stdout


def test_unlock_releases_a_dead_runs_lock(state: Path) -> None:
    info = hold_lock(state, NEW_RUN)
    out = ecsplan(state, "show", SERVICE)
    assert f"Lock: held by {info.describe()}" in out.stdout
    assert f"if dead, ecsplan state unlock {info.id}, then ecsplan apply --resume" in out.stdout

    out = ecsplan(state, "unlock", info.id)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"Released lock {info.id} on {SERVICE}, held by {info.who}")
    assert f"Run {NEW_RUN} did not finish; `ecsplan apply --resume` continues it." in out.stdout
    assert open_backend(str(state)).locks() == []

    again = ecsplan(state, "unlock", info.id)
    assert again.returncode == 1
    assert again.stderr.startswith(f"Error: no lock with id {info.id}")


def test_state_env_var_is_the_location(state: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "planner", "state", "list", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "ECSPLAN_STATE": str(state)},
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["state"] == str(state)


def test_without_state_flag_the_workspace_state_is_read(state: Path, tmp_path: Path) -> None:
    """`ecsplan -w workspace.yml state list` shows the state plan and apply of that
    workspace use (its `state:`), not ./state."""
    ws = tmp_path / "ws"
    (ws / "web").mkdir(parents=True)
    (ws / "web" / "ecspresso.yml").write_text(
        "region: us-east-1\ncluster: my-cluster\nservice: web\n"
        "task_definition: td.json\nservice_definition: sd.json\n"
    )
    (ws / "workspace.yml").write_text(
        f"state: {state}\nservices:\n  web:\n    config: web/ecspresso.yml\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ECSPLAN_STATE"}
    out = subprocess.run(
        [sys.executable, "-m", "planner", "-w", "workspace.yml", "state", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ws,
    )
    assert out.returncode == 0, out.stderr
    assert SERVICE in out.stdout and "my-cluster/api" in out.stdout
    bare = subprocess.run(
        [sys.executable, "-m", "planner", "state", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ws / "web",
    )
    assert bare.returncode == 0, bare.stderr
    assert bare.stdout.startswith("No state in ./state.")
