"""Benchmark: sandbox start-up time (target < 2 s) and request throughput.

Run: .venv/bin/python bench/sandbox_start.py [--requests 500]
Prints figures; asserts nothing (timings are never test assertions here).
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

T0 = time.perf_counter()
from ecsplan_sandbox import Sandbox  # noqa: E402  (import time is part of start-up)

IMPORTED = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()

    started = time.perf_counter()
    sb = Sandbox(port=0, tick=0.2).start()
    ready = time.perf_counter()
    import boto3
    from botocore.config import Config

    ecs = boto3.client(
        "ecs",
        endpoint_url=sb.endpoint,
        region_name="ap-northeast-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    ecs.create_cluster(clusterName="bench")
    first = time.perf_counter()

    t = time.perf_counter()
    for _ in range(args.requests):
        ecs.describe_clusters(clusters=["bench"])
    serial = args.requests / (time.perf_counter() - t)

    t = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: ecs.describe_clusters(clusters=["bench"]), range(args.requests)))
    parallel = args.requests / (time.perf_counter() - t)
    counted = sb.stats()["requests"].get("ecs:DescribeClusters", 0)
    sb.stop()

    print(f"import ecsplan_sandbox (moto):  {IMPORTED - T0:.2f} s")
    print(f"Sandbox.start():                {ready - started:.3f} s")
    print(f"start-up total (import+start):  {ready - T0:.2f} s  (target < 2 s)")
    print(f"first AWS call answered after:  {first - T0:.2f} s (includes boto3 import)")
    print(f"throughput, 1 client thread:    {serial:.0f} requests/s")
    print(f"throughput, 4 client threads:   {parallel:.0f} requests/s")
    print(f"calls counted by the sandbox:   {counted}")


if __name__ == "__main__":
    main()
