"""Shared helpers for the CLI integration tests (plan, apply, crash/resume) on the sandbox.

The CLI runs either in-process (fast; `main()` inside click's isolation, so exit codes are the
ones a user sees) or in a subprocess (required for crashes, locks and signals). Live AWS state
is read with plain boto3; journals are read from the local state directory as JSON lines.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from click.testing import CliRunner

from ecsplan_sandbox.server import Sandbox

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCHEMAS = ROOT / "schemas"
REGION = "ap-northeast-1"
FAST_POLL = {"ECSPLAN_POLL_INTERVAL": "0.05", "NO_COLOR": "1", "COLUMNS": "200"}


@dataclass(repr=False)
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __iter__(self) -> Iterator[Any]:  # `code, out, err = ecsplan(...)`
        return iter((self.code, self.stdout, self.stderr))

    def __repr__(self) -> str:  # shows up in assertion messages
        return f"exit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"

    __str__ = __repr__


@contextmanager
def _env(overrides: Mapping[str, str | None]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in overrides}
    try:
        for k, v in overrides.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _global_args(configs: Sequence[Path | str], state: Path | str | None) -> list[str]:
    args: list[str] = ["--no-color"]
    for c in configs:
        args += ["-c", str(c)]
    if state is not None:
        args += ["--state", str(state)]
    return args


def run_inproc(
    configs: Sequence[Path | str],
    state: Path | str | None,
    *args: str,
    env: Mapping[str, str | None] | None = None,
    stdin: str | None = None,
) -> Result:
    """Run `ecsplan <globals> <args>` in this process through `planner.cli.main.main`."""
    from planner.cli.main import main

    argv = _global_args(configs, state) + list(args)
    runner = CliRunner()
    code = 0
    with _env({**FAST_POLL, **(env or {})}), runner.isolation(input=stdin) as streams:
        try:
            main(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        out, err = streams[0].getvalue(), streams[1].getvalue()
    return Result(code, out.decode(errors="replace"), err.decode(errors="replace"))


def ecsplan(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    """`ecsplan --no-color <args>` in this process (no -c/--state added)."""
    return run_inproc([], None, *args, env=env)


def cli_env(sandbox: Sandbox, extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECSPLAN_TEST_")}
    env.update(sandbox.env())
    env.update(FAST_POLL)
    for k, v in (extra or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def cli_argv(configs: Sequence[Path | str], state: Path | str | None, *args: str) -> list[str]:
    return [sys.executable, "-m", "planner", *_global_args(configs, state), *args]


def run_sub(
    sandbox: Sandbox,
    configs: Sequence[Path | str],
    state: Path | str | None,
    *args: str,
    env: Mapping[str, str | None] | None = None,
    timeout: float = 120,
) -> Result:
    """Run `ecsplan <globals> <args>` in a subprocess against the sandbox."""
    p = subprocess.run(
        cli_argv(configs, state, *args),
        env=cli_env(sandbox, env),
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Result(p.returncode, p.stdout, p.stderr)


def popen(
    sandbox: Sandbox,
    configs: Sequence[Path | str],
    state: Path | str | None,
    *args: str,
    env: Mapping[str, str | None] | None = None,
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli_argv(configs, state, *args),
        env=cli_env(sandbox, env),
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


# --- examples -----------------------------------------------------------------------------


def fake_session_manager_plugin(tmp_path: Path, monkeypatch: Any, exit_code: int = 0) -> Path:
    """A session-manager-plugin first on PATH that records its arguments, one per line, in
    the returned file (the sandbox has no SSM sessions to open)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    args_file = tmp_path / "plugin-args"
    plugin = bin_dir / "session-manager-plugin"
    plugin.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {args_file}\nexit {exit_code}\n")
    plugin.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return args_file


def copy_example(name: str, tmp_path: Path) -> Path:
    """Copy examples/<name> into tmp_path; returns the copied ecspresso.yml."""
    dest = tmp_path / name
    shutil.copytree(EXAMPLES / name, dest)
    return dest / "ecspresso.yml"


def edit_json(path: Path, **changes: Any) -> None:
    doc = json.loads(path.read_text())
    for k, v in changes.items():
        if v is None:
            doc.pop(k, None)
        else:
            doc[k] = v
    path.write_text(json.dumps(doc, indent=2))


# --- live AWS -----------------------------------------------------------------------------


def client(sandbox: Sandbox, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=sandbox.endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def describe_service(sandbox: Sandbox, cluster: str, service: str) -> dict[str, Any] | None:
    found = client(sandbox, "ecs").describe_services(cluster=cluster, services=[service])
    for s in found["services"]:
        if s.get("status") == "ACTIVE":
            return dict(s)
    return None


def family_revisions(sandbox: Sandbox, family: str, status: str = "ACTIVE") -> list[int]:
    arns = client(sandbox, "ecs").list_task_definitions(familyPrefix=family, status=status)[
        "taskDefinitionArns"
    ]
    return sorted(
        int(a.rsplit(":", 1)[1]) for a in arns if a.split("/")[-1].split(":")[0] == family
    )


def image_of(sandbox: Sandbox, task_definition_arn: str) -> str:
    td = client(sandbox, "ecs").describe_task_definition(taskDefinition=task_definition_arn)
    return str(td["taskDefinition"]["containerDefinitions"][0]["image"])


def revision_of(arn: str) -> int:
    return int(arn.rsplit(":", 1)[1])


def scalable_target(sandbox: Sandbox, cluster: str, service: str) -> dict[str, Any]:
    targets = client(sandbox, "application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[f"service/{cluster}/{service}"]
    )["ScalableTargets"]
    assert len(targets) == 1, targets
    return dict(targets[0])


# --- sandbox counters ---------------------------------------------------------------------


def requests(sandbox: Sandbox) -> dict[str, int]:
    return dict(sandbox.stats()["requests"])


def delta(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


def writes_of(counts: Mapping[str, int]) -> dict[str, int]:
    from ecsplan_sandbox.control import is_write

    return {k: v for k, v in counts.items() if is_write(k)}


# --- plans and journals -------------------------------------------------------------------


def step_kinds(plan_file: Path) -> list[str]:
    doc = json.loads(plan_file.read_text())
    return [st["kind"] for svc in doc["services"] for st in svc["steps"]]


def plan_steps(plan_file: Path) -> list[dict[str, Any]]:
    doc = json.loads(plan_file.read_text())
    return [st for svc in doc["services"] for st in svc["steps"]]


def service_dir(state: Path, cluster: str, service: str) -> Path:
    return state / urllib.parse.quote(f"{cluster}/{service}", safe="")


def journals(state: Path, cluster: str, service: str) -> list[Path]:
    runs = service_dir(state, cluster, service) / "runs"
    return sorted(runs.glob("*.jsonl")) if runs.is_dir() else []


def read_journal(path: Path) -> list[dict[str, Any]]:
    entries = []
    for line in path.read_text().splitlines():
        if line.strip():
            entries.append(json.loads(line))  # the crash hook kills after a complete write
    return entries


def all_entries(state: Path, cluster: str, service: str) -> list[dict[str, Any]]:
    return [e for j in journals(state, cluster, service) for e in read_journal(j)]


def successes_per_step(entries: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in entries:
        if e.get("event") == "success":
            out[str(e["step_id"])] = out.get(str(e["step_id"]), 0) + 1
    return out


def run_end_outcomes(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    return [
        str((e.get("data") or {}).get("outcome")) for e in entries if e.get("event") == "run_end"
    ]
