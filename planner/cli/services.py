"""Temporary bridge: commands not yet moved to `Globals.session()` select services here."""

from __future__ import annotations

from pathlib import Path

from planner.cli.context import Globals
from planner.config import LoadOptions
from planner.plan.secrets import Secrets
from planner.state.backend import lazy_secret_key, open_backend
from planner.workspace import selection as _selection
from planner.workspace.planning import secrets_of
from planner.workspace.selection import DEFAULT_PARALLELISM, Selection

__all__ = ["DEFAULT_PARALLELISM", "Selection", "config_paths", "load_options", "select"]


def load_options(g: Globals, definitions: bool = True) -> LoadOptions:
    return _selection.load_options(g.select_spec(), g.aws(), definitions)


def config_paths(g: Globals, options: LoadOptions) -> list[Path]:
    return _selection.config_paths(g.select_spec(), options)


def select(g: Globals, targets: tuple[str, ...] = (), *, definitions: bool = True) -> Selection:
    return _selection.select(g.select_spec(), g.aws(), targets, definitions=definitions)


def state_location(g: Globals, sel: Selection) -> str:
    """--state / ECSPLAN_STATE > workspace or config `ecsplan.state` > ./state."""
    return g.state or sel.state or "state"


def run_secrets(g: Globals, sel: Selection) -> Secrets:
    """The selection's secrets with the key of its state location."""
    aws = g.aws(sel.entries[0].config.region if sel.entries else None)
    return secrets_of(sel.entries, lazy_secret_key(open_backend(state_location(g, sel), aws)))
