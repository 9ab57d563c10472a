"""`ecsplan state list|show|unlock`: what the journals and locks say, and releasing a stale lock."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.errors import EcsplanError
from planner.state import (
    DEFAULT_LOCATION,
    LockInfo,
    RunSummary,
    StateBackend,
    StepState,
    open_backend,
)
from planner.state.model import step_states

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


def _location(g: Globals) -> str:
    return g.state or DEFAULT_LOCATION


def _backend(g: Globals) -> StateBackend:
    location = _location(g)
    return open_backend(location, g.aws() if location.startswith("s3://") else None)


@contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    """State warnings (a torn journal line...) as `Warning: ...` lines, not Python tracebacks."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                click.echo(f"Warning: {w.message}", err=True)


def _outcome(run: RunSummary) -> str:
    return run.outcome or "unfinished"


def _short(value: Any, width: int = 100) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 3] + "..."


def _outputs_summary(step: StepState) -> str:
    if step.error:
        return f"error: {_short(step.error, 100)}"
    return ", ".join(f"{k}={_short(v)}" for k, v in step.outputs.items())


def _table(rows: list[list[str]], indent: str = "") -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]


def _resolve_service(backend: StateBackend, service: str) -> str:
    """An exact service key, or the one key ending in `/SERVICE` (`web` for `my-cluster/web`)."""
    known = backend.services()
    if service in known:
        return service
    matches = [k for k in known if k.endswith("/" + service)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise EcsplanError(f"service {service!r} is ambiguous: {', '.join(matches)}")
    listed = ", ".join(known) or "none"
    raise EcsplanError(f"no state for service {service!r}; services with state: {listed}")


def _emit(fmt: str, data: Any, text: Callable[[], list[str]]) -> None:
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo("\n".join(text()))


@cli.group(name="state")
def state_group() -> None:
    """Inspect state, journals and locks (--state PATH or s3://bucket/prefix)."""


@state_group.command(name="list")
@FORMAT
@pass_globals
def state_list(g: Globals, fmt: str) -> None:
    """Services with state, their last run and outcome, and the locks held."""
    backend = _backend(g)
    with _warnings_to_stderr():
        services = backend.services()
        last: dict[str, RunSummary | None] = {}
        for key in services:
            runs = backend.runs(key)
            last[key] = runs[0] if runs else None
        locks = backend.locks()
    data = {
        "state": _location(g),
        "services": [
            {"service": k, "last_run": r.to_data() if r else None} for k, r in last.items()
        ],
        "locks": [i.to_data() for i in locks],
    }

    def text() -> list[str]:
        if not services:
            return [f"No state in {_location(g)}."]
        rows = [["SERVICE", "LAST RUN", "OPERATION", "STARTED", "OUTCOME"]]
        for k, r in last.items():
            if r is None:
                rows.append([k, "-", "-", "-", "-"])
            else:
                rows.append([k, r.run_id, r.operation, r.started, _outcome(r)])
        lines = _table(rows)
        lines.append("")
        if locks:
            lines.append("Locks held:")
            lines += [f"  {i.service_key}: locked by {i.describe()}" for i in locks]
        else:
            lines.append("No locks held.")
        return lines

    _emit(fmt, data, text)


@state_group.command(name="show")
@click.argument("service")
@click.option("--runs", "limit", type=click.IntRange(min=1), default=5, show_default=True)
@FORMAT
@pass_globals
def state_show(g: Globals, service: str, limit: int, fmt: str) -> None:
    """The last runs of SERVICE (cluster/service, or just service), their steps and lock."""
    backend = _backend(g)
    with _warnings_to_stderr():
        key = _resolve_service(backend, service)
        runs = backend.runs(key)[:limit]
        steps = {r.run_id: step_states(backend.entries(key, r.run_id)) for r in runs}
        lock = next((i for i in backend.locks() if i.service_key == key), None)
    data = {
        "service": key,
        "lock": lock.to_data() if lock else None,
        "runs": [
            {**r.to_data(), "steps": [s.to_data() for s in steps[r.run_id].values()]} for r in runs
        ],
    }

    def text() -> list[str]:
        lines = [f"Service {key} (state: {_location(g)})"]
        lines.append(f"Lock: held by {lock.describe()}" if lock else "Lock: not held")
        if not runs:
            lines.append("No runs.")
        for r in runs:
            lines.append("")
            ended = f", ended {r.ended}" if r.ended else ""
            lines.append(
                f"Run {r.run_id}: {r.operation}, {_outcome(r)} (started {r.started}{ended})"
            )
            if r.resumable and lock is not None and lock.run_id == r.run_id:
                lines.append(
                    "  still running, or dead with its lock held: if dead, "
                    f"ecsplan state unlock {lock.id}, then ecsplan apply --resume"
                )
            elif r.resumable:
                lines.append("  resume it with: ecsplan apply --resume")
            rows = [
                [s.step_id, s.kind or "-", s.state.replace("_", " "), _outputs_summary(s)]
                for s in steps[r.run_id].values()
            ]
            lines += _table(rows, indent="  ") if rows else ["  (no steps)"]
        return lines

    _emit(fmt, data, text)


@state_group.command(name="unlock")
@click.argument("lock_id")
@pass_globals
def state_unlock(g: Globals, lock_id: str) -> None:
    """Release the lock LOCK_ID left by a dead run (see `ecsplan state list`)."""
    backend = _backend(g)
    with _warnings_to_stderr():
        info: LockInfo = backend.force_unlock(lock_id)
        runs = backend.runs(info.service_key)
    click.echo(f"Released lock {info.id} on {info.service_key}, held by {info.describe()}.")
    run = next((r for r in runs if r.run_id == info.run_id), None)
    if run is not None and run.resumable and runs[0] is run:
        click.echo(f"Run {run.run_id} did not finish; `ecsplan apply --resume` continues it.")
