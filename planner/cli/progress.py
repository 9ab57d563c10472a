"""Live progress of rollouts: a rich table on a terminal, plain lines otherwise.

One row per service (state, revision, running/desired/pending of the new and old
deployments, elapsed); new service events are printed as they appear.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import IO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from planner.apply.wait import Snapshot
from planner.canonical.units import revision_name


def _row(snap: Snapshot) -> tuple[str, str, str, str]:
    new = next((d for d in snap.deployments if d.status == "PRIMARY"), None)
    old = [d for d in snap.deployments if d.status != "PRIMARY"]
    counts = f"{new.running}/{new.desired} (+{new.pending} pending)" if new else "-"
    if old:
        counts += "  old: " + ", ".join(
            f"{revision_name(d.task_definition)} {d.running}" for d in old
        )
    state = snap.phase
    if snap.codedeploy_status:
        done = [name for name, st in snap.lifecycle if st == "Succeeded"]
        state = f"codedeploy {snap.codedeploy_status}" + (f" ({done[-1]})" if done else "")
    elif snap.phase == "failed":
        state = "failed"
    elif new and new.rollout_state:
        state = new.rollout_state.lower().replace("_", " ")
        if snap.ecs_stage and new.rollout_state == "IN_PROGRESS":
            state += f" ({snap.ecs_stage})"
    return state, revision_name(new.task_definition) if new else "-", counts, f"{snap.elapsed:.0f}s"


class Progress:
    """An Observer for waits; thread-safe so parallel workspace applies share one view."""

    def __init__(self, color: bool, out: IO[str] | None = None) -> None:
        self.out = out or sys.stderr
        self.console = Console(file=self.out, no_color=not color, highlight=False)
        self.live_mode = color and self.out.isatty()
        self.rows: dict[str, tuple[str, str, str, str]] = {}
        self.lock = threading.Lock()
        self.live: Live | None = None
        self._last_line: dict[str, str] = {}
        self._last_time: dict[str, float] = {}

    def _table(self) -> Table:
        t = Table(box=None, pad_edge=False)
        for col in ("service", "state", "revision", "running/desired", "elapsed"):
            t.add_column(col)
        for key, row in self.rows.items():
            t.add_row(key, *row)
        return t

    def __enter__(self) -> Progress:
        if self.live_mode:
            self.live = Live(self._table(), console=self.console, refresh_per_second=4)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)
            self.live = None

    def message(self, text: str) -> None:
        with self.lock:
            self.console.print(text, markup=False)

    def update(self, snap: Snapshot) -> None:
        row = _row(snap)
        with self.lock:
            self.rows[snap.key] = row
            for ev in snap.new_events:
                self.console.print(f"  {snap.key}: {ev}", markup=False, style="dim", soft_wrap=True)
            for notice in snap.notices:
                self.console.print(notice, markup=False, soft_wrap=True)
            if self.live is not None:
                self.live.update(self._table())
                return
            line = f"  {snap.key}: {row[0]}, {row[1]} {row[2]}"
            now = time.monotonic()
            if line != self._last_line.get(snap.key) or now - self._last_time.get(snap.key, 0) > 30:
                self.console.print(f"{line}  [{row[3]}]", markup=False, soft_wrap=True)
                self._last_line[snap.key] = line
                self._last_time[snap.key] = now
