"""The sandbox answers over real HTTP and resets between tests."""

from __future__ import annotations

import boto3


def test_cluster_roundtrip_and_reset(sandbox) -> None:
    ecs = boto3.client("ecs", endpoint_url=sandbox.endpoint)
    ecs.create_cluster(clusterName="smoke")
    assert [c.split("/")[-1] for c in ecs.list_clusters()["clusterArns"]] == ["smoke"]
    sandbox.reset()
    assert ecs.list_clusters()["clusterArns"] == []
