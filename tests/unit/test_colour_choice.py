"""When ecsplan colours its output: ecspresso v2.4+'s flag, and otherwise the rule ecspresso
followed before v2.4 (fatih/color v1.16.0 color.go `NoColor = noColorIsSet() ||
os.Getenv("TERM") == "dumb" || !isatty(stdout)`, noColorIsSet = NO_COLOR non-empty)."""

from __future__ import annotations

import io

import pytest

from planner.cli.context import Globals


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    "choice,env,tty,coloured",
    [
        (None, {}, True, True),
        (None, {}, False, False),
        (None, {"NO_COLOR": "1"}, True, False),
        (None, {"NO_COLOR": ""}, True, True),  # set but empty: not set, for fatih/color
        (None, {"TERM": "dumb"}, True, False),
        (True, {"NO_COLOR": "1", "TERM": "dumb"}, False, True),  # --color: forced (cli.go v2.4+)
        (False, {}, True, False),  # --no-color
    ],
)
def test_colour_follows_the_flag_else_fatih_colors_rule(
    monkeypatch: pytest.MonkeyPatch,
    choice: bool | None,
    env: dict[str, str],
    tty: bool,
    coloured: bool,
) -> None:
    """ecspresso cli.go `Color ... default:"true" negatable:""` + cliv2.go `color.NoColor =
    !opts.Color` when a flag is given; fatih/color's own rule (color.go) otherwise."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    stream = Tty() if tty else io.StringIO()
    assert Globals(color_choice=choice).color_for(stream) is coloured
