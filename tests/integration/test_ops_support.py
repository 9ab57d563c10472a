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
from pathlib import Path
from typing import Any

from helpers_cli import Result, client, run_inproc

from ecsplan_sandbox.server import Sandbox

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
REGION = "ap-northeast-1"
ENV = {"ECSPLAN_POLL_INTERVAL": "0.05", "NO_COLOR": "1", "COLUMNS": "250"}


Out = Result  # one CLI result type for every integration test


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
) -> Result:
    """`ecsplan <globals> <args>` in this process; stdin is not a TTY."""
    ws = ["-w", str(workspace)] if workspace is not None else []
    return run_inproc(configs, state, *ws, *args, env={**ENV, **(env or {})}, stdin="")


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
