"""`diff --external CMD`: hand each changed document to the user's diff tool, as ecspresso does.

The command gets two files, the live side and the local side (canonical JSON, secrets
masked), and must exit 0: a tool that exits 1 when files differ (``diff`` itself) needs a
wrapper, as in ecspresso.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from planner.errors import EcsplanError
from planner.render.definition_diff import DefinitionDiff
from planner.render.diff import canonical_lines


def _file_name(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label.rsplit("/", 1)[-1]).strip("_") or "empty"


def run_external(command: str, diffs: Sequence[DefinitionDiff]) -> None:
    """Run ``command LIVE LOCAL`` once per changed document; its output is the user's."""
    try:
        argv = shlex.split(command)
    except ValueError as e:
        raise EcsplanError(f"--external {command!r}: {e}") from None
    if not argv:
        raise EcsplanError("--external needs a command")
    with tempfile.TemporaryDirectory(prefix="ecsplan-diff-") as tmp:
        for i, d in enumerate(diffs):
            files = []
            for side, label, doc in (
                ("live", d.live_label, d.before),
                ("local", d.local_label, d.after),
            ):
                path = Path(tmp) / f"{i}-{side}-{_file_name(label)}"
                lines = canonical_lines(doc)
                path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
                files.append(str(path))
            try:
                rc = subprocess.call([*argv, *files])
            except OSError as e:
                raise EcsplanError(f"--external {command!r} could not run: {e}") from None
            if rc != 0:
                raise EcsplanError(
                    f"external diff command {command!r} exited with {rc}; it must exit 0 "
                    "(wrap a tool that exits 1 on differences, such as diff, in a script)"
                )
