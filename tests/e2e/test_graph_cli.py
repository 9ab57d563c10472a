"""`ecsplan graph` as a user runs it on examples/microservices (database <- api <- frontend):
the drawing on stdout, and one located error line with exit 1 for a broken workspace or plan.

No AWS: graph reads the workspace file and, when given, a saved plan (hand-built here; the
integration test draws one the sandbox planned)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from planner import __version__
from planner.plan.codec import plan_to_data
from planner.plan.model import Plan

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "unit"))
from test_render_plans import (
    image_change_service,
    new_service,
    plan_of,
    unchanged_service,
)

ROOT = Path(__file__).resolve().parents[2]
MICRO = ROOT / "examples" / "microservices"

MERMAID = """flowchart LR
  s1["database"]
  s2["api"]
  s3["frontend"]
  s1 --> s2
  s2 --> s3
"""


def ecsplan(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "planner", "--no-color", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=cwd,
    )


@pytest.fixture
def micro(tmp_path: Path) -> Path:
    work = tmp_path / "microservices"
    shutil.copytree(MICRO, work)
    return work / "workspace.yml"


def write_plan(path: Path, plan: Plan) -> Path:
    data = plan_to_data(replace(plan, tool_version=__version__))
    path.write_text(json.dumps(data, indent=2))
    return path


def one_error(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout == ""
    (line,) = [x for x in r.stderr.splitlines() if x.strip()]
    assert line.startswith("Error: ")
    return line


def test_mermaid_is_the_default() -> None:
    r = ecsplan("-w", "examples/microservices/workspace.yml", "graph")
    assert r.returncode == 0, r.stderr
    assert r.stdout == MERMAID


def test_dot_format(micro: Path) -> None:
    r = ecsplan("-w", str(micro), "graph", "--format", "dot")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith('digraph "workspace.yml" {\n  rankdir=LR;\n')
    assert '  s1 [label="database"];\n  s2 [label="api"];\n  s3 [label="frontend"];\n' in r.stdout
    assert r.stdout.endswith("  s1 -> s2;\n  s2 -> s3;\n}\n")


def test_a_saved_plan_marks_the_changed_services(micro: Path, tmp_path: Path) -> None:
    plan = plan_of(
        unchanged_service("database"),
        replace(image_change_service("api"), depends_on=("database",)),
        replace(new_service("frontend"), depends_on=("api",)),
    )
    saved = write_plan(tmp_path / "plan.json", plan)
    r = ecsplan("-w", str(micro), "graph", str(saved))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1:4] == [
        '  s1["database (no changes)"]',
        '  s2["~ api (update)"]',
        '  s3["+ frontend (create)"]',
    ]
    assert "  class s2 update" in r.stdout and "  class s3 create" in r.stdout

    alone = ecsplan("graph", str(saved), "--format", "dot")  # the plan's own depends_on
    assert alone.returncode == 0, alone.stderr
    assert 's2 [label="~ api (update)", fillcolor="#fff8c5"' in alone.stdout
    assert "s1 -> s2;\n  s2 -> s3;" in alone.stdout


def test_a_plan_of_some_services_marks_the_others_as_not_planned(
    micro: Path, tmp_path: Path
) -> None:
    plan = plan_of(
        unchanged_service("database"),
        replace(image_change_service("api"), depends_on=("database",)),
    )  # plan --target api
    saved = write_plan(tmp_path / "plan.json", plan)
    r = ecsplan("-w", str(micro), "graph", str(saved))
    assert r.returncode == 0, r.stderr
    assert '  s3["frontend (not in the plan)"]' in r.stdout
    assert "stroke-dasharray" in r.stdout


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            {"database": ["frontend"]},
            "workspace.yml:4: $.services.database.depends_on: dependency cycle: "
            "database -> frontend -> api -> database",
        ),
        (
            {"api": ["database", "cache"]},
            'workspace.yml:6: $.services.api.depends_on[1]: unknown service "cache"',
        ),
    ],
    ids=["cycle", "unknown"],
)
def test_broken_workspace_is_one_located_error(
    micro: Path, edit: dict[str, list[str]], message: str
) -> None:
    lines = ["services:"]
    deps = {"database": [], "api": ["database"], "frontend": ["api"], **edit}
    for name in ("database", "api", "frontend"):
        lines.append(f"  {name}:")
        lines.append(f"    config: services/{name}/ecspresso.yml")
        if deps[name]:
            lines.append(f"    depends_on: [{', '.join(deps[name])}]")
    micro.write_text("\n".join(lines) + "\n")
    line = one_error(ecsplan("-w", str(micro), "graph"))
    assert line.endswith(message), line


@pytest.mark.parametrize(
    ("services", "message"),
    [
        (
            [("database", ["frontend"]), ("api", ["database"]), ("frontend", ["api"])],
            "$.services[0].depends_on: dependency cycle: database -> frontend -> api -> database",
        ),
        ([("api", ["cache"])], '$.services[0].depends_on[0]: unknown service "cache"'),
    ],
    ids=["cycle", "unknown"],
)
def test_broken_plan_file_is_one_located_error(
    tmp_path: Path, services: list[tuple[str, list[str]]], message: str
) -> None:
    plan = plan_of(*(replace(unchanged_service(k), depends_on=tuple(d)) for k, d in services))
    saved = write_plan(tmp_path / "plan.json", plan)
    line = one_error(ecsplan("graph", str(saved)))
    assert line == f"Error: {saved}: {message}"


def test_plan_of_another_workspace_is_refused(micro: Path, tmp_path: Path) -> None:
    saved = write_plan(tmp_path / "plan.json", plan_of(unchanged_service("billing")))
    line = one_error(ecsplan("-w", str(micro), "graph", str(saved)))
    assert f'{saved}: the plan covers service "billing", which {micro} does not list' in line


def test_nothing_to_draw_says_what_to_give() -> None:
    line = one_error(ecsplan("graph"))
    assert "graph needs a workspace (ecsplan -w workspace.yml graph)" in line
    assert "or a saved plan (ecsplan graph plan.json)" in line
