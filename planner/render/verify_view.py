"""`verify`'s tree of OK / NG / SKIP for people, and JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import click

from planner.ops.verify import NG, OK, SKIP, Check, summary


def summary_line(counts: Mapping[str, int]) -> str:
    return f"verify: {counts.get(OK, 0)} OK, {counts.get(NG, 0)} NG, {counts.get(SKIP, 0)} SKIP"


def render_text(trees: Iterable[Check], style: Callable[[str, str], str]) -> str:
    """The tree, one node a line (status first), then every NG leaf with its full path."""
    trees = list(trees)
    lines: list[str] = []

    def walk(node: Check, depth: int) -> None:
        reason = f": {node.reason}" if node.reason else ""
        lines.append(f"{'  ' * depth}{style(f'{node.status:<4}', node.status)} {node.name}{reason}")
        for child in node.children:
            walk(child, depth + 1)

    for t in trees:
        walk(t, 0)
    failed = [(p, leaf) for t in trees for p, leaf in t.leaves() if leaf.status == NG]
    if failed:
        lines.append("")
        for path, leaf in failed:
            lines.append(f"{style(NG, NG)} {' > '.join(path)}: {leaf.reason}")
    lines.append("")
    lines.append(summary_line(summary(trees)))
    return "\n".join(lines)


def to_json(trees: Iterable[Check]) -> str:
    trees = list(trees)

    def node(c: Check, parent: tuple[str, ...]) -> dict[str, Any]:
        path = (*parent, c.name)
        out: dict[str, Any] = {"name": c.name, "status": c.status, "path": list(path)}
        if c.reason:
            out["reason"] = c.reason
        if c.children:
            out["children"] = [node(k, path) for k in c.children]
        return out

    counts = summary(trees)
    return json.dumps(
        {
            "services": [node(t, ()) for t in trees],
            "summary": {s.lower(): counts.get(s, 0) for s in (OK, NG, SKIP)},
        },
        indent=2,
    )


def show_verify(trees: Iterable[Check], fmt: str, color: bool) -> None:
    """The tree (coloured on request) or JSON; with JSON the NG count goes to stderr."""
    trees = list(trees)
    if fmt == "json":
        click.echo(to_json(trees))
        counts = summary(trees)
        if counts.get(NG):
            click.echo(summary_line(counts), err=True)
        return
    colors = {OK: "green", NG: "red", SKIP: "yellow"}

    def style(text: str, status: str) -> str:
        return click.style(text, fg=colors[status], bold=True) if color else text

    click.echo(render_text(trees, style), color=color)
