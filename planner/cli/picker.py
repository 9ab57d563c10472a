"""Choosing a task (a row of planner/ops/tasks.py) or a container through the user's
filter command (peco, fzf...), as ecspresso does.

ecspresso's ``--filter-command`` (env ECSPRESSO_FILTER_COMMAND, or ``filter_command`` in the
config) is a shell command that reads candidate lines on stdin and prints the chosen one.
Its UI talks to the terminal itself (fzf and peco open /dev/tty), so only stdin and stdout
are ours; a command that prints nothing, or exits non-zero (Esc in fzf), chooses nothing.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

from planner.errors import EcsplanError


def task_line(row: Mapping[str, Any]) -> str:
    """A ``task_row`` as one candidate line: the id first (what is read back), then what
    tells tasks apart."""
    keys = ("id", "revision", "lastStatus", "desiredStatus", "healthStatus", "startedAt")
    return "\t".join(str(row.get(k) or "-") for k in keys)


def choose_task(command: str, rows: Sequence[Mapping[str, Any]]) -> str:
    """The id of the ``task_row`` the filter command chose."""
    if not rows:
        raise EcsplanError("no task to choose from")
    return choose(command, [str(r["id"]) for r in rows], [task_line(r) for r in rows], "task")


def choose(command: str, keys: Sequence[str], lines: Sequence[str], what: str) -> str:
    """The key whose line ``command`` printed; ``lines[i]`` must start with ``keys[i]``."""
    try:
        proc = subprocess.run(
            command,
            shell=True,
            input="".join(f"{line}\n" for line in lines),
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
    except OSError as e:
        raise EcsplanError(f"filter command {command!r} could not run: {e}") from None
    chosen = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not chosen:
        why = f"exited with {proc.returncode}" if proc.returncode else "printed nothing"
        raise EcsplanError(f"no {what} chosen: filter command {command!r} {why}")
    first = chosen[0].split()[0] if chosen[0].split() else ""
    if first not in keys:
        raise EcsplanError(
            f"filter command {command!r} printed {chosen[0]!r}, which is none of the {what}s"
        )
    return first
