"""A plan file cannot make apply do what the reviewed inputs would not (issue 16).

The plan file is a CI artifact: anyone with read access can download it, and a pull
request's own code produced it. Each case edits a real plan file the way an attacker would
(the edits an independent review tried, and more) and applies it with the configs it was
made from: apply plans again from those configs, its flags and the reads the plan recorded,
and refuses the file naming the first difference. Nothing is written to AWS (the sandbox's
write log stays empty) and the service keeps running what it ran.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import copy_example, describe_service, image_of, run_inproc

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration
NEW = {"IMAGE_TAG": "1.28"}
Edit = Callable[[dict[str, Any]], None]


def _steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["services"][0]["steps"]


def _step(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(s for s in _steps(doc) if s["kind"] == kind)


def backdoor_image(doc: dict[str, Any]) -> None:
    _step(doc, "register_task_definition")["payload"]["containerDefinitions"][0]["image"] = (
        "evil/backdoor:latest"
    )


def drop_wait(doc: dict[str, Any]) -> None:
    doc["services"][0]["steps"] = [s for s in _steps(doc) if s["kind"] != "wait_rollout"]


def drop_wait_and_option(doc: dict[str, Any]) -> None:
    drop_wait(doc)
    doc["options"]["wait"] = False


def other_service_name(doc: dict[str, Any]) -> None:
    _step(doc, "update_service")["payload"]["serviceName"] = "payments"


def grace_period(doc: dict[str, Any]) -> None:
    _step(doc, "update_service")["payload"]["service"]["healthCheckGracePeriodSeconds"] = 0


def desired_count(doc: dict[str, Any]) -> None:
    _step(doc, "update_service")["payload"]["service"]["desiredCount"] = 0


def desired_count_with_flag(doc: dict[str, Any]) -> None:
    desired_count(doc)
    doc["options"]["tasks"] = 0


def update_renamed_to_delete(doc: dict[str, Any]) -> None:
    step = _step(doc, "update_service")
    step["kind"] = "delete_service"
    step["id"] = step["id"].replace("update_service", "delete_service")


def admin_task_role(doc: dict[str, Any]) -> None:
    _step(doc, "register_task_definition")["payload"]["taskRoleArn"] = (
        "arn:aws:iam::123456789012:role/Admin"
    )


def register_twice(doc: dict[str, Any]) -> None:
    first = _step(doc, "register_task_definition")
    doc["services"][0]["steps"].insert(1, {**first, "id": first["id"] + "-again"})


def observed_service_gone(doc: dict[str, Any]) -> None:
    doc["services"][0]["observed"]["service"] = None


ATTACKS: dict[str, tuple[Edit, str]] = {
    "backdoor image": (backdoor_image, "containerDefinitions[web].image"),
    "wait step deleted": (drop_wait, "steps"),
    "wait step and option deleted": (drop_wait_and_option, "--no-wait"),
    "serviceName changed": (other_service_name, "serviceName"),
    "grace period added": (grace_period, "healthCheckGracePeriodSeconds"),
    "desiredCount added": (desired_count, "payload.service"),
    "desiredCount and --tasks": (desired_count_with_flag, "--tasks"),
    "update renamed to delete": (update_renamed_to_delete, "myservice/02-"),
    "Admin task role": (admin_task_role, "taskRoleArn"),
    "register step duplicated": (register_twice, "steps"),
    "recorded read edited": (observed_service_gone, "services[myservice].action"),
}


@pytest.fixture
def planned(sandbox: Sandbox, tmp_path: Path) -> tuple[Path, Path, Path]:
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", "--timeout", "60s").code == 0
    plan = tmp_path / "p.json"
    assert run_inproc([cfg], state, "plan", "--out", str(plan), env=NEW).code == 0
    return cfg, state, plan


def _no_writes_since(sandbox: Sandbox, seq: int) -> list[str]:
    return [w.operation for w in sandbox.writes() if w.seq > seq]


def _last_seq(sandbox: Sandbox) -> int:
    writes = sandbox.writes()
    return writes[-1].seq if writes else 0


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_an_edited_plan_file_is_refused_before_any_write(
    sandbox: Sandbox, planned: tuple[Path, Path, Path], attack: str
) -> None:
    cfg, state, plan = planned
    edit, named = ATTACKS[attack]
    doc = json.loads(plan.read_text())
    edit(doc)
    plan.write_text(json.dumps(doc, indent=2))
    seq = _last_seq(sandbox)
    r = run_inproc([cfg], state, "apply", str(plan), env=NEW)
    assert r.code == 1, r
    first = r.stderr.splitlines()[0]
    assert first.startswith(f"Error: {plan}: "), r
    assert named in first, r
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert _no_writes_since(sandbox, seq) == [], r
    svc = describe_service(sandbox, "my-cluster", "myservice")
    assert svc is not None and image_of(sandbox, svc["taskDefinition"]) == "nginx:1.27"


def test_the_untouched_file_applies(sandbox: Sandbox, planned: tuple[Path, Path, Path]) -> None:
    """The control case: the same file, unedited, applies (and says what it did)."""
    cfg, state, plan = planned
    r = run_inproc([cfg], state, "apply", str(plan), "--timeout", "60s", env=NEW)
    assert r.code == 0, r
    svc = describe_service(sandbox, "my-cluster", "myservice")
    assert svc is not None and image_of(sandbox, svc["taskDefinition"]) == "nginx:1.28"


def test_flags_are_reviewed_inputs(sandbox: Sandbox, planned: tuple[Path, Path, Path]) -> None:
    """A plan made with a flag applies only with the same flag; the timeout is apply's own."""
    cfg, state, plan = planned
    r = run_inproc([cfg], state, "plan", "--tasks", "3", "--out", str(plan), env=NEW)
    assert r.code == 0, r
    r = run_inproc([cfg], state, "apply", str(plan), env=NEW)
    assert r.code == 1 and "the plan was made with --tasks 3" in r.stderr, r
    r = run_inproc([cfg], state, "apply", str(plan), "--tasks", "3", "--timeout", "60s", env=NEW)
    assert r.code == 0, r


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "$: not a plan file"),
        ("{}", "$: not a plan file"),
        ('"plan"', "$: not a plan file"),
        ('{"format_version": 1, "services": "all"}', "$"),
        ('{"format_version": 1, "services": [], "options": {}}', "$"),
        ('{"format_version": 2, "services": []}', "format_version 2 is not supported"),
        ('{"format_version": 1', "not a plan file"),
    ],
)
def test_json_that_is_not_a_plan_gets_one_clear_line(
    sandbox: Sandbox, planned: tuple[Path, Path, Path], content: str, message: str
) -> None:
    cfg, state, plan = planned
    plan.write_text(content)
    r = run_inproc([cfg], state, "apply", str(plan), env=NEW)
    assert r.code == 1, r
    first = r.stderr.splitlines()[0]
    assert first.startswith("Error: ") and message in first, r
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr


def test_wrong_types_inside_a_plan_are_located(
    sandbox: Sandbox, planned: tuple[Path, Path, Path]
) -> None:
    cfg, state, plan = planned
    doc = json.loads(plan.read_text())
    doc["services"][0]["steps"][0]["payload"] = ["not", "an", "object"]
    plan.write_text(json.dumps(doc))
    r = run_inproc([cfg], state, "apply", str(plan), env=NEW)
    assert r.code == 1, r
    assert r.stderr.startswith(f"Error: {plan}: $.services[0].steps[0].payload: "), r
