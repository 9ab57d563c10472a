"""The bad-input corpus (tests/corpus/): every broken input fails cleanly, touching nothing.

Each manifest entry names a case: a file that replaces one file of the base fixture
(tests/data/config/base/, copied into a fresh directory) under the name given by ``as``, or a
directory whose files are laid over the base. ``validate`` and ``plan`` (against the sandbox,
with ``--state`` in a temporary directory) must both:

- exit 1, with ``Error: <expect>`` as the first stderr line that is not a warning
  (``expect`` is a prefix: ``FILE:LINE: $.path: message``, file names relative to the case);
- print no Python traceback and no "internal error" (the CLI's last-resort line for a
  crash); in-process, any exception other than the CLI's own exit is one;
- make zero AWS write calls (sandbox counters) and write nothing to the state directory.

Cases run in-process through ``planner.cli.main.main`` (fast); a handful also run as
subprocesses, the way a user runs them. Known bugs are ``xfail: "BUG: ..."`` in the manifest
(strict: the test starts failing when the bug is fixed, so the mark gets removed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
BASE = ROOT / "tests" / "data" / "config" / "base"
MANIFEST: list[dict[str, Any]] = yaml.safe_load((CORPUS / "manifest.yml").read_text())
QUIET_ENV = {"NO_COLOR": "1", "COLUMNS": "200", "ECSPLAN_POLL_INTERVAL": "0.05"}


# --- generated inputs (too big or too regular to keep in git) ------------------------------


def _taskdef_20mb(path: Path) -> None:
    base = (BASE / "ecs-task-def.json").read_text()
    huge = "x" * (20 * 1024 * 1024)
    path.write_text(
        base.replace(
            '"name": "app",',
            f'"name": "app",\n      "environment": [{{ "name": "BLOB", "value": "{huge}" }}],',
        )
    )


def _taskdef_70kb(path: Path) -> None:
    # Under the 1 MiB file limit, over ECS's 64 KiB task definition limit.
    base = (BASE / "ecs-task-def.json").read_text()
    huge = "x" * (70 * 1024)
    path.write_text(
        base.replace(
            '"name": "app",',
            f'"name": "app",\n      "environment": [{{ "name": "BLOB", "value": "{huge}" }}],',
        )
    )


def _config_20mb(path: Path) -> None:
    # A syntax error on line 3 keeps today's loader fast (it stops there); a size limit
    # would refuse the file before parsing it. 20 MB of valid YAML takes ~20 s to parse.
    base = (BASE / "ecspresso.yml").read_text().replace("service: web", "service: [web")
    line = "# " + "x" * 1021 + "\n"
    path.write_text(base + line * (20 * 1024))


def _deep_json(path: Path) -> None:
    path.write_text("[" * 1_500 + "]" * 1_500)


def _deep_yaml(path: Path) -> None:
    path.write_text("service: " + "[" * 400 + "]" * 400 + "\n")


def _many_actions(path: Path) -> None:
    base = (BASE / "ecs-task-def.json").read_text()
    actions = "{{ `a` }}" * 5_000 + "{{ nosuch }}"
    path.write_text(base.replace("{{ env `TAG` `1.27` }}", actions))


GENERATORS: dict[str, Callable[[Path], None]] = {
    "taskdef_20mb": _taskdef_20mb,
    "taskdef_70kb": _taskdef_70kb,
    "config_20mb": _config_20mb,
    "deep_json": _deep_json,
    "deep_yaml": _deep_yaml,
    "many_actions": _many_actions,
}


# --- building and running a case -----------------------------------------------------------


def build_case(entry: dict[str, Any], dest: Path) -> None:
    """Base fixture + the case's files in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in BASE.iterdir():
        shutil.copy(f, dest / f.name)
    src = CORPUS / entry["case"]
    if entry["case"].endswith("/"):
        shutil.copytree(src, dest, dirs_exist_ok=True)
    elif "generate" in entry:
        GENERATORS[entry["generate"]](dest / entry["as"])
    else:
        shutil.copy(src, dest / entry["as"])
    if "extra" in entry:
        shutil.copytree(CORPUS / entry["extra"], dest, dirs_exist_ok=True)
    for name, target in (entry.get("symlink") or {}).items():
        (dest / name).symlink_to(target)
    for name in entry.get("fifo") or []:  # named pipes: reading one would block
        os.mkfifo(dest / name)
    if "config_edit" in entry:
        old, new = entry["config_edit"]
        cfg = dest / "ecspresso.yml"
        cfg.write_text(cfg.read_text().replace(old, new))


def global_args(entry: dict[str, Any], state: Path) -> list[str]:
    args = ["--no-color", "--state", str(state), *entry.get("args", [])]
    if "workspace" in entry:
        return [*args, "-w", entry["workspace"]]
    return [*args, "-c", entry.get("config", "ecspresso.yml")]


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    crash: str | None = None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr + (self.crash or "")

    def error_line(self) -> str:
        """The first stderr line that is not a warning (the one-line cause)."""
        for line in self.stderr.splitlines():
            if not line.startswith("warning: "):
                return line
        return ""

    def __str__(self) -> str:
        return (
            f"exit {self.code}\n--- stdout\n{self.stdout[:2000]}\n--- stderr\n"
            f"{self.stderr[:4000]}\n--- crash\n{self.crash or ''}"
        )


def run_inproc(argv: list[str]) -> Outcome:
    """`ecsplan ARGV` through ``planner.cli.main.main`` in this process."""
    from planner.cli.main import main

    runner = CliRunner()
    code, crash = 0, None
    with runner.isolation() as streams:
        try:
            main(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Exception:  # a crash (traceback) is what this test looks for
            code, crash = -1, traceback.format_exc()
        out, err = streams[0].getvalue(), streams[1].getvalue()
    return Outcome(code, out.decode(errors="replace"), err.decode(errors="replace"), crash)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Restore os.environ afterwards (``--envfile`` exports into the process environment)."""
    saved = dict(os.environ)
    for k, v in QUIET_ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("ECSPLAN_STATE", raising=False)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _params() -> list[Any]:
    out = []
    for entry in MANIFEST:
        marks = []
        if entry.get("xfail"):
            marks.append(pytest.mark.xfail(reason=entry["xfail"], strict=True))
        out.append(pytest.param(entry, id=entry["case"].rstrip("/"), marks=marks))
    return out


def check(entry: dict[str, Any], command: str, result: Outcome) -> None:
    assert result.crash is None, f"{command} crashed:\n{result}"
    assert "Traceback" not in result.output, f"{command} printed a traceback:\n{result}"
    assert result.code == 1, f"{command}:\n{result}"
    assert "internal error" not in result.stderr, f"{command} crashed:\n{result}"
    expect = entry.get(f"expect_{command}", entry["expect"])
    line = result.error_line()
    assert line.startswith(f"Error: {expect}"), f"{command}:\n{result}"
    if "expect_in" in entry:
        assert entry["expect_in"] in line, f"{command}:\n{result}"
    for other in entry.get("also", []) if command == "validate" else []:
        assert other in result.stderr, f"{command}: {other!r} not listed:\n{result}"


def test_manifest_is_consistent() -> None:
    cases = [e["case"] for e in MANIFEST]
    assert len(cases) == len(set(cases)), "a case is listed twice"
    assert len(cases) >= 100
    for e in MANIFEST:
        assert (CORPUS / e["case"]).exists(), e["case"]
        assert e.get("expect"), f"{e['case']}: no expected message"
        assert e["case"].endswith("/") or "as" in e, f"{e['case']}: file case without 'as'"
    listed = {e["case"].rstrip("/") for e in MANIFEST} | {
        e["extra"].rstrip("/") for e in MANIFEST if "extra" in e
    }
    on_disk = {
        str(p.relative_to(CORPUS)) for d in CORPUS.iterdir() if d.is_dir() for p in d.iterdir()
    }
    assert on_disk <= listed, f"corpus files not in the manifest: {sorted(on_disk - listed)}"


@pytest.mark.parametrize("entry", _params())
def test_bad_input_fails_cleanly(
    entry: dict[str, Any],
    tmp_path: Path,
    sandbox: Any,
    clean_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = tmp_path / "case"
    state = tmp_path / "state"
    build_case(entry, case)
    for k, v in (entry.get("env") or {}).items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(case)
    before = sorted(p.name for p in case.iterdir())
    args = global_args(entry, state)

    check(entry, "validate", run_inproc([*args, "validate"]))
    check(entry, "plan", run_inproc([*args, "plan"]))

    assert sandbox.write_calls() == {}, "AWS write calls were made"
    assert not state.exists() or not any(state.iterdir()), "something was written to the state"
    assert sorted(p.name for p in case.iterdir()) == before, "files appeared next to the config"


# A few cases the way a user meets them: a real process, real stdout/stderr.
E2E = [
    ("yaml/unclosed_flow_sequence.yml", "validate"),
    ("template/unknown_function.json", "plan"),
    ("workspace/cycle_three.yml", "plan"),
    ("envfile/no_equals.env", "validate"),
    ("files/config_named_pipe/", "validate"),  # opening the pipe would block forever
    ("config/service_bell_bidi.yml", "plan"),  # the terminal gets escapes, not BEL and U+202E
]


@pytest.mark.parametrize(("name", "command"), E2E)
def test_bad_input_in_a_subprocess(name: str, command: str, tmp_path: Path, sandbox: Any) -> None:
    (entry,) = [e for e in MANIFEST if e["case"] == name]
    case, state = tmp_path / "case", tmp_path / "state"
    build_case(entry, case)
    env = {**os.environ, **QUIET_ENV, **sandbox.env()}
    env.pop("ECSPLAN_STATE", None)
    p = subprocess.run(
        [sys.executable, "-m", "planner", *global_args(entry, state), command],
        cwd=case,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    check(entry, command, Outcome(p.returncode, p.stdout, p.stderr))
    assert not any(c in p.stdout + p.stderr for c in "\x07\x1b\u202e"), "raw control characters"
    assert sandbox.write_calls() == {}
    assert not state.exists()
