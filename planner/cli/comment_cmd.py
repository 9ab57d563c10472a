"""`ecsplan comment FILE...`: post already-rendered plan Markdown as the sticky PR comment(s).

For workflows that plan in one job (``plan --comment-file plan.md``) and post from another
(with the token that may write to the pull request). Same comments, markers and key as
``plan --github-comment``, so either may update what the other posted.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.flags import comment_target_flags
from planner.cli.main import cli
from planner.errors import EcsplanError

_PART_RE = re.compile(r"^(?P<stem>.+)\.part(?P<n>[1-9][0-9]*)(?P<suffix>\.[^.]*)?$")


def _base_and_part(f: str) -> tuple[Path, int]:
    """``d/plan.part3.md`` -> (``d/plan.md``, 3); any other file is part 1 of itself."""
    p = Path(f)
    m = _PART_RE.match(p.name)
    if not m:
        return p, 1
    return p.with_name(m.group("stem") + (m.group("suffix") or "")), int(m.group("n"))


def part_order(files: tuple[str, ...]) -> list[str]:
    """``plan.md plan.part10.md plan.part2.md`` (a shell glob's order) as parts 1, 2, 10.

    Files of one comment (``X.md`` and ``X.partN.md``) sort by N, each group where its first
    file was given; other files keep their order."""
    split = [_base_and_part(f) for f in files]
    first: dict[Path, int] = {}
    for pos, (base, _) in enumerate(split):
        first.setdefault(base, pos)
    order = sorted(range(len(files)), key=lambda i: (first[split[i][0]], split[i][1], i))
    return [files[i] for i in order]


def read_part(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise EcsplanError(f"{path}: cannot read: {e}") from None
    if not text.strip():
        raise EcsplanError(f"{path}: empty file, nothing to post")
    return text


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@comment_target_flags
@pass_globals
def comment(g: Globals, files: tuple[str, ...], pr: int | None, comment_key: str | None) -> int:
    """Post Markdown files (`plan --comment-file`) as the PR's sticky plan comment(s).

    One comment per file, in part order; comments of a longer earlier plan are deleted."""
    from planner.github.comments import StickyComment  # only when posting

    commenter = StickyComment(g.workspace, g.config_paths, pr, comment_key)
    parts = [read_part(f) for f in part_order(files)]
    for line in commenter.post(parts):
        click.echo(line, err=True)
    return 0
