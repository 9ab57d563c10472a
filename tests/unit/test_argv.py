"""Global flags in any position: how argv is rearranged before click reads it (issue 12)."""

from __future__ import annotations

import pytest

from planner.cli.argv import normalize_argv
from planner.cli.main import _register_commands, cli
from planner.errors import EcsplanError

_register_commands()


@pytest.mark.parametrize(
    "argv,expected",
    [
        (["deploy", "--config", "a.yml"], ["--config", "a.yml", "deploy"]),
        (["deploy", "--config=a.yml", "--tasks", "2"], ["--config=a.yml", "deploy", "--tasks", "2"]),
        (["status", "-ca.yml", "--events", "3"], ["-ca.yml", "status", "--events", "3"]),
        # wait has a --timeout of its own: it stays with wait
        (["wait", "--config", "a.yml", "--timeout", "10m"], ["--config", "a.yml", "wait", "--timeout", "10m"]),
        # status has none: ecspresso's global --timeout moves to the front
        (["status", "--timeout", "1m"], ["--timeout", "1m", "status"]),
        (["state", "show", "svc", "-w", "ws.yml"], ["-w", "ws.yml", "state", "show", "svc"]),
        (["deploy", "--no-color", "--debug"], ["--no-color", "--debug", "deploy"]),
        (["deploy", "--help", "--config", "a.yml"], ["--config", "a.yml", "deploy", "--help"]),
        (["run", "--overrides", "--config", "-c", "a.yml"], ["-c", "a.yml", "run", "--overrides", "--config"]),
        (["exec", "--", "--config", "x"], ["exec", "--", "--config", "x"]),
        (["no-such-command", "--config", "a"], ["no-such-command", "--config", "a"]),
        (["deploy", "--no-such-flag"], ["deploy", "--no-such-flag"]),
        (["--version"], ["--version"]),
        # an optional value (tasks --stop [ID]) never swallows the next flag
        (["tasks", "--stop", "--config", "a.yml", "--force"], ["--config", "a.yml", "tasks", "--stop", "--force"]),
        (["tasks", "--stop", "abc", "--config", "a.yml"], ["--config", "a.yml", "tasks", "--stop", "abc"]),
        (["tasks", "--config", "a.yml", "--stop"], ["--config", "a.yml", "tasks", "--stop"]),
    ],
)  # fmt: skip
def test_globals_move_in_front(argv: list[str], expected: list[str]) -> None:
    """ecspresso cli.go CLIOptions parsed by kong v1.10.0: a global flag may follow the subcommand."""
    assert normalize_argv(cli, argv) == expected


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--region", "a", "plan", "--region", "b"], "--region given twice with different values: 'a' and 'b'"),
        (["--timeout", "5m", "wait", "--timeout", "10m"], "--timeout given twice with different values: '5m' and '10m'"),
        (["plan", "--tasks", "1", "--tasks", "2"], "--tasks given twice with different values: '1' and '2'"),
        (["plan", "--ext-str", "A=1", "--ext-str", "A=2"], "--ext-str A given twice with different values: '1' and '2'"),
        (["plan", "--ext-str", "B=0;A=1", "--ext-str", "A=2"], "--ext-str A given twice with different values: '1' and '2'"),
        (["--color", "plan", "--no-color"], "--color/--no-color: both forms given; give one"),
    ],
)  # fmt: skip
def test_conflicting_repeats_are_refused(argv: list[str], message: str) -> None:
    with pytest.raises(EcsplanError) as e:
        normalize_argv(cli, argv)
    assert e.value.message == message


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "-c", "a.yml", "-c", "b.yml"],  # several services
        ["plan", "--ext-str", "A=1", "--ext-str", "B=2"],
        ["--region", "a", "plan", "--region=a"],
        ["deploy", "--envfile", "a.env", "--envfile", "b.env"],
    ],
)
def test_allowed_repeats(argv: list[str]) -> None:
    out = normalize_argv(cli, argv)  # no error, nothing lost, the command last
    assert sorted(out) == sorted(argv)
    assert out[-1] in ("plan", "deploy")
