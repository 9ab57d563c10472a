"""The sandbox's ECS service-deployment API (moto has none), over real HTTP with plain boto3:
a PAUSE lifecycle hook holds a native blue/green deployment at its stage until
ContinueServiceDeployment, as botocore's ServiceDeployment shape and the ECS guide
("Continuing service deployments") describe; ecsplan's continue/wait rely on exactly this.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from helpers_cli import client, copy_example, run_inproc

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

CLUSTER, SERVICE = "my-cluster", "web-pause"


def _until(cond: Callable[[], Any], what: str, limit: float = 30.0) -> Any:
    """Poll live state (the limit only bounds a broken sandbox; no timing is asserted)."""
    end = time.monotonic() + limit
    while not (got := cond()):
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.02)
    return got


@pytest.fixture
def ecs(sandbox: Sandbox, tmp_path: Path) -> Any:
    """examples/ecs-blue-green-pause created at nginx:1.27, then a native deployment of
    nginx:1.28 started (ecsplan deploy --no-wait)."""
    cfg = copy_example("ecs-blue-green-pause", tmp_path)
    sandbox.prepare([str(cfg)])
    r = run_inproc([cfg], tmp_path / "state", "deploy", "--timeout", "60s")
    assert r.code == 0, r
    r = run_inproc([cfg], tmp_path / "state", "deploy", "--no-wait", env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    return client(sandbox, "ecs")


def _active(ecs: Any) -> list[dict[str, Any]]:
    resp = ecs.list_service_deployments(cluster=CLUSTER, service=SERVICE, status=["IN_PROGRESS"])
    return list(resp["serviceDeployments"])


def _paused(ecs: Any) -> dict[str, Any] | None:
    for brief in _active(ecs):
        (sd,) = ecs.describe_service_deployments(
            serviceDeploymentArns=[brief["serviceDeploymentArn"]]
        )["serviceDeployments"]
        if any(h["status"] == "AWAITING_ACTION" for h in sd["lifecycleHookDetails"]):
            return dict(sd)
    return None


def test_pause_hook_holds_the_deployment_until_continue(ecs: Any) -> None:
    sd = _until(lambda: _paused(ecs), "the pause")
    assert sd["status"] == "IN_PROGRESS"
    assert sd["lifecycleStage"] == "POST_TEST_TRAFFIC_SHIFT"
    (hook,) = sd["lifecycleHookDetails"]
    assert hook["targetType"] == "PAUSE" and hook["hookId"].startswith("ecs-pause-")
    time.sleep(0.2)  # ten ticks later it still waits
    assert _paused(ecs) is not None
    arn = sd["serviceDeploymentArn"]
    got = ecs.continue_service_deployment(
        serviceDeploymentArn=arn, hookId=hook["hookId"], action="CONTINUE"
    )
    assert got["serviceDeploymentArn"] == arn

    def done() -> dict[str, Any] | None:
        (now,) = ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"]
        return now if now["status"] == "SUCCESSFUL" else None

    final = _until(done, "the deployment to finish")
    assert final["lifecycleHookDetails"][0]["status"] == "SUCCEEDED"
    assert _active(ecs) == []
    statuses = [
        b["status"]
        for b in ecs.list_service_deployments(cluster=CLUSTER, service=SERVICE)[
            "serviceDeployments"
        ]
    ]
    assert statuses == ["SUCCESSFUL", "SUCCESSFUL"]


def test_rollback_action_goes_back_to_the_blue_revision(ecs: Any) -> None:
    sd = _until(lambda: _paused(ecs), "the pause")
    ecs.continue_service_deployment(
        serviceDeploymentArn=sd["serviceDeploymentArn"],
        hookId=sd["lifecycleHookDetails"][0]["hookId"],
        action="ROLLBACK",
    )

    def rolled_back() -> bool:
        svc = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]
        deps = svc["deployments"]
        return len(deps) == 1 and deps[0]["rolloutState"] == "COMPLETED"

    _until(rolled_back, "the rollback")
    (now,) = ecs.describe_service_deployments(serviceDeploymentArns=[sd["serviceDeploymentArn"]])[
        "serviceDeployments"
    ]
    assert now["status"] == "ROLLBACK_SUCCESSFUL"
    svc = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]
    assert svc["taskDefinition"].endswith("web-pause:1")


def test_continue_errors_as_ecs(ecs: Any) -> None:
    sd = _until(lambda: _paused(ecs), "the pause")
    arn = sd["serviceDeploymentArn"]
    with pytest.raises(ClientError) as unknown_hook:
        ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId="ecs-pause-nope")
    assert unknown_hook.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as unknown_arn:
        ecs.continue_service_deployment(serviceDeploymentArn=arn + "x", hookId="h")
    assert unknown_arn.value.response["Error"]["Code"] == "ServiceDeploymentNotFoundException"
    missing = ecs.describe_service_deployments(serviceDeploymentArns=[arn + "x"])
    assert missing["serviceDeployments"] == []
    assert missing["failures"] == [{"arn": arn + "x", "reason": "MISSING"}]
