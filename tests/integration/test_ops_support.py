"""Helpers of the operations tests (status, wait, scale, revisions, tasks, refresh, delete).

The CLI runs in-process through `planner.cli.main.main` (exit codes as a user sees them), or
in a subprocess when it must run while the test moves the sandbox clock. Live state is read
with plain boto3.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from click.testing import CliRunner

from planner.sandbox.server import Sandbox

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
REGION = "ap-northeast-1"
ENV = {"ECSPLAN_POLL_INTERVAL": "0.05", "NO_COLOR": "1", "COLUMNS": "250"}


@dataclass
class Out:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def global_args(configs: Sequence[Path], state: Path, workspace: Path | None = None) -> list[str]:
    args = ["--no-color", "--state", str(state)]
    if workspace is not None:
        args += ["-w", str(workspace)]
    for c in configs:
        args += ["-c", str(c)]
    return args


def ecsplan(
    configs: Sequence[Path],
    state: Path,
    *args: str,
    workspace: Path | None = None,
    env: dict[str, str] | None = None,
) -> Out:
    """`ecsplan <globals> <args>` in this process; stdin is not a TTY."""
    from planner.cli.main import main

    saved = {k: os.environ.get(k) for k in {**ENV, **(env or {})}}
    os.environ.update({**ENV, **(env or {})})
    runner = CliRunner()
    code = 0
    try:
        with runner.isolation(input="") as streams:
            try:
                main([*global_args(configs, state, workspace), *args])
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            out, err = streams[0].getvalue(), streams[1].getvalue()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return Out(code, out.decode(errors="replace"), err.decode(errors="replace"))


def popen(
    sandbox: Sandbox, configs: Sequence[Path], state: Path, *args: str
) -> subprocess.Popen[str]:
    """`ecsplan ...` in a subprocess (so the test can move the sandbox clock meanwhile)."""
    return subprocess.Popen(
        [sys.executable, "-m", "planner", *global_args(configs, state), *args],
        env={**os.environ, **sandbox.env(), **ENV},
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def example(name: str, tmp_path: Path) -> Path:
    """Copy examples/<name> into tmp_path; the copied ecspresso.yml (or workspace.yml)."""
    dest = tmp_path / name
    shutil.copytree(EXAMPLES / name, dest)
    ws = dest / "workspace.yml"
    return ws if ws.exists() else dest / "ecspresso.yml"


def deployed(sandbox: Sandbox, config: Path, state: Path, *flags: str) -> None:
    """Prepare the sandbox for a config and deploy it (waiting for the rollout)."""
    sandbox.prepare([str(config)])
    r = ecsplan([config], state, "deploy", *flags)
    assert r.code == 0, r


def client(sandbox: Sandbox, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=sandbox.endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def describe(sandbox: Sandbox, cluster: str, service: str) -> dict[str, Any]:
    found = client(sandbox, "ecs").describe_services(cluster=cluster, services=[service])
    return dict(found["services"][0])


def register_revision(sandbox: Sandbox, arn: str, image: str) -> str:
    """A new revision of the task definition ``arn`` with another image (plain boto3)."""
    ecs = client(sandbox, "ecs")
    td = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    keep = (
        "family",
        "containerDefinitions",
        "executionRoleArn",
        "networkMode",
        "requiresCompatibilities",
        "cpu",
        "memory",
    )
    payload = {k: td[k] for k in keep if k in td}
    payload["containerDefinitions"][0]["image"] = image
    return str(ecs.register_task_definition(**payload)["taskDefinition"]["taskDefinitionArn"])


def active_revisions(sandbox: Sandbox, family: str) -> list[int]:
    arns = client(sandbox, "ecs").list_task_definitions(familyPrefix=family, status="ACTIVE")[
        "taskDefinitionArns"
    ]
    return sorted(
        int(a.rsplit(":", 1)[1]) for a in arns if a.split("/")[-1].split(":")[0] == family
    )
