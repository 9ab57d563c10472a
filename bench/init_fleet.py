"""`ecsplan init --cluster C --all` of N live services through the CLI, against the sandbox.

    .venv/bin/python bench/init_fleet.py [N ...]        (default: 10 50 100)

Each N gets a fresh cluster of N rolling Fargate services (bench/_fleet.py create_live, as a
previous deploy leaves them). Prints the API calls init made (counted by the sandbox, by
operation), the wall time of the whole command (process start-up included, as a user sees
it), the files written, and what `ecsplan -w workspace.yml plan --detailed-exitcode` says
right after (exit 0 = "No changes" for every service). The sandbox runs in its own process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fleet import RemoteSandbox, create_live


def ecsplan(sb: RemoteSandbox, cwd: Path, *args: str) -> tuple[int, str, float]:
    """Run the CLI in ``cwd``; exit code, stdout, seconds."""
    env = {**os.environ, **sb.env(), "NO_COLOR": "1"}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 2):
        raise SystemExit(f"ecsplan {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.returncode, proc.stdout, seconds


def bench(sb: RemoteSandbox, n: int) -> str:
    """The table row for a cluster of N services."""
    sb.reset()
    create_live(n)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        before = sb.stats()["requests"]
        _, out, seconds = ecsplan(sb, work, "init", "--cluster", "bench", "--all")
        after = sb.stats()["requests"]
        calls = {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}
        files = sum(1 for line in out.splitlines() if line.startswith("wrote "))
        code, _, _ = ecsplan(
            sb, work, "-w", "workspace.yml", "--state", "state", "plan", "--detailed-exitcode"
        )
    ops = ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(calls.items()))
    plan = "No changes (exit 0)" if code == 0 else f"changes (exit {code})"
    total = sum(calls.values())
    return f"| {n} | {total} | {total / n:.2f} | {ops} | {seconds:.2f} | {files} | {plan} |"


def main() -> None:
    ns = [int(a) for a in sys.argv[1:]] or [10, 50, 100]
    print(
        "| services | API calls | calls/service | by operation | init s | files | plan right after |"
    )
    print("|---|---|---|---|---|---|---|")
    with RemoteSandbox(port=4613, tick=0.2) as sb:
        os.environ.update(sb.env())
        for n in ns:
            print(bench(sb, n), flush=True)


if __name__ == "__main__":
    main()
