"""render_json output and the plan file (codec output) against their JSON Schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from test_render_plans import all_plans, big_plan, check_snapshot, secret_plan

from planner.plan.codec import plan_to_data
from planner.plan.secrets import Secrets, sensitive_values
from planner.render.json_out import render_json

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]


PLANS = {**all_plans(), "secrets": secret_plan(), "big": big_plan(5)}


@pytest.mark.parametrize("name", sorted(PLANS))
def test_render_json_matches_output_schema(name: str) -> None:
    data = render_json(PLANS[name])
    json.dumps(data)  # plain JSON values only
    assert _errors(_validator("plan-output.schema.json"), data) == []


@pytest.mark.parametrize("name", sorted(PLANS))
def test_plan_file_matches_plan_schema(name: str) -> None:
    plan = PLANS[name]
    data = Secrets().mask(plan_to_data(plan), sensitive_values(plan))
    assert _errors(_validator("plan.schema.json"), data) == []


def test_plan_schema_rejects_unknown_step_kind() -> None:
    data = plan_to_data(PLANS["image_change"])
    data["services"][0]["steps"][0]["kind"] = "delete_cluster"
    assert _errors(_validator("plan.schema.json"), data)


def test_resource_changes_are_terraform_like() -> None:
    data = render_json(PLANS["workspace"])
    by_address = {rc["address"]: rc["change"]["actions"] for rc in data["resource_changes"]}
    assert by_address["ecs_service.my-cluster/db-migrator"] == ["create"]
    assert by_address["ecs_task_definition.db-migrator"] == ["create"]
    assert by_address["ecs_service.my-cluster/worker"] == ["update"]
    assert by_address["ecs_task_definition.worker"] == ["no-op"]
    assert by_address["ecs_service.my-cluster/stable"] == ["no-op"]
    assert data["has_changes"] is True
    assert data["summary"]["line"].startswith("Plan: 3 to register, 2 to update, 1 to create")


def test_steps_carry_kind_action_payload() -> None:
    data = render_json(PLANS["codedeploy"])
    steps = data["services"][0]["steps"]
    assert [s["kind"] for s in steps] == [
        "register_task_definition",
        "create_codedeploy_deployment",
        "wait_rollout",
    ]
    assert steps[1]["payload"]["applicationName"] == "AppECS-my-cluster-bluegreen"
    assert data["summary"]["deploy"] == 1


def test_no_changes_json() -> None:
    data = render_json(PLANS["no_changes"])
    assert data["has_changes"] is False
    assert data["summary"]["line"] == "No changes. Live services match the configuration."
    assert data["services"][0]["actions"] == ["no-op"]


def test_json_snapshot() -> None:
    text = json.dumps(render_json(PLANS["image_change"]), indent=2, sort_keys=True) + "\n"
    check_snapshot("image_change.json", text)


def _step_kind_enums(node: object) -> list[set[str]]:
    if isinstance(node, dict):
        enum = node.get("enum")
        own = [set(enum)] if isinstance(enum, list) and "register_task_definition" in enum else []
        return own + [e for v in node.values() for e in _step_kind_enums(v)]
    if isinstance(node, list):
        return [e for v in node for e in _step_kind_enums(v)]
    return []


def test_schemas_list_every_step_kind() -> None:
    """A new StepKind must reach both plan schemas, or plan files would fail validation."""
    import json
    from pathlib import Path

    from planner.plan.model import StepKind

    root = Path(__file__).resolve().parents[2] / "schemas"
    kinds = {k.value for k in StepKind}
    for name in ("plan.schema.json", "plan-output.schema.json"):
        found = _step_kind_enums(json.loads((root / name).read_text()))
        assert found and all(f == kinds for f in found), name
