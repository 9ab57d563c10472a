"""Declarative extras under `ecsplan:`: scalable target, target-tracking policy and alarms are
planned, applied, found unchanged afterwards, and changed in place."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "managed-scaling"


def ecsplan(cfg: Path, state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ECSPLAN_POLL_INTERVAL": "0.05"}
    return subprocess.run(
        [sys.executable, "-m", "planner", "--state", str(state), "-c", str(cfg), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_scaling_and_alarms_converge(sandbox, tmp_path: Path) -> None:
    boto3.client("ecs").create_cluster(clusterName="my-cluster")
    work = tmp_path / "svc"
    shutil.copytree(EXAMPLE, work)
    cfg, state = work / "ecspresso.yml", tmp_path / "state"

    first = ecsplan(cfg, state, "plan")
    assert first.returncode == 0, first.stderr
    assert "2 auto scaling changes, 2 alarm changes" in first.stdout
    assert "create CloudWatch alarm managed-service-cpu-alarm" in first.stdout

    applied = ecsplan(cfg, state, "deploy")
    assert applied.returncode == 0, applied.stderr

    aas = boto3.client("application-autoscaling")
    rid = "service/my-cluster/managed-service"
    target = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[rid])[
        "ScalableTargets"
    ][0]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 10)
    policy = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=rid)[
        "ScalingPolicies"
    ][0]
    assert policy["PolicyName"] == "cpu-tracking-scaling-policy"
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 70
    alarms = boto3.client("cloudwatch").describe_alarms(AlarmNamePrefix="managed-service-")
    names = sorted(a["AlarmName"] for a in alarms["MetricAlarms"])
    assert names == ["managed-service-cpu-alarm", "managed-service-memory-alarm"]
    dims = {d["Name"]: d["Value"] for d in alarms["MetricAlarms"][0]["Dimensions"]}
    assert dims == {"ClusterName": "my-cluster", "ServiceName": "managed-service"}

    again = ecsplan(cfg, state, "plan", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes." in again.stdout

    doc = yaml.safe_load(cfg.read_text())
    doc["ecsplan"]["scaling"]["max"] = 20
    doc["ecsplan"]["scaling"]["policies"][0]["target_value"] = 60
    doc["ecsplan"]["alarms"][0]["threshold"] = 90
    cfg.write_text(yaml.safe_dump(doc))
    changed = ecsplan(cfg, state, "plan")
    assert "set scalable target service/my-cluster/managed-service: min 2, max 20" in changed.stdout
    assert "update scaling policy cpu-tracking-scaling-policy" in changed.stdout
    assert "update CloudWatch alarm managed-service-cpu-alarm" in changed.stdout
    assert "register a new revision" not in changed.stdout
    assert ecsplan(cfg, state, "deploy").returncode == 0
    cpu = boto3.client("cloudwatch").describe_alarms(AlarmNames=["managed-service-cpu-alarm"])
    assert cpu["MetricAlarms"][0]["Threshold"] == 90

    # Rolling back that run restores the previous threshold, policy and capacity.
    back = ecsplan(cfg, state, "rollback")
    assert back.returncode == 0, back.stderr
    cpu = boto3.client("cloudwatch").describe_alarms(AlarmNames=["managed-service-cpu-alarm"])
    assert cpu["MetricAlarms"][0]["Threshold"] == 80
    target = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[rid])[
        "ScalableTargets"
    ][0]
    assert target["MaxCapacity"] == 10


def test_scale_changes_only_the_count(sandbox, tmp_path: Path) -> None:
    """`scale` leaves alarm and policy drift to plan/apply: it changes the count, nothing else."""
    boto3.client("ecs").create_cluster(clusterName="my-cluster")
    work = tmp_path / "svc"
    shutil.copytree(EXAMPLE, work)
    cfg, state = work / "ecspresso.yml", tmp_path / "state"
    assert ecsplan(cfg, state, "deploy").returncode == 0
    doc = yaml.safe_load(cfg.read_text())
    doc["ecsplan"]["alarms"][0]["threshold"] = 95
    cfg.write_text(yaml.safe_dump(doc))
    before = sandbox.stats()["requests"].get("monitoring:PutMetricAlarm", 0)
    r = ecsplan(cfg, state, "scale", "--tasks", "4")
    assert r.returncode == 0, r.stderr
    assert "left for plan/apply" in r.stdout + r.stderr
    assert sandbox.stats()["requests"].get("monitoring:PutMetricAlarm", 0) == before
    svc = boto3.client("ecs").describe_services(cluster="my-cluster", services=["managed-service"])
    assert svc["services"][0]["desiredCount"] == 4
