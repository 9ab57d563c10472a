"""Rows of docs/ecspresso-compat.md proved without AWS: each test follows the ecspresso
v2.6.0 source it names (cli.go, kong v1.10.0) and runs `python -m planner` as a user does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _ecsplan(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ECSPRESSO_", "AWS_"))}
    base["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"  # nothing listens: an AWS call would fail
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **(env or {})},
        cwd=cwd,
    )


def test_ext_code_is_jsonnet_code_split_on_semicolons(tmp_path: Path) -> None:
    """cli.go CLIOptions `ExtCode map[string]string env:"ECSPRESSO_EXT_CODE"`: kong's map
    decoder splits on `;` (tag.go mapsep default), each item at its first `=`; the values are
    Jsonnet code, not strings (ext_code of go-jsonnet's VM); repeated flags merge."""
    (tmp_path / "ecspresso.yml").write_text(
        "region: us-east-1\ncluster: c\nservice: s\ntask_definition: td.jsonnet\n"
    )
    (tmp_path / "td.jsonnet").write_text(
        "{ family: 'f', cpu: std.toString(std.extVar('CPU')),"
        " containerDefinitions: [{ name: 'app', image: 'nginx', essential: std.extVar('ON'),"
        " memory: std.extVar('MEM') }] }\n"
    )
    one = _ecsplan(
        tmp_path, "--ext-code", "CPU=128*2;ON=true", "--ext-code", "MEM=512", "render", "taskdef"
    )
    assert one.returncode == 0, one.stderr
    td = json.loads(one.stdout)
    assert td["cpu"] == "256"
    assert td["containerDefinitions"][0]["essential"] is True
    assert td["containerDefinitions"][0]["memory"] == 512
    env = _ecsplan(
        tmp_path, "render", "taskdef", env={"ECSPRESSO_EXT_CODE": "CPU=1+1;ON=false;MEM=64"}
    )
    assert env.returncode == 0, env.stderr
    assert json.loads(env.stdout)["cpu"] == "2"


def test_later_envfiles_win_over_earlier_ones_and_the_environment(tmp_path: Path) -> None:
    """envfile.go ExportEnvFile @v2.6.0 runs os.Setenv for every key, file by file in the
    order cliv2.go ParseCLIv2 reads --envfile: a later file wins over an earlier one, and a
    file wins over the variable already in the environment."""
    (tmp_path / "a.env").write_text("FAMILY=from-a\nIMAGE=nginx:a\n")
    (tmp_path / "b.env").write_text("FAMILY=from-b\n")
    (tmp_path / "ecspresso.yml").write_text(
        "region: us-east-1\ncluster: c\nservice: s\ntask_definition: td.json\n"
    )
    (tmp_path / "td.json").write_text(
        '{"family": "{{ must_env `FAMILY` }}", "containerDefinitions": '
        '[{"name": "app", "image": "{{ must_env `IMAGE` }}"}]}\n'
    )
    env = {"FAMILY": "from-env", "IMAGE": "nginx:env"}
    out = _ecsplan(tmp_path, "--envfile", "a.env,b.env", "render", "taskdef", env=env)
    assert out.returncode == 0, out.stderr
    td = json.loads(out.stdout)
    assert (td["family"], td["containerDefinitions"][0]["image"]) == ("from-b", "nginx:a")


def test_log_format_is_accepted_in_any_position_and_from_the_environment(tmp_path: Path) -> None:
    """cli.go (v2.5+) `LogFormat string env:"ECSPRESSO_LOG_FORMAT" default:"text"
    enum:"text,json"`: command lines and environments that set it keep working; text
    changes nothing, json warns that ecsplan's output stays as it is, another value is
    kong's enum error (exit 1)."""
    same = _ecsplan(tmp_path, "version", "--log-format", "text")
    assert (same.returncode, same.stdout, same.stderr) == (
        0,
        _ecsplan(tmp_path, "version").stdout,
        "",
    )
    js = _ecsplan(tmp_path, "version", env={"ECSPRESSO_LOG_FORMAT": "json"})
    assert js.returncode == 0 and js.stdout.startswith("ecsplan ")
    assert js.stderr.startswith("warning: --log-format json")
    bad = _ecsplan(tmp_path, "--log-format", "xml", "version")
    assert bad.returncode == 1 and "--log-format" in bad.stderr and bad.stdout == ""
