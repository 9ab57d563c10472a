"""`ecsplan state` output: plain text columns for people, JSON for scripts."""

from __future__ import annotations

import json
from typing import Any

from planner.ops.state_info import ServiceHistory, StateOverview, Unlocked
from planner.state import RunSummary, StepState


def overview_data(o: StateOverview) -> dict[str, Any]:
    return {
        "state": o.location,
        "services": [
            {"service": k, "last_run": r.to_data() if r else None} for k, r in o.last_runs
        ],
        "locks": [i.to_data() for i in o.locks],
    }


def overview_lines(o: StateOverview) -> list[str]:
    if not o.last_runs:
        return [f"No state in {o.location}."]
    rows = [["SERVICE", "LAST RUN", "OPERATION", "STARTED", "OUTCOME"]]
    for k, r in o.last_runs:
        rows.append([k, "-", "-", "-", "-"] if r is None else [k, *_run_cells(r)])
    lines = [*_columns(rows), ""]
    if o.locks:
        lines.append("Locks held:")
        lines += [f"  {i.service_key}: locked by {i.describe()}" for i in o.locks]
    else:
        lines.append("No locks held.")
    return lines


def history_data(h: ServiceHistory) -> dict[str, Any]:
    return {
        "service": h.key,
        "lock": h.lock.to_data() if h.lock else None,
        "runs": [
            {**r.to_data(), "steps": [s.to_data() for s in h.steps[r.run_id]]} for r in h.runs
        ],
    }


def history_lines(h: ServiceHistory) -> list[str]:
    lines = [f"Service {h.key} (state: {h.location})"]
    lines.append(f"Lock: held by {h.lock.describe()}" if h.lock else "Lock: not held")
    if not h.runs:
        lines.append("No runs.")
    for r in h.runs:
        ended = f", ended {r.ended}" if r.ended else ""
        lines += ["", f"Run {r.run_id}: {r.operation}, {_outcome(r)} (started {r.started}{ended})"]
        if r.resumable and h.lock is not None and h.lock.run_id == r.run_id:
            lines.append(
                "  still running, or dead with its lock held: if dead, "
                f"ecsplan state unlock {h.lock.id}, then ecsplan apply --resume"
            )
        elif r.resumable:
            lines.append("  resume it with: ecsplan apply --resume")
        rows = [
            [s.step_id, s.kind or "-", s.state.replace("_", " "), _outputs_summary(s)]
            for s in h.steps[r.run_id]
        ]
        lines += _columns(rows, indent="  ") if rows else ["  (no steps)"]
    return lines


def unlock_lines(u: Unlocked) -> list[str]:
    info = u.lock
    lines = [f"Released lock {info.id} on {info.service_key}, held by {info.describe()}."]
    if u.unfinished is not None:
        lines.append(
            f"Run {u.unfinished.run_id} did not finish; `ecsplan apply --resume` continues it."
        )
    return lines


def _run_cells(r: RunSummary) -> list[str]:
    return [r.run_id, r.operation, r.started, _outcome(r)]


def _outcome(run: RunSummary) -> str:
    return run.outcome or "unfinished"


def _short(value: Any, width: int = 100) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 3] + "..."


def _outputs_summary(step: StepState) -> str:
    if step.error:
        return f"error: {_short(step.error)}"
    return ", ".join(f"{k}={_short(v)}" for k, v in step.outputs.items())


def _columns(rows: list[list[str]], indent: str = "") -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]
