"""`plan --github-issue`: the scheduled drift check's report, rendered (planner/render/drift.py)
and posted as the sticky drift issue (planner/github/issues.py)."""

from __future__ import annotations

from planner.cli.context import Globals
from planner.cli.running import apply_command_hint, graph_command_hint
from planner.github.issues import DriftIssue
from planner.plan.model import Plan
from planner.render.drift import drift_issue_text, resolved_note


def post_drift(g: Globals, issue: DriftIssue, plan: Plan, sensitive: frozenset[str]) -> list[str]:
    """Open or update the issue when the plan has changes, else close it; what was done."""
    source = g.workspace or ", ".join(g.config_paths)
    if not plan.has_changes:
        return issue.close(resolved_note(plan, source, issue.run_url))
    text = drift_issue_text(
        plan,
        source=source,
        sensitive=sensitive,
        apply_command=apply_command_hint(g, None),
        graph_command=graph_command_hint(g, None),
        run_url=issue.run_url,
    )
    return issue.report(text.title, text.parts)
