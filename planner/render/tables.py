"""Rich tables for the operation commands: coloured on a terminal, plain and wide otherwise.

Plain (not a TTY) output keeps one row per line so scripts can grep it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from planner.canonical.units import revision_name
from planner.render.printable import printable

PLAIN_WIDTH = 250


def console(color: bool, file: IO[str] | None = None) -> Console:
    """``color`` is the caller's decision (Globals.color): when it says yes into a pipe,
    colours are forced as ecspresso's ``--color`` forces them; lines stay whole."""
    out = file or sys.stdout
    tty = out.isatty()
    forced = color and not tty
    return Console(
        file=out,
        no_color=not color,
        force_terminal=True if forced else None,
        color_system="standard" if forced else "auto",
        highlight=False,
        width=None if tty else PLAIN_WIDTH,
        soft_wrap=not tty,
    )


def table(columns: Sequence[str], rows: Iterable[Sequence[str]], title: str | None = None) -> Table:
    t = Table(box=None, pad_edge=False, title=title, title_justify="left", header_style="bold")
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        # cells carry names and AWS text (events): plain text, never rich markup, and no raw
        # control characters
        t.add_row(*(Text(printable(c)) if isinstance(c, str) else c for c in r))
    return t


def deletion_table(doomed: Sequence[Any], color: bool) -> None:
    """What `delete` is about to remove, one row per service."""
    con = console(color)
    con.print("Will DELETE (running tasks are stopped):")
    con.print(
        table(
            ("service", "cluster", "revision", "running/desired", "load balancers"),
            [
                [
                    d.ref.service,
                    d.ref.cluster,
                    revision_name(d.live.get("taskDefinition")),
                    f"{d.live.get('runningCount', 0)}/{d.live.get('desiredCount', 0)}",
                    str(len(d.live.get("loadBalancers") or [])),
                ]
                for d in doomed
            ],
        )
    )
