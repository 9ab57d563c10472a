"""The dependency diagram of a real workspace plan (examples/microservices on the sandbox):
`plan --format markdown` carries it above the per-service details, and `graph PLANFILE` draws
the same marks from the saved plan."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers_cli import EXAMPLES, Result, run_inproc

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration


@pytest.fixture
def micro(sandbox: Sandbox, tmp_path: Path) -> Path:
    work = tmp_path / "microservices"
    shutil.copytree(EXAMPLES / "microservices", work)
    sandbox.prepare([str(work / "workspace.yml")])
    return work / "workspace.yml"


def ws(micro: Path, tmp_path: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return run_inproc([], tmp_path / "state", "-w", str(micro), *args, env=env)


def labels(mermaid: str) -> list[str]:
    return re.findall(r'^  s\d+\["([^"]*)"\]$', mermaid, flags=re.M)


def test_plan_markdown_and_graph_show_which_services_change(micro: Path, tmp_path: Path) -> None:
    applied = ws(micro, tmp_path, "apply", "--auto-approve", "--timeout", "60s")
    assert applied.code == 0, applied
    out = str(tmp_path / "plan.json")
    r = ws(micro, tmp_path, "plan", "--out", out, "--format", "markdown", env={"API_TAG": "2.5"})
    assert r.code == 0, r
    (diagram,) = re.findall(r"^```mermaid\n(.*?)^```$", r.stdout, flags=re.M | re.S)
    expected = ["database (no changes)", "~ api (update)", "frontend (no changes)"]
    assert labels(diagram) == expected
    assert "  s1 --> s2\n  s2 --> s3\n" in diagram
    assert r.stdout.index("```mermaid") < r.stdout.index("<details><summary><code>~ my-cluster/api")

    drawn = ws(micro, tmp_path, "graph", out)
    assert drawn.code == 0, drawn
    assert labels(drawn.stdout) == expected
    assert drawn.stdout == diagram  # the comment's diagram is what `graph` prints

    dot = ws(micro, tmp_path, "graph", out, "--format", "dot")
    assert dot.code == 0, dot
    assert 's2 [label="~ api (update)", fillcolor="#fff8c5", color="#9a6700"];' in dot.stdout


def test_targeted_plan_marks_the_rest_as_not_planned(micro: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "plan.json")
    r = ws(micro, tmp_path, "plan", "--out", out, "--target", "api")
    assert r.code == 0, r
    drawn = ws(micro, tmp_path, "graph", out)
    assert drawn.code == 0, drawn
    assert labels(drawn.stdout) == [
        "+ database (create)",
        "+ api (create)",
        "frontend (not in the plan)",
    ]
