"""ecspresso's list flags on the command line, as a user's script passes them.

ecspresso cli.go (v2.6.0) `Envfile []string`, `ExtStr map[string]string`: kong splits the first
on commas and the second on semicolons (kong tag.go defaults `sep`/`mapsep`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "a.env").write_text("SERVICE_PREFIX=web\n")
    (tmp_path / "b.env").write_text("SERVICE_SUFFIX=blue\n")
    (tmp_path / "ecspresso.yml").write_text(
        "region: us-east-1\ncluster: c\n"
        "service: '{{ must_env `SERVICE_PREFIX` }}-{{ must_env `SERVICE_SUFFIX` }}'\n"
        "task_definition: td.jsonnet\n"
    )
    (tmp_path / "td.jsonnet").write_text(
        "{ family: std.extVar('APP') + '-' + std.extVar('STAGE'),"
        " containerDefinitions: [{ name: 'app', image: 'nginx' }] }\n"
    )
    return tmp_path


def ecsplan(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECSPRESSO_")}
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=cwd,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--envfile", "a.env,b.env", "--ext-str", "APP=shop;STAGE=prod", "render", "config", "taskdef"],
        ["render", "config", "taskdef", "--envfile", "a.env", "--envfile", "b.env", "--ext-str", "APP=shop", "--ext-str", "STAGE=prod"],
    ],
)  # fmt: skip
def test_comma_and_semicolon_lists_are_split(config: Path, args: list[str]) -> None:
    out = ecsplan(config, *args)
    assert out.returncode == 0, out.stderr
    assert '"service": "web-blue"' in out.stdout or "service: web-blue" in out.stdout
    assert '"family": "shop-prod"' in out.stdout


def test_a_map_item_without_equals_is_one_line_naming_the_flag(config: Path) -> None:
    out = ecsplan(config, "--envfile", "a.env,b.env", "--ext-str", "APP=shop;STAGE", "render")
    assert out.returncode == 1
    assert out.stderr == "Error: --ext-str: expected \"<key>=<value>\" but got 'STAGE'\n"


def test_env_vars_split_the_same_way(config: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECSPRESSO_")}
    env |= {"ECSPRESSO_ENVFILE": "a.env,b.env", "ECSPRESSO_EXT_STR": "APP=shop;STAGE=prod"}
    out = subprocess.run(
        [sys.executable, "-m", "planner", "render", "taskdef"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=config,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["family"] == "shop-prod"
