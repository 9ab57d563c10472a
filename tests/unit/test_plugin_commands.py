"""`ecsplan sandbox` comes from the ecsplan-sandbox package through the `ecsplan.commands`
entry point; the product works without it and says how to get it."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest
from click.testing import CliRunner

from planner.cli import main as cli_main


def test_the_sandbox_package_provides_the_command() -> None:
    eps = importlib.metadata.entry_points(group="ecsplan.commands")
    assert {ep.name: ep.value for ep in eps} == {"sandbox": "ecsplan_sandbox.cli:sandbox_cmd"}
    out = subprocess.run(
        [sys.executable, "-m", "planner", "sandbox", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and "--prepare CONFIG" in out.stdout


def test_help_lists_it_without_importing_moto() -> None:
    code = (
        "import sys; from planner.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('moto' in sys.modules, 'boto3' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "  sandbox " in out.stdout
    assert out.stderr.strip() == "False False"


def test_without_the_package_it_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_main, "_plugins", lambda: {})
    cli_main.cli.commands.pop("sandbox", None)
    with CliRunner().isolation() as (_, err, *_rest), pytest.raises(SystemExit) as e:
        cli_main.main(["sandbox", "--port", "4566"])
    assert e.value.code == 1
    assert err.getvalue().decode() == (
        "Error: `ecsplan sandbox` comes with the ecsplan-sandbox package: pip install ./sandbox "
        "from the ecsplan repository (make demo and make test install it)\n"
    )
