"""`ecsplan plan` and `ecsplan diff`: parse the flags, plan (planner/ops/planning.py),
show it (planner/render/plan_view.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.flags import comment_target_flags, options_from, plan_flags
from planner.cli.main import cli
from planner.plan.model import Plan


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
@click.option(
    "--github-issue",
    is_flag=True,
    help="Drift check: open or update the repository's sticky drift issue when the plan has "
    "changes, close it when it has none (GITHUB_TOKEN, GITHUB_REPOSITORY).",
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
    github_issue: bool,
    pr: int | None,
    comment_key: str | None,
    detailed_exitcode: bool,
    target: tuple[str, ...],
    **flags: Any,
) -> int:
    """Read live state and show what apply would change. No AWS writes."""
    _check_github_flags(github_comment, github_issue, pr, comment_key)
    from planner.apply.saved_plan import write_plan_file
    from planner.cli.running import apply_command_hint, plan_view, warn_config
    from planner.ops.planning import make_plan
    from planner.plan.secrets import sensitive_values

    options = options_from(flags)
    commenter = issue = None
    if github_comment:
        from planner.github.comments import StickyComment  # only when posting

        commenter = StickyComment(g.workspace, g.config_paths, pr, comment_key, targets=target)
    if github_issue:
        from planner.github.issues import DriftIssue

        issue = DriftIssue(g.workspace, g.config_paths, comment_key, targets=target)
    session = g.session(target)
    warn_config(session)
    p = make_plan(session, options)
    sensitive = sensitive_values(p, session.sensitive)
    if out:
        write_plan_file(p, out, sensitive, session.secrets())
    parts = plan_view(g, fmt, out, comment_file).show(p, sensitive, markdown=bool(commenter))
    if out:
        click.echo(
            f"\nSaved the plan to {out}. Apply exactly this plan with:\n  {apply_command_hint(g, out)}",
            err=True,
        )
    if commenter is not None:
        for line in commenter.post(parts):
            click.echo(line, err=True)
    if issue is not None:
        from planner.cli.drift import post_drift

        for line in post_drift(g, issue, p, sensitive):
            click.echo(line, err=True)
    return 2 if detailed_exitcode and p.has_changes else 0


def _check_github_flags(comment: bool, issue: bool, pr: int | None, key: str | None) -> None:
    """Where the plan goes on GitHub: a pull request (--pr) or the drift issue, not both."""
    if comment and issue:
        raise click.UsageError("--github-comment (a pull request) and --github-issue (drift): one")
    if pr is not None and not comment:
        raise click.UsageError("--pr goes with --github-comment")
    if key is not None and not (comment or issue):
        raise click.UsageError("--comment-key goes with --github-comment or --github-issue")


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
@click.option(
    "--with-service/--without-service",
    default=True,
    show_default=True,
    help="Diff the service definition too, or the task definition only.",
)
@pass_globals
def diff(
    g: Globals,
    target: tuple[str, ...],
    unified: bool,
    external: str | None,
    with_service: bool,
    **flags: Any,
) -> int:
    """Only the diffs of task and service definitions against live, as ecspresso prints them:
    `--- <live ARN>` / `+++ <local file>`, then the hunks."""

    from planner.cli.external_diff import run_external
    from planner.cli.running import warn_config
    from planner.ops.planning import make_plan
    from planner.plan.secrets import sensitive_values
    from planner.render.definition_diff import definition_diffs, document_paths
    from planner.render.text import render_text

    session = g.session(target)
    warn_config(session)
    p = make_plan(session, options_from(flags))
    if not with_service:
        p = _task_definitions_only(p)
    sensitive = sensitive_values(p, session.sensitive)
    paths = document_paths(session.entries)
    if external:
        run_external(external, definition_diffs(p, sensitive, paths))
        return 0
    text = render_text(
        p,
        sensitive=sensitive,
        color=g.color,
        diff_only=True,
        unified=unified,
        paths=paths,
    )
    click.echo(text, nl=False, color=g.color)  # click would strip forced colours
    return 0


def _task_definitions_only(p: Plan) -> Plan:
    """`diff --without-service` (ecspresso diff.go after v2.6.0, DiffOption.WithService): the
    service definition is not compared; the task definition is, as without the flag."""
    return replace(
        p,
        services=tuple(
            replace(sp, documents=tuple(d for d in sp.documents if d.name != "service"))
            for sp in p.services
        ),
    )
