"""The plan as the user asked to see it: text (terminal), Markdown (PR comment) or JSON,
chosen once from the flags; and the PR comment file(s)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import click

from planner.plan.model import Plan
from planner.render.json_out import render_json
from planner.render.markdown import join_markdown_parts, render_markdown, write_markdown_parts
from planner.render.text import render_text

FORMATS = ("text", "markdown", "json")


@dataclass(frozen=True)
class PlanView:
    """``fmt``: one of FORMATS; ``apply_command``: what the Markdown says to run next
    (``graph_command``: to draw a diagram too large for it); ``comment_file``: also write
    the PR comment part(s) there."""

    fmt: str = "text"
    color: bool = False
    apply_command: str = "ecsplan apply"
    comment_file: str | None = None
    graph_command: str = "ecsplan graph plan.json"

    def show(self, plan: Plan, sensitive: frozenset[str], *, markdown: bool = False) -> list[str]:
        """Print the plan; return the Markdown parts when they were rendered (``markdown``
        asks for them: a sticky PR comment is posted from them). ``--format markdown
        --comment-file F`` writes only the files (stdout stays quiet)."""
        parts: list[str] = []
        if self.fmt == "markdown" or self.comment_file or markdown:
            parts = render_markdown(
                plan,
                sensitive=sensitive,
                apply_command=self.apply_command,
                graph_command=self.graph_command,
            )
        if self.comment_file:
            for p in write_markdown_parts(parts, Path(self.comment_file)):
                click.echo(f"wrote {p}", err=True)
        if self.fmt == "json":
            click.echo(json.dumps(render_json(plan, sensitive=sensitive), indent=2))
        elif self.fmt == "markdown":
            if not self.comment_file:
                click.echo(join_markdown_parts(parts))
        else:
            text = render_text(plan, sensitive=sensitive, color=self.color)
            click.echo(text, nl=False, color=self.color)  # click would strip forced colours
        return parts
