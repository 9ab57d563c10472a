"""What `init --all` tells: one line per file written, notes, and a summary with the next
command (the same `wrote PATH` lines single-service init prints)."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from pathlib import Path

from planner.ops.init_fleet import FleetResult


def written_lines(paths: Iterable[Path]) -> list[str]:
    """`wrote PATH` for each file, as ecspresso's init prints them."""
    return [f"wrote {path}" for path in paths]


def fleet_lines(result: FleetResult) -> list[str]:
    """stdout of `init --all`: every file, shared families, then one summary line."""
    lines = written_lines(result.written)
    for family, services in result.shared_families:
        lines.append(
            f"note: {', '.join(services)} run task definition family {family}; each got its "
            "own copy of it, and a change deployed through one registers a revision only that "
            "service runs"
        )
    count = len(result.services)
    noun = "service" if count == 1 else "services"
    lines.append(
        f"init: {len(result.written)} files for {count} {noun} of cluster {result.cluster} "
        f"({result.region}); next: ecsplan -w {shlex.quote(str(result.workspace))} plan"
    )
    return lines
