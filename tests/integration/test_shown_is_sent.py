"""Every change shown is applied, and every applied change is shown (issue 17).

Each case changes a deployed service's definition or declared extras, takes the plan as a
machine reads it (`plan --format json`), applies it, and compares the parameters the sandbox
received (its write log) with what the plan showed: the UpdateService fields are exactly
the fields of the update step's changes (with their shown values), a forced deployment is
said in the step, and an alarm or scaling policy change shows each field it sends.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import copy_example, edit_json, run_inproc

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration
TIMEOUT = ("--timeout", "60s")
SERVICE_FIELDS_NOT_SHOWN = {"cluster", "service", "taskDefinition", "forceNewDeployment"}


def _plan_json(cfg: Path, state: Path) -> dict[str, Any]:
    r = run_inproc([cfg], state, "plan", "--format", "json")
    assert r.code == 0, r
    return json.loads(r.stdout)


def _steps(plan: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [st for svc in plan["services"] for st in svc["steps"] if st["kind"] == kind]


def _apply_and_writes(sandbox: Sandbox, cfg: Path, state: Path, operation: str) -> list[Any]:
    seq = sandbox.writes()[-1].seq if sandbox.writes() else 0
    r = run_inproc([cfg], state, "apply", "--auto-approve", *TIMEOUT)
    assert r.code == 0, r
    return [w for w in sandbox.writes(operation) if w.seq > seq and w.outcome == "applied"]


def _top(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


@pytest.mark.parametrize(
    ("example", "edit", "forced"),
    [
        (
            "single-service",
            {
                "desiredCount": 4,
                "healthCheckGracePeriodSeconds": 45,
                "propagateTags": "TASK_DEFINITION",
                "enableExecuteCommand": False,
            },
            False,
        ),
        (
            "single-service",
            {
                "launchType": None,
                "capacityProviderStrategy": [
                    {"capacityProvider": "FARGATE_SPOT", "weight": 2, "base": 0},
                    {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                ],
            },
            True,
        ),
        ("single-service", {"loadBalancers": []}, False),
        ("fargate-spot", {"desiredCount": 1, "placementStrategy": [{"type": "random"}]}, False),
    ],
    ids=["four fields", "launch type to capacity providers", "load balancers removed", "spot"],
)
def test_update_service_sends_exactly_the_fields_shown(
    sandbox: Sandbox, tmp_path: Path, example: str, edit: dict[str, Any], forced: bool
) -> None:
    cfg = copy_example(example, tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT).code == 0
    edit_json(cfg.parent / "ecs-service-def.json", **edit)
    plan = _plan_json(cfg, state)
    (step,) = _steps(plan, "update_service")
    shown = {_top(c["path"]) for c in step["changes"]}
    assert shown == {k for k in edit if k != "launchType"}, step["changes"]
    assert ("forces a new deployment" in step["description"]) is forced

    (sent,) = _apply_and_writes(sandbox, cfg, state, "ecs:UpdateService")
    assert set(sent.params) - SERVICE_FIELDS_NOT_SHOWN == shown
    assert bool(sent.params.get("forceNewDeployment")) is forced
    for name in shown:
        assert sent.params[name] == step["payload"]["service"][name]
    for name, value in edit.items():
        if value not in (None, []) and name != "capacityProviderStrategy":
            assert sent.params[name] == value
    assert run_inproc([cfg], state, "plan", "--detailed-exitcode").code == 0


def test_declared_alarm_and_policy_changes_show_each_field_they_send(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    cfg = copy_example("managed-scaling", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT).code == 0
    text = cfg.read_text()
    text = text.replace("threshold: 80", "threshold: 85", 1).replace(
        "target_value: 70", "target_value: 60"
    )
    cfg.write_text(text)
    plan = _plan_json(cfg, state)
    (alarm,) = _steps(plan, "put_metric_alarm")
    (policy,) = _steps(plan, "put_scaling_policy")
    assert [(c["path"], c["before"], c["after"]) for c in alarm["changes"]] == [
        ("threshold", 80.0, 85.0)
    ]
    assert [(c["path"], c["before"], c["after"]) for c in policy["changes"]] == [
        ("target_value", 70.0, 60.0)
    ]
    text_plan = run_inproc([cfg], state, "plan")
    assert "threshold: 80.0 -> 85.0" in text_plan.stdout
    assert "target_value: 70.0 -> 60.0" in text_plan.stdout
    md = run_inproc([cfg], state, "plan", "--format", "markdown")
    assert "threshold: 80.0 -> 85.0" in md.stdout

    seq = sandbox.writes()[-1].seq
    r = run_inproc([cfg], state, "apply", "--auto-approve", *TIMEOUT)
    assert r.code == 0, r
    sent = {w.operation: w.params for w in sandbox.writes() if w.seq > seq}
    assert float(sent["monitoring:PutMetricAlarm"]["Threshold"]) == 85.0
    tracking = sent["application-autoscaling:PutScalingPolicy"][
        "TargetTrackingScalingPolicyConfiguration"
    ]
    assert tracking["TargetValue"] == 60.0
    assert set(sent) == {"monitoring:PutMetricAlarm", "application-autoscaling:PutScalingPolicy"}
    assert run_inproc([cfg], state, "plan", "--detailed-exitcode").code == 0


def test_no_service_diff_without_a_step(sandbox: Sandbox, tmp_path: Path) -> None:
    """Only an alarm changes: the plan shows no `~ service` block, only the alarm step."""
    cfg = copy_example("managed-scaling", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT).code == 0
    cfg.write_text(cfg.read_text().replace("threshold: 80", "threshold: 85", 1))
    plan = _plan_json(cfg, state)
    assert [st["kind"] for st in plan["services"][0]["steps"]] == ["put_metric_alarm"]
    text = run_inproc([cfg], state, "plan").stdout
    assert "~ service" not in text and "~ task definition" not in text
