"""Apply a 50-service workspace (a chain plus fan-out of dependencies) on the sandbox.

    .venv/bin/python bench/apply_many.py [N] [PARALLELISM]     (default 50 10)

Prints the apply phase of `ecsplan -w workspace.yml apply` for a new image on every service
(first journal entry to last, across services), the whole command's wall time (with start-up,
config loading and planning), the ideal schedule (each service's own rollout time, taken from its journal, list-scheduled on the
dependency graph at the given parallelism — what a perfect orchestrator would take), their
ratio, API calls per service, and the same deploys done the seed's way: one `ecsplan deploy`
process per service, one after another, in dependency order.
"""

from __future__ import annotations

import heapq
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fleet import RemoteSandbox, create_live, write_configs

CHAIN = 5


def deps_of(i: int) -> list[str]:
    """svc-000 -> svc-001 -> ... -> svc-004 is a chain; every other service hangs off one link."""
    if i == 0:
        return []
    if i < CHAIN:
        return [f"svc-{i - 1:03d}"]
    return [f"svc-{i % CHAIN:03d}"]


def write_workspace(root: Path, n: int, parallelism: int) -> Path:
    lines = [f"parallelism: {parallelism}", "services:"]
    for i in range(n):
        name = f"svc-{i:03d}"
        lines.append(f"  {name}:")
        lines.append(f"    config: {name}/ecspresso.yml")
        if deps_of(i):
            lines.append(f"    depends_on: [{', '.join(deps_of(i))}]")
    path = root / "workspace.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def durations(state: Path) -> dict[str, tuple[float, float]]:
    """(start, end) epoch seconds of each service's run, from its journal."""
    out = {}
    for f in state.glob("*/runs/*.jsonl"):
        entries = [json.loads(x) for x in f.read_text().splitlines() if x.strip()]
        ts = [datetime.fromisoformat(e["ts"].replace("Z", "+00:00")).timestamp() for e in entries]
        service = f.parent.parent.name.split("%2F")[-1]
        out[service] = (min(ts), max(ts))
    return out


def ideal(n: int, parallelism: int, took: dict[str, float]) -> float:
    """List scheduling on the DAG with `parallelism` workers, using measured durations."""
    done: dict[str, float] = {}
    ready: list[tuple[float, str]] = []
    names = [f"svc-{i:03d}" for i in range(n)]
    waiting = {s: set(deps_of(int(s[4:]))) for s in names}
    for s in names:
        if not waiting[s]:
            heapq.heappush(ready, (0.0, s))
    workers = [0.0] * parallelism
    while ready:
        at, s = heapq.heappop(ready)
        w = min(range(parallelism), key=lambda k: workers[k])
        start = max(at, workers[w])
        workers[w] = done[s] = start + took[s]
        for t in names:
            if s in waiting[t]:
                waiting[t].discard(s)
                if not waiting[t]:
                    heapq.heappush(ready, (max(done[d] for d in deps_of(int(t[4:]))), t))
    return max(done.values())


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    par = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    with RemoteSandbox(port=4612, tick=0.2) as sb, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ.update(sb.env())
        create_live(n, desired=2)
        write_configs(root, n, desired=2)
        ws = write_workspace(root, n, par)
        env = {**os.environ, "ECSPLAN_POLL_INTERVAL": "0.2", "IMAGE_TAG": "1.28"}
        state = root / "state"
        before = sb.stats()
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "planner", "--state", str(state), "-w", str(ws), "apply",
             "--auto-approve"],
            env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wall = time.perf_counter() - t0
        after = sb.stats()
        calls = after["total"] - before["total"]
        spans = durations(state)
        took = {s: end - start for s, (start, end) in spans.items()}
        best = ideal(n, par, took)
        phase = max(e for _, e in spans.values()) - min(s for s, _ in spans.values())

        # The seed's way: one process per service, one after another, dependencies first.
        env["IMAGE_TAG"] = "1.29"
        before = sb.stats()
        t1 = time.perf_counter()
        for i in range(n):
            cfg = root / f"svc-{i:03d}" / "ecspresso.yml"
            subprocess.run(
                [sys.executable, "-m", "planner", "--state", str(root / "state2"), "-c", str(cfg),
                 "deploy"],
                env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        seq = time.perf_counter() - t1
        seq_calls = sb.stats()["total"] - before["total"]

    print(
        "| services | parallelism | ideal schedule s | apply phase s | ratio | whole command s "
        "| API calls/service | seed's loop s | seed's calls/service |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {n} | {par} | {best:.1f} | {phase:.1f} | {phase / best:.2f}x | {wall:.1f} | "
        f"{calls / n:.1f} | {seq:.1f} | {seq_calls / n:.1f} |"
    )
    print(
        f"\nper-service rollout (from journals): min {min(took.values()):.1f}s, "
        f"max {max(took.values()):.1f}s; critical path = {CHAIN} chained services"
    )


if __name__ == "__main__":
    main()
