"""Registers every command on the group; built ones first, stubs fill the rest."""

from __future__ import annotations

import importlib

from planner.cli import stubs
from planner.cli.main import cli

# One module per built command (or small family of commands). Each defines its commands
# with `@cli.command()` on import. Add a module here when a command is built.
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
]

for _name in BUILT:
    importlib.import_module(f"planner.cli.{_name}")

if "state" not in cli.commands:
    cli.add_command(stubs.state_group)
stubs.register(set(cli.commands))
