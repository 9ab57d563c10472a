"""`ecsplan scale`: desired count (and scaling capacity) through the journal, nothing else."""

from __future__ import annotations

import json

from test_ops_support import client, deployed, describe, ecsplan, example


def test_scale_changes_desired_count_through_the_journal(sandbox, tmp_path) -> None:
    """scale.go ScaleOption.DesiredCount (`--tasks`) and ScaleOption.DeployOption (WaitUntil
    stable): the count is set and the command waits until the service is stable."""
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)

    r = ecsplan([cfg], state, "scale", "--tasks", "5")
    assert r.code == 0, r
    assert "update service my-cluster/myservice: desiredCount" in r.stdout
    svc = describe(sandbox, "my-cluster", "myservice")
    assert (svc["desiredCount"], svc["runningCount"]) == (5, 5)  # waited until stable

    show = ecsplan([cfg], state, "state", "show", "myservice", "--format", "json")
    assert show.code == 0, show
    runs = json.loads(show.stdout)["runs"]
    kinds = [s["kind"] for s in runs[0]["steps"]]
    assert runs[0]["outcome"] == "succeeded"
    assert kinds == ["update_service", "wait_rollout"]


def test_scale_leaves_other_drift_alone(sandbox, tmp_path) -> None:
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    sd = cfg.parent / "ecs-service-def.json"
    doc = json.loads(sd.read_text())
    doc["healthCheckGracePeriodSeconds"] = 120
    sd.write_text(json.dumps(doc))

    r = ecsplan([cfg], state, "scale", "--tasks", "2", "--no-wait")
    assert r.code == 0, r
    assert "left for plan/apply: healthCheckGracePeriodSeconds" in r.output
    svc = describe(sandbox, "my-cluster", "myservice")
    assert svc["desiredCount"] == 2
    assert svc["healthCheckGracePeriodSeconds"] == 60


def test_scale_sets_scaling_capacity(sandbox, tmp_path) -> None:
    """scale.go ScaleOption.AutoScalingMin/Max and deploy.go modifyAutoScaling: the scalable
    target's capacity is set with the count."""
    cfg = example("autoscaling", tmp_path)
    state = tmp_path / "state"
    sandbox.prepare([str(cfg)])

    r = ecsplan(
        [cfg], state, "scale", "--tasks", "3", "--auto-scaling-min", "3", "--auto-scaling-max", "6"
    )
    assert r.code == 0, r
    [target] = client(sandbox, "application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=["service/my-cluster/scaled-service"]
    )["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (3, 6)
    assert describe(sandbox, "my-cluster", "scaled-service")["desiredCount"] == 3


def test_scale_of_a_missing_service_is_an_error(sandbox, tmp_path) -> None:
    cfg = example("single-service", tmp_path)
    sandbox.prepare([str(cfg)])
    r = ecsplan([cfg], tmp_path / "state", "scale", "--tasks", "1")
    assert r.code == 1
    assert r.stderr.startswith("Error: ")
