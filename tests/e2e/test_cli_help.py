"""The CLI lists every command of the contract; unbuilt ones say so and exit 1."""

from __future__ import annotations

import subprocess
import sys

CONTRACT = [
    "validate", "render", "plan", "apply", "deploy", "rollback", "diff", "status", "wait",
    "scale", "revisions", "deregister", "verify", "init", "run", "exec", "tasks", "refresh",
    "appspec", "delete", "state", "sandbox",
]  # fmt: skip


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=60
    )


def test_help_lists_contract_commands() -> None:
    out = run("--help")
    assert out.returncode == 0
    listed = {line.split()[0] for line in out.stdout.splitlines() if line.startswith("  ")}
    missing = [c for c in CONTRACT if c not in listed]
    assert not missing, f"commands missing from --help: {missing}"


def test_unknown_flag_is_exit_1_with_one_line() -> None:
    out = run("--definitely-not-a-flag")
    assert out.returncode == 1
    assert out.stderr.startswith("Error: ")
