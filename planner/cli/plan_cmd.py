"""`ecsplan plan` and `ecsplan diff`."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.external_diff import run_external
from planner.cli.flags import comment_target_flags, options_from, plan_flags
from planner.cli.main import cli
from planner.cli.services import Selection, run_secrets, select, state_location
from planner.plan.codec import plan_to_data
from planner.plan.model import Plan, PlanOptions
from planner.plan.secrets import Secrets
from planner.render.definition_diff import definition_diffs
from planner.render.json_out import render_json
from planner.render.markdown import join_markdown_parts, render_markdown, write_markdown_parts
from planner.render.secrets import sensitive_values
from planner.render.text import render_text
from planner.state.backend import lazy_secret_key, open_backend
from planner.state.cache import task_definition_cache
from planner.workspace.planning import build_plan, secrets_of


def make_plan(
    g: Globals, options: PlanOptions, targets: tuple[str, ...] = ()
) -> tuple[Plan, Selection]:
    """Load every config, read live state in batches, and plan. No AWS writes."""
    sel = select(g, targets)
    first = sel.entries[0].config if sel.entries else None
    aws = g.aws(first.region if first else None)
    options = with_config_timeout(options, sel)
    for e in sel.entries:
        for w in e.config.warnings:
            click.echo(f"warning: {e.key}: {w}", err=True)
    backend = open_backend(state_location(g, sel), aws)
    plan = build_plan(
        sel.entries,
        aws,
        options,
        max_workers=sel.parallelism,
        cache=task_definition_cache(backend),
        secrets=secrets_of(sel.entries, lazy_secret_key(backend)),
    )
    return replace(plan, workspace=g.workspace), sel


def with_config_timeout(options: PlanOptions, sel: Selection) -> PlanOptions:
    """The rollout timeout: --timeout, else the (first) config's ``timeout``."""
    first = sel.entries[0].config if sel.entries else None
    if options.timeout_seconds is None and first is not None:
        return replace(options, timeout_seconds=first.timeout_seconds)
    return options


def write_plan_file(plan: Plan, path: str, sensitive: frozenset[str], secrets: Secrets) -> None:
    """The plan file: versioned JSON with secrets as keyed placeholders."""
    data = secrets.mask(plan_to_data(plan), sensitive)
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")


def apply_command_hint(g: Globals, out: str | None) -> str:
    parts = ["ecsplan"]
    if g.workspace:
        parts += ["-w", g.workspace]
    for c in g.configs:
        parts += ["-c", c]
    parts += ["apply", out] if out else ["apply"]
    return " ".join(parts)


def emit(
    plan: Plan,
    fmt: str,
    g: Globals,
    sensitive: frozenset[str],
    out: str | None,
    comment_file: str | None,
    *,
    markdown: bool = False,
) -> list[str]:
    """Print the plan in ``fmt``; with ``comment_file`` also write the PR comment part(s).

    ``--format markdown --comment-file F`` writes only the files (stdout stays quiet).
    Returns the Markdown parts when they were rendered (``markdown=True`` asks for them)."""
    parts: list[str] = []
    if fmt == "markdown" or comment_file or markdown:
        parts = render_markdown(plan, sensitive=sensitive, apply_command=apply_command_hint(g, out))
    if comment_file:
        for p in write_markdown_parts(parts, Path(comment_file)):
            click.echo(f"wrote {p}", err=True)
    if fmt == "json":
        click.echo(json.dumps(render_json(plan, sensitive=sensitive), indent=2))
    elif fmt == "markdown":
        if not comment_file:
            click.echo(join_markdown_parts(parts))
    else:
        color = g.color and sys.stdout.isatty()
        click.echo(render_text(plan, sensitive=sensitive, color=color), nl=False)
    return parts


@cli.command()
@plan_flags
@click.option(
    "--out", "-o", metavar="FILE", help="Write the plan file (apply it with `apply FILE`)."
)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
@click.option(
    "--comment-file",
    metavar="FILE",
    help="Write the Markdown comment(s) to FILE (FILE.part2.md ... when split).",
)
@click.option(
    "--github-comment",
    is_flag=True,
    help="Create or update the pull request's sticky plan comment (GITHUB_TOKEN, "
    "GITHUB_REPOSITORY, GITHUB_EVENT_PATH).",
)
@comment_target_flags
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option(
    "--target", multiple=True, metavar="NAME", help="Plan only NAME (and what it depends on)."
)
@pass_globals
def plan(
    g: Globals,
    out: str | None,
    fmt: str,
    comment_file: str | None,
    github_comment: bool,
    pr: int | None,
    comment_key: str | None,
    detailed_exitcode: bool,
    target: tuple[str, ...],
    **flags: Any,
) -> int:
    """Read live state and show what apply would change. No AWS writes."""
    if (pr is not None or comment_key is not None) and not github_comment:
        raise click.UsageError("--pr and --comment-key go with --github-comment")
    options = options_from(flags)
    commenter = None
    if github_comment:
        from planner.github.comments import StickyComment  # only when posting

        commenter = StickyComment(g.workspace, g.config_paths, pr, comment_key)
    p, sel = make_plan(g, options, target)
    sensitive = sensitive_values(p, sel.sensitive)
    if out:
        write_plan_file(p, out, sensitive, run_secrets(g, sel))
    parts = emit(p, fmt, g, sensitive, out, comment_file, markdown=commenter is not None)
    if out:
        click.echo(
            f"\nSaved the plan to {out}. Apply exactly this plan with:\n  {apply_command_hint(g, out)}",
            err=True,
        )
    if commenter is not None:
        for line in commenter.post(parts):
            click.echo(line, err=True)
    return 2 if detailed_exitcode and p.has_changes else 0


@cli.command()
@plan_flags
@click.option("--target", multiple=True, metavar="NAME")
@click.option(
    "--unified/--no-unified",
    default=True,
    show_default=True,
    help="Unified diff (diff -u hunks), or each whole document with its lines marked.",
)
@click.option(
    "--external",
    metavar="CMD",
    envvar=["ECSPRESSO_DIFF_COMMAND", "ECSPRESSO_DIFF"],
    help="Run CMD LIVE_FILE LOCAL_FILE per changed document instead (difft, delta...).",
)
@pass_globals
def diff(
    g: Globals, target: tuple[str, ...], unified: bool, external: str | None, **flags: Any
) -> int:
    """Only the diffs of task and service definitions against live, as ecspresso prints them:
    `--- <live ARN>` / `+++ <local file>`, then the hunks."""
    options = options_from(flags)
    p, sel = make_plan(g, options, target)
    sensitive = sensitive_values(p, sel.sensitive)
    paths = {
        e.key: {
            name: str(path)
            for name, path in (
                ("task definition", e.config.task_definition_path),
                ("service", e.config.service_definition_path),
            )
            if path is not None
        }
        for e in sel.entries
    }
    if external:
        run_external(external, definition_diffs(p, sensitive, paths))
        return 0
    text = render_text(
        p,
        sensitive=sensitive,
        color=g.color and sys.stdout.isatty(),
        diff_only=True,
        unified=unified,
        paths=paths,
    )
    click.echo(text, nl=False)
    return 0
