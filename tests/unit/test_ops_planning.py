"""The planning operations' decisions without AWS: which rollout timeout a plan gets
(with_config_timeout), the session's state location and narrowing, config warnings, and
the narrowed plans of `scale` / `refresh` / `deploy --no-update-service` (planner/ops/narrow.py,
what narrowed_plan returns)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from planner.aws.clients import AwsContext
from planner.ops.narrow import narrow_plan, narrow_service, without_service_update
from planner.ops.planning import config_warnings, with_config_timeout
from planner.ops.session import Session
from planner.plan.model import (
    Action,
    Change,
    Document,
    Fingerprint,
    Plan,
    PlanOptions,
    ServicePlan,
    Step,
    StepKind,
)
from planner.workspace.selection import Selection, SelectSpec, select

ROOT = Path(__file__).resolve().parents[2]
SINGLE = ROOT / "examples" / "single-service" / "ecspresso.yml"
AWS = AwsContext(region="ap-northeast-1")


def selection(*configs: Path) -> Selection:
    return select(SelectSpec(configs=tuple(str(c) for c in configs)), AWS)


def config_copy(tmp_path: Path, name: str, extra: str = "") -> Path:
    """The single-service example as service ``name``, with ``extra`` YAML lines."""
    d = tmp_path / name
    d.mkdir()
    for f in ("ecs-service-def.json", "ecs-task-def.json"):
        (d / f).write_text((SINGLE.parent / f).read_text())
    text = SINGLE.read_text().replace("service: myservice", f"service: {name}")
    (d / "ecspresso.yml").write_text(text + extra)
    return d / "ecspresso.yml"


# --- with_config_timeout -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "timeouts", "expected"),
    [
        (None, ["10m"], 600.0),  # the config's timeout
        (None, ["90s", "10m"], 90.0),  # the first config's
        (30.0, ["10m"], 30.0),  # --timeout wins
        (None, [], None),  # no service selected: nothing to take it from
    ],
)
def test_with_config_timeout(tmp_path, given, timeouts, expected) -> None:
    paths = []
    for i, t in enumerate(timeouts):
        p = config_copy(tmp_path, f"svc{i}")
        p.write_text(p.read_text().replace("timeout: 10m", f"timeout: {t}"))
        paths.append(p)
    sel = selection(*paths) if paths else replace(selection(SINGLE), entries=())
    options = PlanOptions(timeout_seconds=given, tasks=2)
    got = with_config_timeout(options, sel)
    assert got.timeout_seconds == expected
    assert got.tasks == 2  # nothing else changes


# --- the session ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "config_state", "expected"),
    [
        (None, None, "state"),
        (None, "s3://bucket/ecsplan", "s3://bucket/ecsplan"),
        ("/tmp/elsewhere", "s3://bucket/ecsplan", "/tmp/elsewhere"),
    ],
)
def test_state_location(tmp_path, override, config_state, expected) -> None:
    extra = f"ecsplan:\n  state: {config_state}\n" if config_state else ""
    sel = selection(config_copy(tmp_path, "web", extra))
    assert Session(sel, AWS, state_override=override).state_location == expected


def test_narrowed_session_keeps_the_given_services_in_that_order(tmp_path) -> None:
    sel = selection(*(config_copy(tmp_path, n) for n in ("web", "api", "worker")))
    s = Session(sel, AWS, state_override=str(tmp_path / "st"), workspace="ws.yml")
    n = s.narrowed(["worker", "web"])
    assert [e.key for e in n.entries] == ["worker", "web"]
    assert list(n.refs()) == ["worker", "web"]
    assert (n.state_location, n.workspace) == (str(tmp_path / "st"), "ws.yml")
    assert [e.key for e in s.entries] == ["web", "api", "worker"]


def test_config_warnings_name_the_service(tmp_path) -> None:
    sel = selection(config_copy(tmp_path, "web", "no_such_key: 1\n"), config_copy(tmp_path, "api"))
    warnings = config_warnings(Session(sel, AWS))
    assert len(warnings) == 1
    assert warnings[0].startswith("web: ")
    assert "no_such_key" in warnings[0]


# --- narrowing a plan to an operation's fields ---------------------------------------------


def step(kind: StepKind, n: int, **kw: Any) -> Step:
    action = Action.READ if kind is StepKind.WAIT_ROLLOUT else Action.UPDATE
    return Step(id=f"web/{n:02d}-{kind.value}", kind=kind, action=action, description="", **kw)


REGISTER = step(StepKind.REGISTER_TASK_DEFINITION, 1, payload={"family": "web"})
UPDATE = step(
    StepKind.UPDATE_SERVICE,
    2,
    payload={
        "cluster": "c",
        "service": {"desiredCount": 1, "healthCheckGracePeriodSeconds": 30, "taskDefinition": "x"},
        "tags": {"add": [{"key": "team", "value": "web"}], "remove": []},
    },
    inputs={"taskDefinition": REGISTER.id},
    changes=(
        Change("desiredCount", "changed", 3, 1),
        Change("healthCheckGracePeriodSeconds", "changed", 0, 30),
        Change("containerDefinitions[web].image", "changed", "nginx:1", "nginx:2"),
    ),
    undo={"desiredCount": 3, "healthCheckGracePeriodSeconds": 0},
)
CAPACITY = step(StepKind.SET_SCALING_CAPACITY, 3, payload={"MinCapacity": 1})
SUSPEND = step(StepKind.SUSPEND_AUTO_SCALING, 4)
WAIT = step(StepKind.WAIT_ROLLOUT, 5)


def service_plan(*steps: Step, action: Action = Action.UPDATE) -> ServicePlan:
    return ServicePlan(
        key="web",
        config_path="ecspresso.yml",
        region="ap-northeast-1",
        cluster="c",
        service="web",
        controller="ECS",
        action=action,
        fingerprint=Fingerprint(status="ACTIVE"),
        steps=steps,
        warnings=("from the planner",),
    )


def test_scale_keeps_only_the_desired_count() -> None:
    sp = narrow_service(service_plan(REGISTER, UPDATE, WAIT), {"desiredCount"})
    assert [s.kind for s in sp.steps] == [StepKind.UPDATE_SERVICE, StepKind.WAIT_ROLLOUT]
    update = sp.steps[0]
    assert update.payload == {
        "cluster": "c",
        "service": {"desiredCount": 1},
        "tags": {"add": [], "remove": []},
    }
    assert update.inputs == {}
    assert [c.path for c in update.changes] == ["desiredCount"]
    assert update.undo == {"desiredCount": 3}
    assert update.description == "update service c/web: desiredCount"
    assert sp.action is Action.UPDATE
    assert sp.warnings == (
        "from the planner",
        "other differences from the config are left for plan/apply: "
        "healthCheckGracePeriodSeconds, register_task_definition, taskDefinition",
    )


def test_nothing_of_the_operation_left_is_no_change() -> None:
    sp = narrow_service(service_plan(REGISTER, UPDATE, WAIT), {"forceNewDeployment"})
    assert sp.steps == ()
    assert sp.action is Action.NOOP
    assert not sp.has_changes
    assert "register_task_definition" in sp.warnings[-1]


@pytest.mark.parametrize(
    ("options", "kinds", "left_out"),
    [
        (
            PlanOptions(tasks=2),
            [StepKind.UPDATE_SERVICE, StepKind.SUSPEND_AUTO_SCALING, StepKind.WAIT_ROLLOUT],
            "set_scaling_capacity",
        ),
        (
            PlanOptions(auto_scaling_min=1),
            [
                StepKind.UPDATE_SERVICE,
                StepKind.SET_SCALING_CAPACITY,
                StepKind.SUSPEND_AUTO_SCALING,
                StepKind.WAIT_ROLLOUT,
            ],
            None,
        ),
    ],
)
def test_scaling_capacity_is_kept_only_when_the_flags_asked_for_it(options, kinds, left_out):
    u = replace(UPDATE, inputs={}, changes=UPDATE.changes[:1])
    u = replace(u, payload={**u.payload, "service": {"desiredCount": 1}})
    plan = Plan(services=(service_plan(u, CAPACITY, SUSPEND, WAIT),), options=options)
    (sp,) = narrow_plan(plan, {"desiredCount"}).services
    assert [s.kind for s in sp.steps] == kinds
    if left_out is None:
        assert sp.warnings == ("from the planner",)
    else:
        assert sp.warnings[-1].endswith(f"left for plan/apply: {left_out}")


@pytest.mark.parametrize(
    ("fields", "paths"),
    [
        ({"deploymentConfiguration"}, ["deploymentConfiguration.maximumPercent"]),
        ({"loadBalancers"}, ["loadBalancers[0].containerPort"]),
        ({"desiredCount"}, []),  # a prefix of another name is not that name
    ],
)
def test_changes_follow_the_kept_fields(fields, paths) -> None:
    u = replace(
        UPDATE,
        inputs={},
        payload={
            "service": {
                "deploymentConfiguration": {"maximumPercent": 150},
                "loadBalancers": [{"containerPort": 8080}],
                "desiredCountX": 1,
            }
        },
        changes=(
            Change("deploymentConfiguration.maximumPercent", "changed", 200, 150),
            Change("loadBalancers[0].containerPort", "changed", 80, 8080),
            Change("desiredCountX", "changed", 0, 1),
        ),
    )
    sp = narrow_service(service_plan(u, WAIT), fields)
    got = [c.path for s in sp.steps for c in s.changes]
    assert got == paths


# --- deploy --no-update-service ------------------------------------------------------------


DEPLOY = replace(
    UPDATE,
    payload={
        "service": {
            "taskDefinition": "x",
            "forceNewDeployment": True,
            "desiredCount": 2,
            "healthCheckGracePeriodSeconds": 30,
        },
        "tags": {"add": [{"key": "team", "value": "web"}], "remove": []},
    },
    changes=(
        Change("desiredCount", "changed", 3, 2),
        Change("healthCheckGracePeriodSeconds", "changed", 0, 30),
    ),
)


@pytest.mark.parametrize(
    ("tasks", "sent", "changes"),
    [
        (None, {"taskDefinition": "x", "forceNewDeployment": True}, []),
        (
            2,
            {"taskDefinition": "x", "forceNewDeployment": True, "desiredCount": 2},
            ["desiredCount"],
        ),
    ],
)
def test_no_update_service_sends_only_the_deploy(tasks, sent, changes) -> None:
    doc = Document("service", {"a": 1}, {"a": 2}, DEPLOY.changes)
    sp = replace(service_plan(REGISTER, DEPLOY, WAIT), documents=(doc,))
    plan = Plan(services=(sp,), options=PlanOptions(tasks=tasks))
    (got,) = without_service_update(plan).services
    update = got.steps[1]
    assert [s.kind for s in got.steps] == [
        StepKind.REGISTER_TASK_DEFINITION,
        StepKind.UPDATE_SERVICE,
        StepKind.WAIT_ROLLOUT,
    ]
    assert update.payload["service"] == sent
    assert update.payload["tags"] == {"add": [], "remove": []}
    assert [c.path for c in update.changes] == changes
    assert [c.path for c in got.documents[0].changes] == changes
    assert got.warnings[-1] == (
        "--no-update-service: the service definition's attributes are not applied"
    )


def test_no_update_service_still_creates_a_missing_service() -> None:
    create = step(StepKind.CREATE_SERVICE, 2, payload={"serviceName": "web", "desiredCount": 3})
    doc = Document("service", None, {"desiredCount": 3}, (Change("desiredCount", "added"),))
    sp = replace(service_plan(REGISTER, create, WAIT, action=Action.CREATE), documents=(doc,))
    (got,) = without_service_update(Plan(services=(sp,))).services
    assert got.steps == sp.steps
    assert got.documents == (doc,)
    assert got.action is Action.CREATE
    assert got.warnings == ("from the planner",)
