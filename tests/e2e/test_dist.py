"""The product wheel is the tool alone: no emulator, no moto, no pytest plugin; the sandbox
wheel adds the `ecsplan sandbox` command."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheels(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path),
            ".",
            "./sandbox",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    [product] = tmp_path.glob("ecsplan-*.whl")
    [sandbox] = tmp_path.glob("ecsplan_sandbox-*.whl")
    with zipfile.ZipFile(product) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith("dist-info/METADATA"))).decode()
        entry = z.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert not [n for n in names if "sandbox" in n or "pytest" in n]
    requires = [ln for ln in meta.splitlines() if ln.startswith("Requires-Dist:")]
    assert not [r for r in requires if "moto" in r]
    assert "ecsplan = planner.cli.main:main" in entry and "pytest11" not in entry
    with zipfile.ZipFile(sandbox) as z:
        names = z.namelist()
        entry = z.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
        meta = z.read(next(n for n in names if n.endswith("dist-info/METADATA"))).decode()
    assert "[ecsplan.commands]\nsandbox = ecsplan_sandbox.cli:sandbox_cmd" in entry
    assert "pytest11" not in entry
    assert "Requires-Dist: ecsplan" in meta and "Requires-Dist: moto[server]" in meta
