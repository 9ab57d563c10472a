"""Plan N services against the sandbox: API calls per service, plan seconds, and the time the
sandbox itself needs to answer the same calls.

    .venv/bin/python bench/plan_many.py [N ...]        (default: 10 100 500)

"sandbox time" replays exactly the read calls the plan made (same operations, same batch
sizes) from one client thread with plain boto3: the floor a planner cannot beat without
making fewer calls. The sandbox runs in its own process (as in real use, the server is not
in the planner's process). Three plans are made in a row, sharing one local state directory
(its task definition cache, planner/state/cache.py): a first plan with an empty cache, a
repeat plan of the unchanged services (the figure issue 13 asks to keep <= 0.15 calls per
service), and a plan with a new image for every service.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fleet import RemoteSandbox, create_live, write_configs

from planner.aws.clients import AwsContext
from planner.config import LoadOptions, load_valid_config
from planner.plan.model import PlanOptions
from planner.state.cache import TaskDefinitionCache
from planner.state.local import LocalBackend
from planner.workspace.planning import ServiceEntry, build_plan


def _reads(stats: dict) -> dict[str, int]:
    return {
        k: v
        for k, v in stats["requests"].items()
        if k.split(":")[1].startswith(("Describe", "List", "Get"))
    }


def replay(sb: RemoteSandbox, reads: dict[str, int], n: int) -> float:
    """Issue the same read calls directly; seconds taken."""
    ecs = boto3.client("ecs", region_name="ap-northeast-1", endpoint_url=sb.endpoint)
    aas = boto3.client(
        "application-autoscaling", region_name="ap-northeast-1", endpoint_url=sb.endpoint
    )
    names = [f"svc-{i:03d}" for i in range(n)]
    t0 = time.perf_counter()
    for _ in range(reads.get("ecs:DescribeServices", 0)):
        ecs.describe_services(cluster="bench", services=names[:10], include=["TAGS"])
    for i in range(reads.get("ecs:DescribeTaskDefinition", 0)):
        ecs.describe_task_definition(taskDefinition=names[i % n], include=["TAGS"])
    for _ in range(reads.get("application-autoscaling:DescribeScalableTargets", 0)):
        aas.describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=[f"service/bench/{x}" for x in names[:50]]
        )
    tagging = boto3.client(
        "resourcegroupstaggingapi", region_name="ap-northeast-1", endpoint_url=sb.endpoint
    )
    arns = [f"arn:aws:ecs:ap-northeast-1:123456789012:task-definition/{x}:1" for x in names[:100]]
    for _ in range(reads.get("tagging:GetResources", 0)):
        tagging.get_resources(ResourceARNList=arns)
    return time.perf_counter() - t0


def bench(n: int) -> tuple[list[str], float]:
    """The table rows for N services, and the calls per service of the repeat plan."""
    rows = []
    repeat = 0.0
    with RemoteSandbox() as sb:
        os.environ.update(sb.env())
        create_live(n)
        with tempfile.TemporaryDirectory() as tmp:
            paths = write_configs(Path(tmp) / "configs", n)
            cache = TaskDefinitionCache(LocalBackend(Path(tmp) / "state"))
            cases = (
                ("no changes, first plan", "1.27"),
                ("no changes, repeat plan", "1.27"),
                ("new image", "1.28"),
            )
            for label, tag in cases:
                os.environ["IMAGE_TAG"] = tag
                t0 = time.perf_counter()
                entries = [
                    ServiceEntry(p.parent.name, load_valid_config(p, LoadOptions())) for p in paths
                ]
                t_load = time.perf_counter() - t0
                before = sb.stats()
                t1 = time.perf_counter()
                plan = build_plan(
                    entries, AwsContext(endpoint_url=sb.endpoint), PlanOptions(), cache=cache
                )
                t_plan = time.perf_counter() - t1
                after = sb.stats()
                reads = {k: v - _reads(before).get(k, 0) for k, v in _reads(after).items()}
                reads = {k: v for k, v in reads.items() if v}
                calls = sum(reads.values())
                if label == "no changes, repeat plan":
                    repeat = calls / n
                floor = replay(sb, reads, n)
                changed = sum(1 for s in plan.services if s.has_changes)
                rows.append(
                    f"| {n} | {label} | {calls} | {calls / n:.2f} | {t_load:.2f} | {t_plan:.2f} | "
                    f"{floor:.2f} | {t_plan / floor if floor else 0:.2f}x | {changed} |"
                )
        os.environ.pop("IMAGE_TAG", None)
    return rows, repeat


def main() -> None:
    ns = [int(a) for a in sys.argv[1:]] or [10, 100, 500]
    print(
        "| services | case | read calls | calls/service | load configs s | plan s | sandbox s | plan/sandbox | changed |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    repeats = []
    for n in ns:
        rows, repeat = bench(n)
        repeats.append((n, repeat))
        for row in rows:
            print(row, flush=True)
    for n, repeat in repeats:
        print(
            f"repeat plan of {n} unchanged services: {repeat:.3f} API calls per service "
            "(issue 13 goal: <= 0.15)"
        )


if __name__ == "__main__":
    main()
