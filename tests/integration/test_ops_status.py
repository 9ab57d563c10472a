"""`ecsplan status` on the sandbox, run as a user runs it, compared with what ecspresso v2.6.0
prints for the same live data.

The expected block is built here, independently of planner/render/status_view.py, from the
values boto3 reads back and the Go format strings of ecspresso v2.6.0 (`format.go`,
`ecspresso.go:(*DescribeServiceStatusOutput).String`) applied with Python's `%` operator.
The sandbox clock is paused before the comparison, so both read the same state.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers_cli import run_sub
from test_ops_support import client, deployed, ecsplan, example

from ecsplan_sandbox.server import Sandbox

CLUSTER = "my-cluster"
# format.go @v2.6.0
GO_DEPLOYMENT = "%8s %s desired:%d pending:%d running:%d %s(%s)"
GO_TASK_SET = "%8s %s desired:%d pending:%d running:%d %s"
GO_TARGET = "  Capacity min:%d max:%d\n  Suspended in:%s out:%s scheduled:%s"
GO_POLICY = "  Policy name:%s type:%s"


def go_event_time(at: datetime, zone: str) -> str:
    """Go `2006-01-02T15:04:05.000Z07:00` in ``zone`` (time.Local under TZ=zone)."""
    t = at.astimezone(ZoneInfo(zone))
    z = t.strftime("%z")
    offset = "Z" if t.utcoffset() == timedelta(0) else f"{z[:3]}:{z[3:]}"
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}" + offset


def expected_block(sandbox: Sandbox, service: str, events: int, zone: str) -> str:
    """ecspresso's block for ``service`` from boto3's answers (ecspresso.go
    DescribeServiceStatus + describeAutoScaling @v2.6.0)."""
    svc = client(sandbox, "ecs").describe_services(cluster=CLUSTER, services=[service])
    s = svc["services"][0]
    name = lambda arn: arn.split("/")[-1]  # noqa: E731 - util.go arnToName
    out = [f"Service: {s['serviceName']}", f"Cluster: {name(s['clusterArn'])}"]
    out.append(f"TaskDefinition: {name(s['taskDefinition'])}")
    if s.get("deployments"):
        out.append("Deployments:")
        for d in s["deployments"]:
            values = (d["status"], name(d["taskDefinition"]), d["desiredCount"])
            values += (d["pendingCount"], d["runningCount"])
            values += (d.get("rolloutState", ""), d.get("rolloutStateReason", ""))
            out.append("  " + GO_DEPLOYMENT % values)
    if s.get("taskSets"):
        out.append("TaskSets:")
        for t in s["taskSets"]:
            values = (t["status"], name(t["taskDefinition"]), t["computedDesiredCount"])
            values += (t["pendingCount"], t["runningCount"], t["stabilityStatus"])
            out.append("  " + GO_TASK_SET % values)
    out.append("AutoScaling:")
    aas = client(sandbox, "application-autoscaling")
    rid = f"service/{CLUSTER}/{service}"
    dim = "ecs:service:DesiredCount"
    targets = aas.describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[rid], ScalableDimension=dim
    )["ScalableTargets"]
    for t in targets:
        sus = t.get("SuspendedState", {})  # moto leaves out the flags never set; AWS: false
        flags = [
            str(sus.get(k, False)).lower()
            for k in ("DynamicScalingInSuspended", "DynamicScalingOutSuspended")
        ]
        flags.append(str(sus.get("ScheduledScalingSuspended", False)).lower())
        out.append(GO_TARGET % (t["MinCapacity"], t["MaxCapacity"], *flags))
    if targets:
        policies = aas.describe_scaling_policies(
            ServiceNamespace="ecs", ResourceId=rid, ScalableDimension=dim
        )["ScalingPolicies"]
        out += [GO_POLICY % (p["PolicyName"], p["PolicyType"]) for p in policies]
    out.append("Events:")
    ordered = sorted(s["events"], key=lambda e: e["createdAt"])  # sort.SliceStable, Before
    for e in ordered[max(len(ordered) - events, 0) :]:
        out.append(f"{go_event_time(e['createdAt'], zone)} {e['message']}")
    return "\n".join(out) + "\n"


def _scaled_service_mid_rollout(sandbox: Sandbox, tmp_path: Path) -> tuple[Path, Path]:
    """The autoscaling example deployed, with a scale-in and scheduled suspension, a second
    (step scaling) policy, and a new deployment left IN_PROGRESS (clock paused)."""
    cfg = example("autoscaling", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    aas = client(sandbox, "application-autoscaling")
    target = {
        "ServiceNamespace": "ecs",
        "ResourceId": f"service/{CLUSTER}/scaled-service",
        "ScalableDimension": "ecs:service:DesiredCount",
    }
    aas.register_scalable_target(
        **target,
        SuspendedState={
            "DynamicScalingInSuspended": True,
            "DynamicScalingOutSuspended": False,
            "ScheduledScalingSuspended": True,
        },
    )
    aas.put_scaling_policy(
        **target,
        PolicyName="step-out",
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration={
            "AdjustmentType": "ChangeInCapacity",
            "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}],
        },
    )
    sandbox.pause()
    client(sandbox, "ecs").update_service(
        cluster=CLUSTER, service="scaled-service", forceNewDeployment=True
    )
    sandbox.step(1)  # the new deployment starts its tasks: events and counts move
    return cfg, state


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "UTC"])
def test_status_prints_ecspresso_block_with_auto_scaling(sandbox, tmp_path, zone) -> None:
    """ecspresso.go (*DescribeServiceStatusOutput).String + format.go @v2.6.0: the whole
    stdout equals ecspresso's block, event times in TZ, for a service mid-rollout with
    auto scaling (suspended flags, two policies)."""
    cfg, state = _scaled_service_mid_rollout(sandbox, tmp_path)
    r = run_sub(sandbox, [cfg], state, "status", env={"TZ": zone})
    assert r.code == 0, r
    assert r.stdout == expected_block(sandbox, "scaled-service", 10, zone)
    assert "\n   PRIMARY scaled-service:1 desired:2 pending:2 running:0 IN_PROGRESS(" in r.stdout
    assert "\n    ACTIVE scaled-service:1 desired:2 pending:0 running:2 COMPLETED(" in r.stdout
    assert "  Suspended in:true out:false scheduled:true\n" in r.stdout
    assert "  Policy name:step-out type:StepScaling\n" in r.stdout
    assert ("+09:00 " if zone == "Asia/Tokyo" else "Z ") in r.stdout
    assert r.stderr == ""


def test_status_events_n_shows_the_newest_n_oldest_first(sandbox, tmp_path) -> None:
    """status.go StatusOption.Events + ecspresso.go DescribeServiceStatus @v2.6.0: the
    newest --events N after a stable sort by createdAt; 0 leaves `Events:` empty."""
    cfg, state = _scaled_service_mid_rollout(sandbox, tmp_path)
    events = client(sandbox, "ecs").describe_services(cluster=CLUSTER, services=["scaled-service"])[
        "services"
    ][0]["events"]
    assert len(events) > 2
    r = run_sub(sandbox, [cfg], state, "status", "--events", "2", env={"TZ": "UTC"})
    assert r.code == 0, r
    assert r.stdout == expected_block(sandbox, "scaled-service", 2, "UTC")
    times = [ln.split(" ", 1)[0] for ln in r.stdout.split("Events:\n")[1].splitlines()]
    assert len(times) == 2 and times == sorted(times)
    none = run_sub(sandbox, [cfg], state, "status", "--events", "0", env={"TZ": "UTC"})
    assert none.stdout.endswith("Events:\n"), none


def test_status_of_a_codedeploy_service_shows_task_sets(sandbox, tmp_path) -> None:
    """ecspresso.go (*DescribeServiceStatusOutput).String @v2.6.0: TaskSets: lines
    (format.go formatTaskSet), no Deployments: header, AutoScaling: even without a target."""
    cfg = example("blue-green", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    sandbox.pause()
    r = run_sub(sandbox, [cfg], state, "status", env={"TZ": "UTC"})
    assert r.code == 0, r
    assert r.stdout == expected_block(sandbox, "bg-service", 10, "UTC")
    lines = r.stdout.splitlines()
    assert lines[3:6] == [
        "TaskSets:",
        "   PRIMARY bg-service:1 desired:3 pending:0 running:3 STEADY_STATE",
        "AutoScaling:",
    ]

    j = json.loads(ecsplan([cfg], state, "status", "--output", "json").stdout)["services"][0]
    assert j["deploymentController"] == "CODE_DEPLOY"
    assert [(t["status"], t["stabilityStatus"]) for t in j["taskSets"]] == [
        ("PRIMARY", "STEADY_STATE")
    ]


def test_status_of_a_workspace_is_one_block_per_service(sandbox, tmp_path) -> None:
    """One ecspresso block per service in the workspace's order, a blank line between two
    (ecsplan only: ecspresso shows one service); still one DescribeServices call."""
    ws = example("microservices", tmp_path)
    state = tmp_path / "state"
    sandbox.prepare([str(ws)])
    assert ecsplan([], state, "deploy", workspace=ws).code == 0
    sandbox.pause()

    before = dict(sandbox.stats()["requests"])
    r = run_sub(sandbox, [], state, "-w", str(ws), "status", env={"TZ": "Asia/Tokyo"})
    after = dict(sandbox.stats()["requests"])
    assert r.code == 0, r
    names = ["database", "api", "frontend"]
    assert r.stdout == "\n".join(expected_block(sandbox, n, 2, "Asia/Tokyo") for n in names)
    assert after["ecs:DescribeServices"] - before.get("ecs:DescribeServices", 0) == 1


def test_status_table_and_json_outputs_stay(sandbox, tmp_path) -> None:
    """ecsplan's own outputs: --output table|json, and the older --format text|json
    (text was, and stays, the table)."""
    cfg = example("autoscaling", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    for args in (("--output", "table"), ("--format", "text")):
        r = ecsplan([cfg], state, "status", *args)
        assert r.code == 0, r
        row = next(ln for ln in r.stdout.splitlines() if ln.startswith("scaled-service "))
        assert row.split()[:4] == ["scaled-service", "ACTIVE", "scaled-service:1", "2/2"]
        assert "policies: cpu-tracking-scaling-policy" in row
    for args in (("--output", "json"), ("--format", "json")):
        j = ecsplan([cfg], state, "status", *args, "--events", "1")
        assert j.code == 0, j
        svc = json.loads(j.stdout)["services"][0]
        assert svc["revision"] == "scaled-service:1"
        assert svc["autoScaling"]["policies"] == ["cpu-tracking-scaling-policy"]
        assert [d["rolloutState"] for d in svc["deployments"]] == ["COMPLETED"]
        assert len(svc["events"]) == 1
    both = ecsplan([cfg], state, "status", "--format", "text", "--output", "json")
    assert both.code == 1 and "--format text and --output json" in both.stderr.splitlines()[0]


def test_a_wrong_output_is_one_error_line_and_no_aws_call(sandbox, tmp_path) -> None:
    cfg = example("single-service", tmp_path)
    before = sandbox.stats()["total"]
    r = ecsplan([cfg], tmp_path / "state", "status", "--output", "yaml")
    assert r.code == 1
    assert r.stderr.splitlines() == [
        "Error: Invalid value for '--output': 'yaml' is not one of 'text', 'table', 'json'."
    ]
    assert r.stdout == ""
    assert sandbox.stats()["total"] == before


def test_status_of_a_missing_service_fails_as_ecspresso(sandbox, tmp_path) -> None:
    """ecspresso.go (*App).DescribeService @v2.6.0: `service X is not found`, exit 1
    (cli.go), nothing on stdout."""
    cfg = example("single-service", tmp_path)
    sandbox.prepare([str(cfg)])
    for output in ("text", "table", "json"):
        r = ecsplan([cfg], tmp_path / "state", "status", "--output", output)
        assert r.code == 1, r
        assert r.stderr.splitlines()[0] == "Error: service myservice is not found"
    assert ecsplan([cfg], tmp_path / "state", "status").stdout == ""


def test_status_of_a_workspace_with_an_inactive_and_a_missing_service(sandbox, tmp_path) -> None:
    """ecspresso.go (*App).DescribeService @v2.6.0: `service X is INACTIVE` / `is not found`
    fail the command; ecsplan prints the blocks of the others first."""
    ws = example("microservices", tmp_path)
    state = tmp_path / "state"
    sandbox.prepare([str(ws)])
    assert ecsplan([], state, "deploy", workspace=ws).code == 0
    ecs = client(sandbox, "ecs")
    ecs.delete_service(cluster=CLUSTER, service="api", force=True)
    assert ecs.describe_services(cluster=CLUSTER, services=["api"])["services"][0]["status"] == (
        "INACTIVE"
    )
    sandbox.pause()

    r = run_sub(sandbox, [], state, "-w", str(ws), "status", env={"TZ": "UTC"})
    assert r.code == 1, r
    assert r.stderr.splitlines()[0] == "Error: service api is INACTIVE"
    names = ["database", "frontend"]
    assert r.stdout == "\n".join(expected_block(sandbox, n, 2, "UTC") for n in names)

    ecs.delete_service(cluster=CLUSTER, service="database", force=True)
    r = run_sub(sandbox, [], state, "-w", str(ws), "status", env={"TZ": "UTC"})
    assert r.code == 1, r
    assert r.stderr.splitlines()[:2] == [
        "Error: service database is INACTIVE",
        "service api is INACTIVE",
    ]


def test_a_failed_auto_scaling_read_is_a_warning(sandbox, tmp_path) -> None:
    """ecspresso.go describeAutoScaling @v2.6.0: a failed DescribeScalableTargets is a
    warning; the block still has `AutoScaling:` (empty) and the command succeeds."""
    cfg = example("autoscaling", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    sandbox.set_faults(
        error_rate=1.0, operations=["application-autoscaling:DescribeScalableTargets"]
    )
    r = ecsplan([cfg], state, "status", env={"ECSPLAN_MAX_ATTEMPTS": "1"})
    assert r.code == 0, r
    assert r.stderr.startswith("warning: failed to describe scalable targets: "), r
    assert "\nAutoScaling:\nEvents:\n" in r.stdout
