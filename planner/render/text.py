"""The plan for a terminal, Terraform style: headers, step symbols, folded JSON diffs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from io import StringIO

from rich.console import Console
from rich.text import Text

from planner.plan.model import Document, Plan, ServicePlan
from planner.render.common import (
    masked_plan,
    service_name,
    service_phrase,
    summary_line,
)
from planner.render.definition_diff import DefinitionDiff, definition_diffs
from planner.render.diff import diff_lines, patch_lines
from planner.render.groups import identity_groups
from planner.render.printable import printable
from planner.render.secrets import changed_secret_names
from planner.render.steps import appspec_lines, change_lines, document_symbol

_SYMBOL_STYLE = {"+": "green", "-": "red", "~": "yellow", "-/+": "red", "<=": "cyan", " ": ""}
_MARKER_STYLE = {"+": "green", "-": "red", " ": "", "#": "dim"}

Line = tuple[str, str]  # (text, rich style)


def _diff_block(doc: Document, indent: str, column0: bool) -> list[Line]:
    """The folded diff lines of one document; ``column0`` puts markers first (``diff``)."""
    out: list[Line] = []
    for dl in diff_lines(doc.before, doc.after):
        marker = " " if dl.marker == "#" else dl.marker
        prefix = "" if column0 else indent
        out.append((f"{prefix}{marker} {dl.text}", _MARKER_STYLE[dl.marker]))
    return out


def _service_lines(sp: ServicePlan, raw: ServicePlan, sensitive: frozenset[str]) -> list[Line]:
    name = service_name(sp)
    if not sp.has_changes:
        out: list[Line] = [(f"# service {name} {service_phrase(sp)}", "dim")]
        out.extend(_left_alone_lines(sp))
        out.extend(_warning_lines(sp))
        return out
    out = [(f"# service {name} {service_phrase(sp)}", "bold")]
    for step in sp.steps:
        sym = step.action.symbol
        flag = "  [destructive]" if step.destructive else ""
        out.append((f"  {sym:>3} {step.description}{flag}", _SYMBOL_STYLE.get(sym, "")))
        out.extend((f"        {line}", "") for line in change_lines(step))
        spec = appspec_lines(step)
        if spec:
            out.append(("        AppSpec:", "dim"))
            out.extend((f"          {line}", "") for line in spec)
    for doc, raw_doc in zip(sp.documents, raw.documents, strict=True):
        if not doc.changed:
            continue
        sym = document_symbol(doc)
        out.append(("", ""))
        out.append((f"  {sym} {doc.name}", _SYMBOL_STYLE[sym]))
        out.extend(_diff_block(doc, "    ", column0=False))
        for name in changed_secret_names(raw_doc.before, raw_doc.after, sensitive):
            out.append((f"    # (sensitive value of {name} changed)", "yellow"))
    out.extend(_left_alone_lines(sp))
    out.extend(_warning_lines(sp))
    return out


def _left_alone_lines(sp: ServicePlan) -> list[Line]:
    """One line: live settings the definition does not manage, which the plan leaves."""
    if not sp.left_alone:
        return []
    return [(f"  # left alone (not in the definition): {', '.join(sp.left_alone)}", "dim")]


def _warning_lines(sp: ServicePlan) -> list[Line]:
    out: list[Line] = []
    for w in sp.warnings:
        out.append(("", ""))
        out.append((f"  Warning: {w}", "yellow"))
    return out


def _plan_lines(plan: Plan, raw: Plan, sensitive: frozenset[str]) -> list[Line]:
    out: list[Line] = []
    if plan.has_changes:
        out.append(("ecsplan will perform the following actions:", ""))
        out.append(("", ""))
    raws = {sp.key: r for sp, r in zip(plan.services, raw.services, strict=True)}
    for heading, services in identity_groups(plan.services):
        if heading is not None:  # several accounts / regions: a heading per place
            if out and out[-1] != ("", ""):
                out.append(("", ""))
            out.extend([(f"=== {heading} ===", "bold"), ("", "")])
        for sp in services:
            if sp.has_changes and out and out[-1] != ("", ""):
                out.append(("", ""))
            out.extend(_service_lines(sp, raws[sp.key], sensitive))
            if sp.has_changes:
                out.append(("", ""))
    if out and out[-1] != ("", ""):
        out.append(("", ""))
    style = "bold" if plan.has_changes else "bold green"
    out.append((summary_line(plan), style))
    return out


def _diff_only_lines(diffs: Iterable[DefinitionDiff], unified: bool) -> list[Line]:
    """ecspresso's ``diff``: per document ``--- live`` / ``+++ local file``, the diff, a blank."""
    out: list[Line] = []
    for d in diffs:
        lines = patch_lines(d.before, d.after, d.live_label, d.local_label, unified=unified)
        out.extend((line, _patch_style(line)) for line in lines)
        out.extend(
            (f"# (sensitive value of {name} changed)", "yellow") for name in d.secret_changes
        )
        out.append(("", ""))
    return out


def _patch_style(line: str) -> str:
    if line.startswith(("---", "+++")):
        return "bold"
    if line.startswith("@@"):
        return "cyan"
    return _MARKER_STYLE.get(line[:1], "")


def render_text(
    plan: Plan,
    *,
    sensitive: Iterable[str] = frozenset(),
    color: bool,
    width: int | None = None,
    diff_only: bool = False,
    unified: bool = True,
    paths: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """The plan as terminal text (ANSI colours only when ``color``), secrets masked.

    ``diff_only`` returns only the document diffs (``ecsplan diff``), as ``diff -u`` prints
    them (or whole documents with ``unified=False``), headed by the live ARN and the local
    file from ``paths`` (service key -> document name -> path); "" when nothing differs.
    """
    values = frozenset(sensitive)
    if diff_only:
        lines = _diff_only_lines(definition_diffs(plan, values, paths), unified)
    else:
        lines = _plan_lines(masked_plan(plan, values), plan, values)
    buf = StringIO()
    console = Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width or 100,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    for text, style in lines:
        # never hard-wrapped: a CI log, a pipe or a terminal shows each line whole
        console.print(Text(printable(text), style=style or ""), soft_wrap=True)
    return buf.getvalue()
