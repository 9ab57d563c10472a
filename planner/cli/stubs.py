"""Commands of the CLI contract that are not built yet: they say so and exit 1.

Each entry moves to its own module when it is built.
"""

from __future__ import annotations

import click

from planner.cli.main import cli
from planner.errors import NotYetImplemented

NOT_YET: dict[str, str] = {}


def _make(name: str, summary: str) -> click.Command:
    @click.command(
        name=name,
        help=f"{summary[0].upper()}{summary[1:]} (not yet implemented).",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
    def _cmd() -> None:
        raise NotYetImplemented(f"`ecsplan {name}` is not yet implemented")

    return _cmd


def register(names: set[str]) -> None:
    """Add a stub for every contract command not already registered."""
    for name, summary in NOT_YET.items():
        if name not in names:
            cli.add_command(_make(name, summary))


@click.group(name="state", help="Inspect state, journals and locks (not yet implemented).")
def state_group() -> None:
    pass


for _sub in ("list", "show", "unlock"):
    state_group.add_command(_make(_sub, f"state {_sub}"))
