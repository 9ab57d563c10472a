"""`revisions` and `deregister` output.

``table``, ``tsv`` and ``json`` are ecspresso v2.6.0's (revisions.go ``OutputTable``,
``OutputTSV``, ``OutputJSON``): revisions oldest first, ``Name``/``In Use`` with ecspresso's
in-use texts. ``number`` (bare revision numbers, what a pipe gets by default) and ``detail``
(ecsplan's table: registration time, every reason a revision is kept, the ARN) are ecsplan's.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click

from planner.ops.revisions import FamilyRevisions, Removal, Revision, short
from planner.render.gojson import go_struct, marshal_for_api
from planner.render.secrets import mask
from planner.render.tables import console, table
from planner.render.tablewriter import render_table

ECSPRESSO_FORMATS = ("table", "tsv", "json")


def uses_cell(r: Revision) -> str:
    return ", ".join(r.uses) if r.uses else "-"


def _oldest_first(f: FamilyRevisions, limit: int | None) -> list[tuple[str, str]]:
    """(name, ecspresso's in-use text) of the newest ``limit`` revisions, oldest first."""
    shown = f.revisions if limit is None else f.revisions[:limit]
    return [(f.name(r), f.in_use_by.get(f.name(r), "")) for r in reversed(shown)]


def revisions_text(f: FamilyRevisions, output: str, limit: int | None = None) -> str:
    """One family in an ecspresso format, as ecspresso writes it to stdout."""
    rows = _oldest_first(f, limit)
    if output == "tsv":
        return "".join(f"{name}\t{in_use}\n" for name, in_use in rows)
    if output == "json":
        return "".join(marshal_for_api({"name": n, "in_use": u}) for n, u in rows)
    return render_table(["Name", "In Use"], [[n, u] for n, u in rows])


def show_revisions(
    fams: Sequence[FamilyRevisions], output: str, limit: int | None, color: bool
) -> None:
    """``limit`` None: every revision. ``number``: bare revision numbers, newest first (the
    guide's `revisions | sort -n | head -n -5` cleanup loop reads them)."""
    if output in ECSPRESSO_FORMATS:
        for f in fams:
            click.echo(revisions_text(f, output, limit), nl=False)
    elif output == "number":
        for f in fams:
            for r in f.revisions:
                click.echo(str(r.revision))
    else:
        _detail(fams, limit, color)


def _detail(fams: Sequence[FamilyRevisions], limit: int | None, color: bool) -> None:
    con = console(color)
    for f in fams:
        shown = f.revisions if limit is None else f.revisions[:limit]
        rows = [[str(r.revision), r.registered or "-", uses_cell(r), r.arn] for r in shown]
        title = f"{f.key}: family {f.family}, {len(f.revisions)} ACTIVE revision(s)"
        if len(shown) < len(f.revisions):
            title += f", newest {len(shown)} shown (--all for every one)"
        con.print(table(("revision", "registered", "in use by", "arn"), rows, title=title))


def task_definition_text(td: dict[str, Any], sensitive: Iterable[str]) -> str:
    """`revisions --revision`: the task definition as ecspresso prints it (MarshalJSONForAPI
    of the SDK's TaskDefinition), secrets shown as ``(sensitive)``."""
    return marshal_for_api(go_struct(mask(td, sensitive), "TaskDefinition"))


def removal_table(plans: Sequence[tuple[FamilyRevisions, Removal]], color: bool) -> None:
    """What `deregister` removes and keeps, on stderr: stdout carries only the prompt, as
    with ecspresso (whose log lines go to stderr)."""
    rows = [[f.key, short(r.arn), "remove"] for f, rm in plans for r in rm.remove]
    rows += [
        [f.key, short(r.arn), f"keep (in use: {uses_cell(r)})"]
        for f, rm in plans
        for r in rm.kept
        if r.in_use
    ]
    if rows:
        console(color, sys.stderr).print(table(("service", "revision", "action"), rows))
