"""Registers every command on the group (one module per command or small family)."""

from __future__ import annotations

import importlib

# Each module defines its commands with `@cli.command()` on import.
BUILT: list[str] = [
    "validate_cmd",
    "plan_cmd",
    "apply_cmd",
    "sandbox_cmd",
    "rollback_cmd",
    "state_cmd",
    "appspec_cmd",
    "verify_cmd",
    "init_cmd",
    "run_cmd",
    "exec_cmd",
    "status_cmd",
    "wait_cmd",
    "scale_cmd",
    "revisions_cmd",
    "deregister_cmd",
    "tasks_cmd",
    "lifecycle_cmd",
    "comment_cmd",
    "register_cmd",
]

for _name in BUILT:
    importlib.import_module(f"planner.cli.{_name}")
