"""ecspresso's --filter-command (peco, fzf...) chooses the task for `tasks` and `exec`.

The candidate lines go to the command's stdin, task id first; the line it prints names the
task. Stand-ins for an interactive picker: `tee FILE | tail -n 1` records what it was shown
and picks the last line. Run on the fargate-spot example (3 tasks) in the sandbox.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_cli import client, copy_example, ecsplan, fake_session_manager_plugin

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

QUIET = {"ECSPLAN_POLL_INTERVAL": "0.02", "NO_COLOR": "1"}


@pytest.fixture
def cfg(sandbox: Sandbox, tmp_path: Path) -> Path:
    path = copy_example("fargate-spot", tmp_path)
    sandbox.prepare([str(path)])
    r = ecsplan("deploy", "--config", str(path), "--state", str(tmp_path / "state"), env=QUIET)
    assert r.code == 0, r
    return path


def shown(path: Path) -> list[str]:
    lines = path.read_text().splitlines()
    assert len(lines) == 3, lines  # one line per task
    return [line.split("\t")[0] for line in lines]


def test_tasks_find_dumps_the_task_the_filter_chose(cfg: Path, tmp_path: Path) -> None:
    """ecsta v0.4.5 ecsta.go findTask and filter.go runFilter: the filter command gets the task
    list as TSV lines without a header (format.go taskFormatterTSV), and the first TSV field of
    what it prints names the task, dumped as JSON."""
    seen = tmp_path / "shown"
    r = ecsplan(
        "tasks", "--find", "--config", str(cfg), "--filter-command", f"tee {seen} | tail -n 1"
    )
    assert r.code == 0, r
    task = json.loads(r.stdout)
    assert task["taskArn"].endswith("/" + shown(seen)[-1])
    assert task["lastStatus"] == "RUNNING"
    # the lines are `tasks --output tsv`'s without its header: ecsta's columns
    tsv = ecsplan("tasks", "--output", "tsv", "--config", str(cfg)).stdout.splitlines()
    assert tsv[0].startswith("ID\tTaskDefinition\tInstance\t")
    assert seen.read_text().splitlines() == tsv[1:]


def test_tasks_stop_stops_the_task_the_filter_chose(
    sandbox: Sandbox, cfg: Path, tmp_path: Path
) -> None:
    """ecsta v0.4.5 stop.go RunStop through ecsta.go findTask: the task the filter command printed
    is stopped."""
    seen = tmp_path / "shown"
    picker = f"tee {seen} | sed -n 2p"
    r = ecsplan("tasks", "--stop", "--force", "--config", str(cfg), "--filter-command", picker)
    assert r.code == 0, r
    chosen = shown(seen)[1]
    assert f"stopping task {chosen}" in r.stderr
    ecs = client(sandbox, "ecs")
    stopped = ecs.list_tasks(cluster="my-cluster", desiredStatus="STOPPED")["taskArns"]
    running = ecs.list_tasks(cluster="my-cluster", desiredStatus="RUNNING")["taskArns"]
    assert [a.rsplit("/", 1)[-1] for a in stopped] == [chosen]
    assert chosen not in {a.rsplit("/", 1)[-1] for a in running}


def test_the_config_filter_command_and_the_env_var_are_used(cfg: Path, tmp_path: Path) -> None:
    """ecspresso v2.6.0 cli.go CLIOptions.FilterCommand (`env:"ECSPRESSO_FILTER_COMMAND"`) over
    config.go's `filter_command`."""
    seen = tmp_path / "shown"
    cfg.write_text(cfg.read_text() + f"filter_command: 'tee {seen} | head -n 1'\n")
    r = ecsplan("-c", str(cfg), "tasks", "--find")
    assert r.code == 0, r
    assert "warning" not in r.stderr
    assert json.loads(r.stdout)["taskArn"].endswith("/" + shown(seen)[0])
    # ECSPRESSO_FILTER_COMMAND (as --filter-command) wins over the config's
    r = ecsplan("-c", str(cfg), "tasks", "--find", env={"ECSPRESSO_FILTER_COMMAND": "tail -n 1"})
    assert r.code == 0, r
    assert json.loads(r.stdout)["taskArn"].endswith("/" + shown(seen)[-1])


@pytest.mark.parametrize(
    ("picker", "message"),
    [
        ("false", "Error: no task chosen: filter command 'false' exited with 1"),
        ("grep nothing-matches", "exited with 1"),
        (
            "cat >/dev/null",
            "Error: no task chosen: filter command 'cat >/dev/null' printed nothing",
        ),
        ("echo not-a-task", "printed 'not-a-task', which is none of the tasks"),
    ],
)
def test_a_filter_that_chooses_nothing_is_one_error_and_stops_nothing(
    sandbox: Sandbox, cfg: Path, picker: str, message: str
) -> None:
    r = ecsplan("tasks", "--stop", "--force", "-c", str(cfg), "--filter-command", picker)
    assert r.code == 1, r
    assert message in r.stderr.splitlines()[0]
    assert sandbox.stats()["requests"].get("ecs:StopTask", 0) == 0


def test_exec_opens_the_session_in_the_task_the_filter_chose(
    cfg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args_file = fake_session_manager_plugin(tmp_path, monkeypatch)
    seen = tmp_path / "shown"
    r = ecsplan("exec", "-c", str(cfg), "--filter-command", f"tee {seen} | sed -n 3p")
    assert r.code == 0, r
    assert "choose one with --task" not in r.stderr
    target = json.loads(args_file.read_text().splitlines()[4])["Target"]
    assert target.split("_")[1] == shown(seen)[2]


def test_exec_chooses_the_container_too_when_the_task_has_several(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_example("fargate-spot", tmp_path)
    td_path = path.parent / "ecs-task-def.json"
    td = json.loads(td_path.read_text())
    sidecar = {**td["containerDefinitions"][0], "name": "sidecar", "portMappings": []}
    td["containerDefinitions"].append(sidecar)
    td_path.write_text(json.dumps(td))
    sandbox.prepare([str(path)])
    r = ecsplan("deploy", "--config", str(path), "--state", str(tmp_path / "state"), env=QUIET)
    assert r.code == 0, r
    args_file = fake_session_manager_plugin(tmp_path, monkeypatch)
    # tasks: no line says "sidecar", so the last task; containers: the sidecar's line
    picker = "awk '/sidecar/ {print; f=1; exit} {last=$0} END {if (!f) print last}'"
    r = ecsplan("exec", "-c", str(path), "--filter-command", picker)
    assert r.code == 0, r
    assert sandbox.stats()["requests"]["ecs:ExecuteCommand"] == 1
    session = json.loads(args_file.read_text().splitlines()[0])
    assert session["sessionId"]
    target = json.loads(args_file.read_text().splitlines()[4])["Target"]
    runtime_id = target.split("_")[2]
    task_id = target.split("_")[1]
    ecs = client(sandbox, "ecs")
    arn = next(a for a in ecs.list_tasks(cluster="my-cluster")["taskArns"] if a.endswith(task_id))
    containers = ecs.describe_tasks(cluster="my-cluster", tasks=[arn])["tasks"][0]["containers"]
    assert {c["name"]: c.get("runtimeId") for c in containers}["sidecar"] == runtime_id
