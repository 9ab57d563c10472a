"""API calls of one-service deploys through the real CLI, against the sandbox.

    .venv/bin/python bench/deploy_calls.py

Cases: a no-op deploy (nothing changed), and an image deploy that waits for the rollout.
Polls during the wait depend on how long the rollout takes (ECSPLAN_POLL_INTERVAL=1 here,
sandbox tick 0.2 s); they are listed apart from the calls the deploy itself makes.
Reference (REFERENCE.md, same machine): fabfuel ecs-deploy makes 8 calls without waiting and
12 with waiting, and registers a new revision even when nothing changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fleet import RemoteSandbox, create_live, write_configs

POLLS = {"ecs:DescribeServices"}


def deploy(sb: RemoteSandbox, cfg: Path, state: str, tag: str) -> dict[str, int]:
    before = sb.stats()["requests"]
    env = {**os.environ, **sb.env(), "IMAGE_TAG": tag, "ECSPLAN_POLL_INTERVAL": "1"}
    subprocess.run(
        [sys.executable, "-m", "planner", "--state", state, "-c", str(cfg), "deploy"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    after = sb.stats()["requests"]
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


def main() -> None:
    with RemoteSandbox(port=4611, tick=0.2) as sb, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(sb.env())
        create_live(1)
        cfg = write_configs(Path(tmp), 1)[0]
        print("| deploy | calls (without wait polls) | wait polls | by operation |")
        print("|---|---|---|---|")
        for label, tag in (("no-op (nothing changed)", "1.27"), ("new image, waits", "1.28")):
            calls = deploy(sb, cfg, str(Path(tmp) / "state"), tag)
            writes = sum(
                v
                for k, v in calls.items()
                if not k.split(":")[1].startswith(("Describe", "List", "Get"))
            )
            reads = {
                k: v
                for k, v in calls.items()
                if k.split(":")[1].startswith(("Describe", "List", "Get"))
            }
            polls = max(0, reads.get("ecs:DescribeServices", 0) - 1) if writes else 0
            total = sum(calls.values()) - polls
            ops = ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(calls.items()))
            print(f"| {label} | {total} ({writes} writes) | {polls} | {ops} |", flush=True)


if __name__ == "__main__":
    main()
