"""The drift issue's text: its title, an introduction above the plan's Markdown, and the note
that closes it. Pure: the plan and the strings the CLI knows (what was checked, the run link).

A scheduled plan with changes means live AWS moved away from the configuration (or the
configuration moved and was never applied): the issue says which services, what the plan
would do about them (the same Markdown as the PR comment, secrets masked the same way), and
the two ways out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from planner.plan.model import Plan
from planner.render.common import service_name
from planner.render.markdown import code_span, render_markdown
from planner.render.printable import printable
from planner.render.split import COMMENT_LIMIT

HEADING = "ecsplan drift check"
NAMES_MAX = 10


@dataclass(frozen=True)
class DriftText:
    """``title``: the issue's title; ``parts``: its body (part 1) and continuation comments."""

    title: str
    parts: tuple[str, ...]


def drift_title(plan: Plan, source: str) -> str:
    """``Drift: my-cluster/api differs from workspace.yml`` or ``Drift: 2 of 3 services ...``."""
    changed = [sp for sp in plan.services if sp.has_changes]
    if len(changed) == 1:
        what = f"{service_name(changed[0])} differs"
    else:
        what = f"{len(changed)} of {len(plan.services)} services differ"
    return printable(f"Drift: {what} from {source}")


def _checked(plan: Plan, run_url: str | None) -> str:
    when = f" at {plan.created_at}" if plan.created_at else ""
    return f"checked{when}" + (f" by [this run]({run_url})" if run_url else "")


def drift_intro(plan: Plan, source: str, apply_command: str, run_url: str | None) -> list[str]:
    """What drifted and the ways out, above the plan."""
    changed = [service_name(sp) for sp in plan.services if sp.has_changes]
    names = ", ".join(code_span(n) for n in changed[:NAMES_MAX])
    if len(changed) > NAMES_MAX:
        names += f" and {len(changed) - NAMES_MAX} more"
    return [
        f"**Live AWS differs from {code_span(source)}** for {names} ({_checked(plan, run_url)}).",
        "",
        f"Either apply the configuration to put AWS back ({code_span(apply_command)}), or, "
        "if the live change was intended, change the configuration to match it. Every "
        "scheduled check updates this issue; the first one that finds no drift closes it.",
        "",
    ]


def drift_issue_text(
    plan: Plan,
    *,
    source: str,
    sensitive: Iterable[str] = frozenset(),
    apply_command: str = "ecsplan apply",
    graph_command: str = "ecsplan graph plan.json",
    run_url: str | None = None,
    limit: int = COMMENT_LIMIT,
) -> DriftText:
    """The issue for a plan with changes: the intro, then the plan as the PR comment shows it."""
    parts = render_markdown(
        plan,
        sensitive=sensitive,
        apply_command=apply_command,
        graph_command=graph_command,
        title=HEADING,
        limit=limit,
        preamble=[drift_intro(plan, source, apply_command, run_url)],
    )
    return DriftText(drift_title(plan, source), tuple(parts))


def resolved_note(plan: Plan, source: str, run_url: str | None) -> str:
    """The closing comment: no drift any more."""
    return printable(
        f"No drift: live AWS matches {code_span(source)} again ({_checked(plan, run_url)}). "
        "Closing this issue."
    )
