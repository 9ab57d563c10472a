"""How a run ended, for the terminal: a line per service, and what to do next.

Success prints to stdout. A failure is raised as the error (so the first stderr line names
the cause, and the exit code is 1), with the per-service lines and the next commands as its
details. Pure apart from the final echo.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from planner.errors import EcsplanError
from planner.plan.outcome import ServiceResult

MARKS = {
    "succeeded": "ok",
    "unchanged": "unchanged",
    "failed": "FAILED",
    "interrupted": "INTERRUPTED",
    "skipped": "skipped",
}


def _without_key(r: ServiceResult) -> str:
    """Messages raised deep down start with the service key; say it once."""
    prefix = f"{r.key}: "
    return r.message[len(prefix) :] if r.message.startswith(prefix) else r.message


def result_lines(results: Sequence[ServiceResult], retries: int) -> list[str]:
    lines = []
    for r in results:
        line = f"{r.key}: {MARKS.get(r.outcome, r.outcome)}"
        if r.message:
            line += f" - {_without_key(r)}"
        lines.append(line)
    if retries:
        lines.append(f"AWS calls retried: {retries} (throttling or server errors, bounded)")
    return lines


def report(results: Sequence[ServiceResult], *, verb: str, retries: int, selection: str) -> int:
    """Print how the run ended (exit 0), or raise its first failure with the rest as details.
    ``selection``: the -w/-c the user gave, for the commands suggested next."""
    lines = result_lines(results, retries)
    failed = [r for r in results if not r.ok]
    if not failed:
        click.echo("\n".join(lines))
        click.echo(f"{verb} complete: {len(results)} service(s).")
        return 0
    if any(r.outcome in ("interrupted", "skipped") for r in failed):
        lines.append(f"To continue: ecsplan {selection} apply --resume")
    if any(r.outcome == "failed" for r in failed):
        lines.append(
            f"To undo what the run changed: ecsplan {selection} rollback; or fix the cause and "
            "plan again (apply --resume retries the failed step, e.g. after a transient error)"
        )
    first = failed[0]
    cause = f": {_without_key(first)}" if first.message else ""
    raise EcsplanError(f"{first.key} {first.outcome}{cause}", "\n".join(lines))
