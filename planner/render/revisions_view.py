"""`revisions` and `deregister` for people (tables), scripts (numbers, TSV) and machines."""

from __future__ import annotations

import json
from collections.abc import Sequence

import click

from planner.ops.revisions import FamilyRevisions, Removal, Revision, short
from planner.render.tables import console, table


def uses_cell(r: Revision) -> str:
    return ", ".join(r.uses) if r.uses else "-"


def show_revisions(
    fams: Sequence[FamilyRevisions], output: str, limit: int | None, color: bool
) -> None:
    """``limit`` None: every revision. ``number``: bare revision numbers (the guide's
    `revisions | sort -n | head -n -5` cleanup loop reads them)."""

    def shown(f: FamilyRevisions) -> tuple[Revision, ...]:
        return f.revisions if limit is None else f.revisions[:limit]

    if output == "number":
        for f in fams:
            for r in f.revisions:
                click.echo(str(r.revision))
    elif output == "tsv":
        for f in fams:
            for r in shown(f):
                click.echo(f"{r.revision}\t{r.arn}\t{r.status}")
    elif output == "json":
        data = [
            {
                "key": f.key,
                "family": f.family,
                "total": len(f.revisions),
                "revisions": [r.to_json() for r in shown(f)],
            }
            for f in fams
        ]
        click.echo(json.dumps({"services": data}, indent=2))
    else:
        con = console(color)
        for f in fams:
            rows = [[str(r.revision), r.registered or "-", uses_cell(r), r.arn] for r in shown(f)]
            title = f"{f.key}: family {f.family}, {len(f.revisions)} ACTIVE revision(s)"
            if len(shown(f)) < len(f.revisions):
                title += f", newest {len(shown(f))} shown (--all for every one)"
            con.print(table(("revision", "registered", "in use by", "arn"), rows, title=title))


def removal_table(plans: Sequence[tuple[FamilyRevisions, Removal]], color: bool) -> None:
    rows = [[f.key, short(r.arn), "remove"] for f, rm in plans for r in rm.remove]
    rows += [
        [f.key, short(r.arn), f"keep (in use: {uses_cell(r)})"]
        for f, rm in plans
        for r in rm.kept
        if r.in_use
    ]
    if rows:
        console(color).print(table(("service", "revision", "action"), rows))
