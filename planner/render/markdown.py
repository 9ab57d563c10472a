"""The plan as pull-request comments (GitHub Markdown), split to fit the comment size limit.

Layout follows Atlantis/tfcmt: title, one summary line, a loud warning when services are
created, replaced or touched destructively, a table of affected services, the dependency
order as a ```` ```mermaid ```` diagram (when services depend on each other), each service's steps
and diffs folded in ``<details>`` with ```` ```diff ```` fences (markers in column 0), then
the apply command. See docs/plan-output.md for the split rule and the CI separator.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from pathlib import Path

from planner.plan.graph import DependencyGraph, around_changes, plan_graph
from planner.plan.model import Plan, ServicePlan, Summary
from planner.render.common import (
    masked_plan,
    needs_warning,
    service_name,
    service_phrase,
    summary_line,
)
from planner.render.diff import diff_lines
from planner.render.graph import mermaid_lines
from planner.render.groups import identity_groups, place_of
from planner.render.printable import printable
from planner.render.secrets import changed_secret_names
from planner.render.split import COMMENT_LIMIT, split_markdown
from planner.render.steps import appspec_lines, change_lines, document_symbol

SPLIT_SEPARATOR = "<!-- ecsplan:split -->"
WARNING_LIST_MAX = 20
UNCHANGED_LIST_MAX = 100
# A diagram larger than this (or than half a part under a smaller limit) is cut down to the
# changed services and their neighbours, then left out: it must stay whole in one comment
# part (a Mermaid block cut in two draws nothing), and GitHub's Mermaid draws at most 500
# edges and 50,000 characters.
DIAGRAM_MAX_CHARS = 20_000
DIAGRAM_MAX_EDGES = 500


def code_span(s: str) -> str:
    """An inline code span that survives backticks inside ``s``."""
    ticks = "``" if "`" in s else "`"
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{ticks}{pad}{s}{pad}{ticks}"


def _cell(s: str) -> str:
    """Table cell text: pipes escaped, no line breaks."""
    return s.replace("|", "\\|").replace("\n", " ")


def _fence_for(lines: Iterable[str]) -> str:
    """A backtick fence longer than any backtick run in the content."""
    longest = 0
    for line in lines:
        run = 0
        for ch in line:
            run = run + 1 if ch == "`" else 0
            longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _before_after(before: str | None, after: str | None, code: bool = False) -> str:
    def fmt(v: str | None) -> str:
        if v is None or v == "":
            return "—"
        return code_span(v) if code else v

    if before == after:
        return fmt(after)
    if before is None:
        return f"(new) {fmt(after)}" if after is not None else "—"
    return f"{fmt(before)} → {fmt(after)}"


def _images(s: Summary) -> str:
    before, after = list(s.images_before), list(s.images_after)
    if before == after:
        return "<br>".join(code_span(i) for i in after) or "—"
    if not before:
        return "<br>".join(f"(new) {code_span(i)}" for i in after) or "—"
    pairs = []
    for i in range(max(len(before), len(after))):
        b = before[i] if i < len(before) else None
        a = after[i] if i < len(after) else None
        pairs.append(_before_after(b, a, code=True))
    return "<br>".join(pairs)


def _count(v: int | None) -> str | None:
    return None if v is None else str(v)


def _table(services: Sequence[ServicePlan]) -> list[str]:
    out = [
        "| service | change | image | cpu/memory | desired count | deployment |",
        "|---|---|---|---|---|---|",
    ]
    for sp in services:
        s = sp.summary
        desired = _before_after(_count(s.desired_before), _count(s.desired_after))
        row = [
            code_span(service_name(sp)),
            f"{code_span(sp.action.symbol)} {sp.action.value}",
            _images(s),
            _before_after(s.cpu_memory_before, s.cpu_memory_after),
            desired,
            s.deployment,
        ]
        out.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return out


def _group_blocks(
    pairs: Sequence[tuple[ServicePlan, ServicePlan]],
    sensitive: frozenset[str],
    diagram: list[str] | None = None,
) -> list[list[str]]:
    """The table, the diagram (one group only), the details and the unchanged list of some
    services (shown, raw)."""
    changed = [(sp, r) for sp, r in pairs if sp.has_changes]
    blocks = []
    if changed:
        blocks.append([*_table([sp for sp, _ in changed]), ""])
        if diagram:
            blocks.append(diagram)
        blocks.extend(_service_details(sp, r, sensitive) for sp, r in changed)
    blocks.append(_unchanged([sp for sp, _ in pairs if not sp.has_changes]))
    return blocks


def _warning(services: Sequence[ServicePlan], places: bool = False) -> list[str]:
    loud = [sp for sp in services if needs_warning(sp)]
    if not loud:
        return []
    out = [
        "> [!WARNING]",
        "> This plan creates, replaces or destroys resources. Review before applying:",
    ]
    for sp in loud[:WARNING_LIST_MAX]:
        what = service_phrase(sp)
        destructive = [st.description for st in sp.steps if st.destructive]
        extra = f" (destructive: {'; '.join(destructive)})" if destructive else ""
        where = f" ({place_of(sp)})" if places else ""
        out.append(f"> - {code_span(service_name(sp))}{where} {what}{extra}")
    if len(loud) > WARNING_LIST_MAX:
        out.append(f"> - and {len(loud) - WARNING_LIST_MAX} more")
    return [*out, ""]


def _service_details(sp: ServicePlan, raw: ServicePlan, sensitive: frozenset[str]) -> list[str]:
    summary = html.escape(f"{sp.action.symbol} {service_name(sp)} {service_phrase(sp)}")
    out = [f"<details><summary><code>{summary}</code></summary>", ""]
    for st in sp.steps:
        flag = " **(destructive)**" if st.destructive else ""
        out.append(f"- {code_span(st.action.symbol)} {st.description}{flag}")
        out.extend(f"  - {code_span(line)}" for line in change_lines(st))
    out.append("")
    for st in sp.steps:
        spec = appspec_lines(st)
        if spec:
            fence = _fence_for(spec)
            out.extend(["AppSpec:", "", f"{fence}json", *spec, fence, ""])
    for doc, raw_doc in zip(sp.documents, raw.documents, strict=True):
        if not doc.changed:
            continue
        body = [
            f"{' ' if d.marker == '#' else d.marker} {d.text}"
            for d in diff_lines(doc.before, doc.after)
        ]
        fence = _fence_for(body)
        out.extend([f"{code_span(document_symbol(doc))} **{doc.name}**", "", f"{fence}diff"])
        out.extend(body)
        out.extend([fence, ""])
        for name in changed_secret_names(raw_doc.before, raw_doc.after, sensitive):
            out.extend([f"The sensitive value of {code_span(name)} changes.", ""])
    if sp.left_alone:
        names = ", ".join(code_span(n) for n in sp.left_alone)
        out.extend([f"Left alone (not in the definition): {names}.", ""])
    for w in sp.warnings:
        out.extend([f"> **Warning:** {w}", ""])
    out.extend(["</details>", ""])
    return out


def _diagram(plan: Plan, graph_command: str, max_chars: int) -> list[str]:
    """The dependency order with each service marked, as GitHub draws a ```mermaid block.

    Nothing when no service depends on another: the table already lists them all. A diagram
    too large to stay whole in one comment part is cut down to the changes, else left out."""
    graph = plan_graph(plan)
    if not graph.edges:
        return []
    lines = mermaid_lines(graph)
    note: list[str] = []
    if not _drawable(lines, graph, max_chars):
        small = around_changes(graph)
        lines = mermaid_lines(small)
        if not _drawable(lines, small, max_chars):
            return [
                f"_The dependency diagram is left out ({len(graph.nodes)} services, too many "
                f"to draw here): `{graph_command}` draws it._",
                "",
            ]
        note = [
            f"Only the changed services and their direct neighbours are drawn "
            f"({len(small.nodes)} of {len(graph.nodes)}); `{graph_command}` draws them all.",
            "",
        ]
    head = "**Dependency order** (an arrow points to the services that wait for it):"
    fence = _fence_for(lines)
    return [head, "", f"{fence}mermaid", *lines, fence, "", *note]


def _drawable(lines: Sequence[str], graph: DependencyGraph, max_chars: int) -> bool:
    """Small enough for one comment part and for GitHub's Mermaid (500 edges at most)."""
    size = sum(len(line) + 1 for line in lines)
    return size <= max_chars and len(graph.edges) <= DIAGRAM_MAX_EDGES


def _unchanged(services: Sequence[ServicePlan]) -> list[str]:
    if not services:
        return []
    names = [code_span(service_name(sp)) for sp in services[:UNCHANGED_LIST_MAX]]
    if len(services) > UNCHANGED_LIST_MAX:
        names.append(f"and {len(services) - UNCHANGED_LIST_MAX} more")
    n = len(services)
    return [
        f"<details><summary>{n} unchanged service{'s' if n != 1 else ''}</summary>",
        "",
        ", ".join(names),
        "",
        "</details>",
        "",
    ]


def markdown_blocks(
    plan: Plan,
    raw: Plan,
    sensitive: frozenset[str],
    apply_command: str,
    graph_command: str = "ecsplan graph plan.json",
    diagram_max: int = DIAGRAM_MAX_CHARS,
) -> list[list[str]]:
    """The whole comment as blocks of lines, title excluded (the splitter adds it per part)."""
    head = [f"**{summary_line(plan)}**", ""]
    blocks = [head]
    pairs = list(zip(plan.services, raw.services, strict=True))
    changed = [(sp, r) for sp, r in pairs if sp.has_changes]
    groups = identity_groups(plan.services)
    if changed:
        head.extend(_warning([sp for sp, _ in changed], places=len(groups) > 1))
    diagram = _diagram(plan, graph_command, diagram_max) if changed else []
    if len(groups) > 1 and diagram:
        blocks.append(diagram)  # the whole workspace's order, above the groups
        diagram = []
    raws = dict((sp.key, r) for sp, r in pairs)
    for heading, services in groups:  # one heading per account / region when several
        if heading is not None:
            blocks.append([f"### {heading}", ""])
        group = [(sp, raws[sp.key]) for sp in services]
        blocks.extend(_group_blocks(group, sensitive, diagram))
    if changed:
        fence = _fence_for([apply_command])
        blocks.append(["To apply this plan:", "", f"{fence}sh", apply_command, fence])
    return blocks


def render_markdown(
    plan: Plan,
    *,
    sensitive: Iterable[str] = frozenset(),
    apply_command: str = "ecsplan apply plan.json",
    graph_command: str = "ecsplan graph plan.json",
    title: str = "ecsplan plan",
    limit: int = COMMENT_LIMIT,
    preamble: Sequence[Sequence[str]] = (),
) -> list[str]:
    """Comment bodies, each at most ``limit`` (65,000) characters; one when the plan fits.

    ``preamble``: blocks of lines put before the plan (the drift issue's introduction)."""
    values = frozenset(sensitive)
    shown = masked_plan(plan, values)
    diagram_max = min(DIAGRAM_MAX_CHARS, limit // 2)
    blocks = [list(b) for b in preamble]
    blocks += markdown_blocks(shown, plan, values, apply_command, graph_command, diagram_max)
    # one line stays one line, and no invisible character reaches the reviewer
    safe = [[printable(line) for line in block] for block in blocks]
    return split_markdown(printable(title), safe, limit)


def join_markdown_parts(parts: Sequence[str]) -> str:
    """All parts in one stream, separated by ``SPLIT_SEPARATOR`` lines (for stdout / CI)."""
    return f"\n{SPLIT_SEPARATOR}\n".join(parts)


def part_path(out: Path, part: int) -> Path:
    """``plan.md`` for part 1, ``plan.part2.md``, ``plan.part3.md``... for the others."""
    if part == 1:
        return out
    return out.with_name(f"{out.stem}.part{part}{out.suffix}")


def write_markdown_parts(parts: Sequence[str], out: Path) -> list[Path]:
    """Write each part to its own file and remove parts left over from a longer earlier plan."""
    written = []
    for i, text in enumerate(parts, start=1):
        path = part_path(out, i)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    for stale in out.parent.glob(f"{out.stem}.part*{out.suffix}"):
        suffix = stale.name[len(out.stem) + len(".part") : len(stale.name) - len(out.suffix)]
        if suffix.isdigit() and int(suffix) > len(parts):
            stale.unlink()
    return written
