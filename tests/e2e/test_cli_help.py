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


def test_command_table_matches_the_modules() -> None:
    """Each command loads from the module the lazy table names, and no module defines a
    command the table (and so `ecsplan --help`) would not list."""
    import importlib

    from planner.cli.commands import COMMANDS, PACKAGED
    from planner.cli.main import cli

    for name, (module, summary) in COMMANDS.items():
        importlib.import_module(f"planner.cli.{module}")
        assert name in cli.commands, f"planner.cli.{module} does not define {name}"
        assert summary.endswith(".") and len(summary) <= 80
    # entry-point commands (`sandbox`, from ecsplan-sandbox) join once some test has run one
    unlisted = set(cli.commands) - set(COMMANDS) - set(PACKAGED) - {"version", "help"}
    assert not unlisted, f"commands missing from planner/cli/commands.py: {unlisted}"


def test_version_and_help_import_no_heavy_module() -> None:
    """Start-up stays small: `--version` and `--help` load neither boto3 nor rich (the time
    itself is measured by bench/startup.py, not asserted)."""
    probe = (
        "import sys\nfrom planner.cli.main import main\n"
        "for argv in (['--version'], ['--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "heavy = [m for m in ('boto3', 'botocore', 'rich', 'moto', 'yaml', 'jsonschema') "
        "if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "HEAVY="
