"""`ecsplan diff` prints what `ecspresso diff` prints: `--- <live ARN>` / `+++ <local file>` and a
unified diff (`--no-unified`: each whole document, lines marked); nothing when live matches."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_cli import cli_env, copy_example, delta, requests, run_inproc, writes_of

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

HUNK = re.compile(r"^@@ -\d+(,\d+)? \+\d+(,\d+)? @@$")


@pytest.fixture
def deployed(sandbox: Sandbox, tmp_path: Path) -> Path:
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([str(cfg)])
    assert run_inproc([cfg], tmp_path / "state", "deploy").code == 0
    return cfg


def test_diff_of_an_image_change_is_a_unified_diff_of_the_task_definition(
    sandbox: Sandbox, deployed: Path, tmp_path: Path
) -> None:
    """diff.go diffTaskDefs @v2.6.0: gotextdiff.ToUnified(remoteArn, localPath, ...), so `--- <live
    ARN>`, `+++ <local file>`, `@@` hunks; Diff returns nil whether or not there are
    differences, so exit 0 (cli.go CLI). The lines differ from ecspresso's in content (ecsplan's
    canonical JSON)."""
    before = requests(sandbox)
    r = run_inproc([], None, "diff", "--config", str(deployed), env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    lines = r.stdout.splitlines()
    assert re.fullmatch(
        r"--- arn:aws:ecs:ap-northeast-1:\d{12}:task-definition/myservice:1", lines[0]
    )
    assert lines[1] == f"+++ {deployed.parent / 'ecs-task-def.json'}"
    assert HUNK.match(lines[2]), lines[2]
    changed = [line for line in lines[3:] if line.startswith(("+", "-"))]
    assert changed == ['-      "image": "nginx:1.27",', '+      "image": "nginx:1.28",']
    assert all(line[:1] in " +-@" for line in lines[3:]), r.stdout
    assert writes_of(delta(before, requests(sandbox))) == {}  # diff never writes


def test_no_unified_prints_the_whole_document(deployed: Path) -> None:
    """diff.go diffTaskDefs @v2.6.0 with `--no-unified`: `--- ARN`, `+++ file`, then the whole
    document with each line marked (kylelemons/godebug diff.Diff), no `@@` hunks."""
    env = {"IMAGE_TAG": "1.28"}
    unified = run_inproc([], None, "diff", "--config", str(deployed), env=env).stdout
    r = run_inproc([], None, "diff", "--no-unified", "--config", str(deployed), env=env)
    assert r.code == 0, r
    lines = r.stdout.splitlines()
    assert lines[0].startswith("--- arn:aws:ecs:") and lines[1].startswith("+++ ")
    assert not any(line.startswith("@@") for line in lines)
    assert lines[2] == " {" and lines[-2:] == [" }", ""]
    assert '+      "image": "nginx:1.28",' in lines
    assert len(lines) > len(unified.splitlines())


def test_diff_prints_nothing_when_live_matches(deployed: Path) -> None:
    r = run_inproc([], None, "diff", "--config", str(deployed))
    assert r.code == 0, r
    assert r.stdout == ""


def _recorder(tmp_path: Path, rc: int = 0) -> Path:
    """A diff tool that copies the two files it is given (and the order) for the test."""
    tool = tmp_path / "difftool"
    out = tmp_path / "seen"
    tool.write_text(
        f'#!/bin/sh\necho "$1" >> {out}/args\necho "$2" >> {out}/args\n'
        f'cp "$1" {out}/live.json\ncp "$2" {out}/local.json\necho tool-output\nexit {rc}\n'
    )
    tool.chmod(0o755)
    out.mkdir()
    return tool


def test_external_gets_the_live_and_the_local_document_as_files(
    deployed: Path, tmp_path: Path
) -> None:
    tool = _recorder(tmp_path)
    env = {"IMAGE_TAG": "1.28"}
    r = run_inproc([], None, "diff", "--config", str(deployed), "--external", str(tool), env=env)
    assert r.code == 0, r
    seen = tmp_path / "seen"
    live = json.loads((seen / "live.json").read_text())
    local = json.loads((seen / "local.json").read_text())
    assert live["containerDefinitions"][0]["image"] == "nginx:1.27"
    assert local["containerDefinitions"][0]["image"] == "nginx:1.28"
    assert len((seen / "args").read_text().splitlines()) == 2  # one document changed
    assert not Path((seen / "args").read_text().splitlines()[0]).exists()  # temp files cleaned


def test_external_from_the_environment_and_a_failing_tool(deployed: Path, tmp_path: Path) -> None:
    tool = _recorder(tmp_path, rc=1)
    env = {"IMAGE_TAG": "1.28", "ECSPRESSO_DIFF_COMMAND": f"{tool} --color=always"}
    r = run_inproc([], None, "diff", "--config", str(deployed), env=env)
    assert r.code == 1
    assert r.stderr.splitlines()[0].startswith(
        f"Error: external diff command '{tool} --color=always' exited with 1; it must exit 0"
    )


@pytest.mark.parametrize(
    "flags,env,coloured",
    [
        ([], {}, False),  # a pipe: plain
        (["--color"], {}, True),  # forced, as ecspresso's --color (cli.go, v2.4.0+)
        ([], {"ECSPRESSO_COLOR": "true"}, True),
        (["--no-color"], {"ECSPRESSO_COLOR": "true"}, False),
        ([], {"ECSPRESSO_COLOR": "false"}, False),
        ([], {"NO_COLOR": "1"}, False),
    ],
)
def test_colour_into_a_pipe_only_when_asked(
    sandbox: Sandbox, deployed: Path, flags: list[str], env: dict[str, str], coloured: bool
) -> None:
    """ecspresso v2.4.0+ (cli.go `Color ... env:"ECSPRESSO_COLOR" default:"true"`, cliv2.go
    `color.NoColor = !opts.Color`) colours diff lines red/green (diff.go coloredDiff);
    ecsplan does when --color or ECSPRESSO_COLOR=true says so, and keeps a pipe plain
    otherwise (scripts parse it)."""
    run_env = cli_env(sandbox, {"IMAGE_TAG": "1.28", "ECSPRESSO_COLOR": None, **env})
    out = subprocess.run(
        [sys.executable, "-m", "planner", *flags, "diff", "--config", str(deployed)],
        capture_output=True,
        text=True,
        env=run_env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert ("\x1b[" in out.stdout) is coloured
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout)
    assert '+      "image": "nginx:1.28",' in plain.splitlines()


def test_without_service_diffs_the_task_definition_only(deployed: Path) -> None:
    """ecspresso diff.go after v2.6.0 (DiffOption.WithService, `negatable:"without-service"`):
    with --without-service the service definition is not compared, only the task definition
    (ecsplan compares it with the revision the service runs, as without the flag)."""
    sd = deployed.parent / "ecs-service-def.json"
    doc = json.loads(sd.read_text())
    doc["healthCheckGracePeriodSeconds"] = 90
    sd.write_text(json.dumps(doc, indent=2))
    env = {"IMAGE_TAG": "1.28"}
    both = run_inproc([], None, "diff", "--config", str(deployed), env=env)
    assert both.code == 0, both
    heads = [line for line in both.stdout.splitlines() if line.startswith("+++ ")]
    assert heads == [f"+++ {sd}", f"+++ {deployed.parent / 'ecs-task-def.json'}"]
    only = run_inproc([], None, "diff", "--without-service", "--config", str(deployed), env=env)
    assert only.code == 0, only
    lines = only.stdout.splitlines()
    assert [line for line in lines if line.startswith(("---", "+++"))] == [
        lines[0],
        f"+++ {deployed.parent / 'ecs-task-def.json'}",
    ]
    assert lines[0].endswith("task-definition/myservice:1")
    assert "healthCheckGracePeriodSeconds" not in only.stdout
    service_only = run_inproc([], None, "diff", "--without-service", "--config", str(deployed))
    assert service_only.code == 0 and service_only.stdout == ""
