"""Killing a workspace run at a journal point, and counting what AWS carried out since.

A run killed with ECSPLAN_TEST_CRASH_AT=<begin|after_call|success>:<step kind>@<service key>
SIGKILLs itself right after that journal write (planner/apply/executor.py), as a host dying
would; the sandbox's write log then tells whether a continued run wrote anything twice.
"""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from helpers_cli import run_sub

from ecsplan_sandbox.server import Sandbox

CRASH_AT = "ECSPLAN_TEST_CRASH_AT"


def kill_at(
    sandbox: Sandbox,
    ws: Path,
    state: Path | str,
    at: str,
    *args: str,
    env: Mapping[str, str] | None = None,
) -> None:
    """Run `ecsplan -w WS ARGS` in a subprocess that dies with SIGKILL at ``at``."""
    r = run_sub(sandbox, [], state, "-w", str(ws), *args, env={**(env or {}), CRASH_AT: at})
    assert r.code == -signal.SIGKILL, r


def applied(sandbox: Sandbox, operation: str, field: str, since: int) -> Counter[str]:
    """How many calls of ``operation`` AWS carried out, per ``field`` of their parameters."""
    return Counter(
        str(w.params.get(field))
        for w in sandbox.writes(operation)
        if w.seq > since and w.outcome in ("applied", "lost")
    )


def last_seq(sandbox: Sandbox) -> int:
    writes = sandbox.writes()
    return writes[-1].seq if writes else 0
