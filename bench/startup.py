"""Benchmark: CLI start-up, `ecsplan --version` and `ecsplan --help` (target <= 0.3 s).

Run: .venv/bin/python bench/startup.py [--runs 15]
Each command runs as a fresh process (the console script, as a user types it); prints the
median and the best wall time, and which heavy modules the process imported. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("ecsplan")
HEAVY = ("boto3", "botocore", "rich", "moto", "deepdiff", "jsonschema", "yaml", "_jsonnet")
COMMANDS = (["--version"], ["--help"], ["plan", "--help"])


def wall(argv: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([str(SCRIPT), *argv], stdout=subprocess.DEVNULL, check=True)
        out.append(time.perf_counter() - t)
    return out


def heavy_imports(argv: list[str]) -> list[str]:
    probe = (
        "import sys\n"
        "from planner.cli.main import main\n"
        f"sys.argv = ['ecsplan', *{argv!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", probe], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    lines = p.stderr.strip().splitlines()
    return [m for m in lines[-1].split(",") if m] if lines else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"| command | median | best | heavy modules imported |  ({args.runs} runs each)")
    print("|---|---|---|---|")
    for argv in COMMANDS:
        times = wall(argv, args.runs)
        mods = ", ".join(heavy_imports(argv)) or "none"
        name = "ecsplan " + " ".join(argv)
        print(f"| `{name}` | {statistics.median(times):.3f} s | {min(times):.3f} s | {mods} |")


if __name__ == "__main__":
    main()
