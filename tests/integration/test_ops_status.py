"""`ecsplan status` on the sandbox: one service, a CODE_DEPLOY service, a workspace."""

from __future__ import annotations

import json

from test_ops_support import deployed, ecsplan, example


def test_status_of_a_created_service_text_and_json(sandbox, tmp_path) -> None:
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)

    r = ecsplan([cfg], state, "status")
    assert r.code == 0, r
    lines = r.stdout.splitlines()
    row = next(ln for ln in lines if ln.startswith("myservice "))
    assert row.split()[:4] == ["myservice", "ACTIVE", "myservice:1", "3/3"]
    assert "PRIMARY myservice:1 COMPLETED 3/3" in row
    assert "FARGATE" in row
    assert "Deployments" in r.stdout and "Events" in r.stdout
    assert "has reached a steady state." in r.stdout

    j = ecsplan([cfg], state, "status", "--format", "json", "--events", "1")
    assert j.code == 0, j
    svc = json.loads(j.stdout)["services"][0]
    assert svc["revision"] == "myservice:1"
    assert (svc["desiredCount"], svc["runningCount"], svc["pendingCount"]) == (3, 3, 0)
    assert [d["rolloutState"] for d in svc["deployments"]] == ["COMPLETED"]
    assert svc["autoScaling"] is None
    assert svc["launchType"] == "FARGATE"
    assert len(svc["events"]) == 1


def test_status_of_a_codedeploy_service_shows_task_sets(sandbox, tmp_path) -> None:
    cfg = example("blue-green", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)

    r = ecsplan([cfg], state, "status")
    assert r.code == 0, r
    assert "Task sets" in r.stdout
    ts_row = next(ln for ln in r.stdout.splitlines() if ln.startswith("bg-service  PRIMARY"))
    assert "bg-service:1" in ts_row and "STEADY_STATE" in ts_row

    j = json.loads(ecsplan([cfg], state, "status", "--format", "json").stdout)["services"][0]
    assert j["deploymentController"] == "CODE_DEPLOY"
    assert [(t["status"], t["stabilityStatus"]) for t in j["taskSets"]] == [
        ("PRIMARY", "STEADY_STATE")
    ]


def test_status_shows_auto_scaling_and_policies(sandbox, tmp_path) -> None:
    cfg = example("autoscaling", tmp_path)
    state = tmp_path / "state"
    sandbox.prepare([str(cfg)])  # creates the service, scalable target and policy

    j = ecsplan([cfg], state, "status", "--format", "json")
    assert j.code == 0, j
    scaling = json.loads(j.stdout)["services"][0]["autoScaling"]
    assert scaling["minCapacity"] <= scaling["maxCapacity"]
    assert scaling["policies"] == ["cpu-tracking-scaling-policy"]
    text = ecsplan([cfg], state, "status").stdout
    assert "policies: cpu-tracking-scaling-policy" in text


def test_status_of_a_workspace_is_one_table_with_batched_reads(sandbox, tmp_path) -> None:
    ws = example("microservices", tmp_path)
    state = tmp_path / "state"
    sandbox.prepare([str(ws)])
    assert ecsplan([], state, "deploy", workspace=ws).code == 0

    before = dict(sandbox.stats()["requests"])
    r = ecsplan([], state, "status", workspace=ws)
    after = dict(sandbox.stats()["requests"])
    assert r.code == 0, r
    header = r.stdout.splitlines()[0].split()
    assert header[:3] == ["service", "status", "revision"]
    rows = [ln.split()[0] for ln in r.stdout.split("\n\n")[0].splitlines()[1:]]
    assert rows == ["database", "api", "frontend"]
    # one DescribeServices for the three services of one cluster
    assert after["ecs:DescribeServices"] - before.get("ecs:DescribeServices", 0) == 1

    j = json.loads(ecsplan([], state, "status", "--format", "json", workspace=ws).stdout)
    assert [s["key"] for s in j["services"]] == ["database", "api", "frontend"]
    assert all(len(s["events"]) <= 2 for s in j["services"])


def test_status_of_a_missing_service(sandbox, tmp_path) -> None:
    cfg = example("single-service", tmp_path)
    sandbox.prepare([str(cfg)])
    r = ecsplan([cfg], tmp_path / "state", "status")
    assert r.code == 0, r
    assert r.stdout.splitlines()[1].split()[:2] == ["myservice", "MISSING"]
