"""Markdown PR comments: snapshots, the warning block, and the split at 65,000 characters."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from test_render_plans import (
    all_plans,
    big_plan,
    check_snapshot,
    count_only_service,
    image_change_service,
    plan_of,
    unchanged_service,
)

from planner.plan.model import Plan, ServicePlan
from planner.render.markdown import (
    SPLIT_SEPARATOR,
    join_markdown_parts,
    render_markdown,
    write_markdown_parts,
)
from planner.render.split import COMMENT_LIMIT

PLANS = all_plans()


@pytest.mark.parametrize("name", sorted(PLANS))
def test_markdown_snapshot(name: str) -> None:
    parts = render_markdown(PLANS[name])
    assert len(parts) == 1
    check_snapshot(f"{name}.md", parts[0])


def _balanced(part: str) -> None:
    fence: str | None = None
    depth = 0
    for line in part.splitlines():
        s = line.strip()
        if fence is not None:
            if s and set(s) == {"`"} and len(s) >= len(fence):
                fence = None
            continue
        m = re.match(r"^(`{3,})", s)
        if m:
            fence = m[1]
        elif s.startswith("<details"):
            depth += 1
        elif s.startswith("</details>"):
            depth -= 1
            assert depth >= 0, "</details> without <details>"
    assert fence is None, "code fence left open"
    assert depth == 0, "<details> left open"


def test_big_plan_is_split_in_balanced_parts() -> None:
    parts = render_markdown(big_plan(200))
    assert len(parts) > 1
    n = len(parts)
    for i, part in enumerate(parts, start=1):
        assert len(part) <= COMMENT_LIMIT
        _balanced(part)
        if i == 1:
            assert part.startswith(f"## ecsplan plan (part 1 of {n})\n")
        else:
            assert part.startswith(f"## ecsplan plan (continued, part {i} of {n})\n")
    # every service's diff is somewhere, and the apply command closes the last part
    joined = "".join(parts)
    for i in range(200):
        assert f"registry.example.com/svc-{i:03d}:1.1.{i}" in joined
    assert parts[-1].rstrip().endswith("ecsplan apply plan.json\n```")


def test_small_limit_cuts_inside_tables_and_fences_and_reopens_them() -> None:
    parts = render_markdown(big_plan(30), limit=1000)
    assert len(parts) > 10
    for part in parts:
        assert len(part) <= 1000
        _balanced(part)
    table_rows = [p for p in parts if "| `my-cluster/svc-02" in p]
    assert table_rows and all("| service | change |" in p for p in table_rows)
    assert any("(continued)</summary>" in p for p in parts)


def test_warning_block_for_created_service() -> None:
    md = render_markdown(PLANS["new_service"])[0]
    assert "> [!WARNING]" in md
    assert "> - `my-cluster/newservice` will be created" in md
    assert "> [!WARNING]" not in render_markdown(PLANS["image_change"])[0]


def test_table_and_diff_markers_in_column_zero() -> None:
    md = render_markdown(PLANS["image_change"])[0]
    assert "| service | change | image | cpu/memory | desired count | deployment |" in md
    assert "`v1.2.3` →" not in md  # whole image references, not fragments
    assert "myservice:v1.2.3` → `" in md
    assert '\n-       "image": "123456789012.dkr.ecr' in md
    assert '\n+       "image": "123456789012.dkr.ecr' in md
    assert "```diff\n" in md
    assert "<details><summary><code>~ my-cluster/myservice will be updated in-place</code>" in md
    assert "```sh\necsplan apply plan.json\n```" in md


def test_no_changes_markdown() -> None:
    md = render_markdown(PLANS["no_changes"])[0]
    assert "**No changes. Live services match the configuration.**" in md
    assert "ecsplan apply" not in md


def test_write_parts_and_separator(tmp_path: Path) -> None:
    out = tmp_path / "plan.md"
    (tmp_path / "plan.part9.md").write_text("stale")
    parts = render_markdown(big_plan(120))
    paths = write_markdown_parts(parts, out)
    assert paths[0] == out
    assert [p.name for p in paths[1:]] == [f"plan.part{i}.md" for i in range(2, len(parts) + 1)]
    assert not (tmp_path / "plan.part9.md").exists()
    assert [p.read_text() for p in paths] == parts
    stream = join_markdown_parts(parts)
    assert stream.split(f"\n{SPLIT_SEPARATOR}\n") == parts
    single = write_markdown_parts(render_markdown(PLANS["count_only"]), out)
    assert single == [out] and not list(tmp_path.glob("plan.part*.md"))


def test_split_snapshot() -> None:
    parts = render_markdown(big_plan(60))
    assert len(parts) == 2
    for i, part in enumerate(parts, start=1):
        check_snapshot(f"big60.part{i}.md", part)


# --- the dependency diagram -------------------------------------------------------------------


def _chain(services: list[ServicePlan]) -> Plan:
    """Each service depends on the one before it."""
    chained = [
        replace(sp, depends_on=(services[i - 1].key,) if i else ()) for i, sp in enumerate(services)
    ]
    return plan_of(*chained)


def _mermaid_blocks(parts: list[str]) -> list[str]:
    joined = "\n".join(parts)
    return re.findall(r"^```mermaid\n(.*?)^```$", joined, flags=re.M | re.S)


def test_diagram_sits_between_the_table_and_the_details() -> None:
    md = render_markdown(PLANS["workspace"])[0]
    table = md.index("| `my-cluster/bluegreen` |")
    diagram = md.index("```mermaid\nflowchart LR\n")
    details = md.index("<details><summary><code>+ my-cluster/db-migrator")
    assert table < diagram < details
    (block,) = _mermaid_blocks([md])
    assert '["+ db-migrator (create)"]' in block and '["stable (no changes)"]' in block


@pytest.mark.parametrize("name", ["image_change", "no_changes"])
def test_no_diagram_without_dependencies_or_changes(name: str) -> None:
    assert "mermaid" not in render_markdown(PLANS[name])[0]
    no_deps = plan_of(image_change_service("a"), image_change_service("b"))
    assert "mermaid" not in render_markdown(no_deps)[0]  # nothing waits: the table says it all


def test_diagram_of_a_split_plan_stays_whole_in_one_part() -> None:
    parts = render_markdown(_chain(list(big_plan(200).services)))
    assert len(parts) > 1
    (block,) = _mermaid_blocks(parts)
    assert block.count(" --> ") == 199
    holding = [p for p in parts if "```mermaid" in p]
    assert len(holding) == 1 and len(holding[0]) <= COMMENT_LIMIT
    for part in parts:
        _balanced(part)


def test_diagram_is_never_cut_under_a_small_limit() -> None:
    parts = render_markdown(PLANS["workspace"], limit=1000)
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= 1000
        _balanced(part)
    blocks = _mermaid_blocks(parts)
    assert all(b.startswith("flowchart LR\n") for b in blocks)
    assert "".join(parts).count("```mermaid") == len(blocks) <= 1


def test_large_workspace_draws_the_changes_and_their_neighbours() -> None:
    services = [unchanged_service(f"svc-{i:03d}") for i in range(600)]
    services[300] = count_only_service("svc-300")
    (md,) = render_markdown(_chain(services), graph_command="ecsplan -w ws.yml graph plan.json")
    (block,) = _mermaid_blocks([md])
    assert re.findall(r'\["([^"]*)"\]', block) == [
        "svc-299 (no changes)",
        "~ svc-300 (update)",
        "svc-301 (no changes)",
    ]
    assert "(3 of 600); `ecsplan -w ws.yml graph plan.json` draws them all." in md


def test_diagram_too_large_even_cut_down_is_left_out_with_the_command() -> None:
    services = [count_only_service(f"svc-{i:03d}") for i in range(520)]  # 519 arrows > 500
    parts = render_markdown(_chain(services), graph_command="ecsplan -w ws.yml graph plan.json")
    assert not _mermaid_blocks(parts)
    assert (
        "_The dependency diagram is left out (520 services, too many to draw here): "
        "`ecsplan -w ws.yml graph plan.json` draws it._" in parts[0]
    )
