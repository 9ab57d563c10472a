"""Saved plans (planner/apply/saved_plan.py): written, read back and verified against the
configs without the CLI; a file that is not a plan, fails its schema, comes from another
version, or was edited, is refused with a message naming the file.

The plans are made by the pure planner (plan_for) for a service that does not exist yet, as
make_plan would make them when nothing is live: no AWS is needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from planner import __version__
from planner.apply.saved_plan import read_plan_file, verified_plan, write_plan_file
from planner.aws.clients import AwsContext
from planner.errors import EcsplanError
from planner.ops.planning import with_config_timeout
from planner.ops.session import Session
from planner.plan.codec import plan_from_data
from planner.plan.inputs import LiveService
from planner.plan.model import Plan, PlanOptions, StepKind
from planner.plan.secrets import sensitive_values
from planner.workspace.planning import inputs_digest, plan_for
from planner.workspace.rederive import PlanMismatch
from planner.workspace.selection import SelectSpec, select

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "single-service"
PASSWORD = "correct-horse-battery-staple"
AWS = AwsContext(region="ap-northeast-1")


def config(tmp_path: Path) -> Path:
    """The single-service example with a DB_PASSWORD in its task definition."""
    d = tmp_path / "svc"
    d.mkdir(exist_ok=True)
    (d / "ecspresso.yml").write_text((EXAMPLE / "ecspresso.yml").read_text())
    (d / "ecs-service-def.json").write_text((EXAMPLE / "ecs-service-def.json").read_text())
    td = json.loads((EXAMPLE / "ecs-task-def.json").read_text())
    td["containerDefinitions"][0]["environment"].append({"name": "DB_PASSWORD", "value": PASSWORD})
    (d / "ecs-task-def.json").write_text(json.dumps(td))
    return d / "ecspresso.yml"


def session(cfg: Path, state: Path) -> Session:
    return Session(select(SelectSpec(configs=(str(cfg),)), AWS), AWS, state_override=str(state))


def new_plan(s: Session, options: PlanOptions) -> Plan:
    """What make_plan gives when the service does not exist yet."""
    options = with_config_timeout(options, s.selection)
    services = tuple(
        plan_for(e, "ap-northeast-1", LiveService(), None, (), options, s.secrets())
        for e in s.entries
    )
    return Plan(
        services=services,
        options=options,
        tool_version=__version__,
        created_at="2026-01-01T00:00:00+00:00",
        inputs_digest=inputs_digest(s.entries),
    )


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Session, Plan, Path]:
    s = session(config(tmp_path), tmp_path / "state")
    plan = new_plan(s, PlanOptions(tasks=2))
    path = tmp_path / "plan.json"
    write_plan_file(plan, str(path), sensitive_values(plan, s.sensitive), s.secrets())
    return s, plan, path


def test_round_trip_gives_the_plan_back_without_the_secret_on_disk(saved) -> None:
    s, plan, path = saved
    text = path.read_text()
    assert PASSWORD not in text
    assert "(sensitive:" in text

    data = read_plan_file(str(path))
    assert data["tool_version"] == __version__
    again = verified_plan(s, str(path), data, None)
    assert again == plan
    assert [st.kind for st in again.services[0].steps] == [
        StepKind.REGISTER_TASK_DEFINITION,
        StepKind.CREATE_SERVICE,
        StepKind.WAIT_ROLLOUT,
    ]
    register = again.services[0].steps[0].payload
    env = register["containerDefinitions"][0]["environment"]
    assert {"name": "DB_PASSWORD", "value": PASSWORD} in env  # apply sends the real value
    assert again.services[0].steps[1].payload["desiredCount"] == 2


def test_apply_waits_with_its_own_timeout(saved) -> None:
    """The timeout is not a reviewed input: apply's own --timeout (else the config's) holds."""
    s, plan, path = saved
    data = read_plan_file(str(path))
    got = verified_plan(s, str(path), data, PlanOptions(tasks=2, timeout_seconds=42.0))
    assert got.options.timeout_seconds == 42.0
    assert got.services[0].steps[2].payload["timeout_seconds"] == 42.0
    assert got.services[0].steps[:2] == plan.services[0].steps[:2]
    assert plan.services[0].steps[2].payload["timeout_seconds"] == 600.0  # the config's 10m


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            PlanOptions(),
            "the plan was made with --tasks 2, this apply has --tasks (not given); give apply "
            "the flags the plan was made with (they are reviewed inputs, as the configs are)",
        ),
        (
            PlanOptions(tasks=2, force_new_deployment=True),
            "the plan was made with --force-new-deployment False, this apply has "
            "--force-new-deployment True;",
        ),
    ],
)
def test_apply_needs_the_flags_the_plan_was_made_with(saved, given, message) -> None:
    s, _, path = saved
    with pytest.raises(PlanMismatch) as e:
        verified_plan(s, str(path), read_plan_file(str(path)), given)
    assert e.value.message.startswith(f"{path}: {message}")


def _edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _step(data: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(st for st in data["services"][0]["steps"] if st["kind"] == kind)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            lambda d: _step(d, "create_service")["payload"].update(desiredCount=30),
            "the plan does not match what the configs give: at $.services[myservice].steps["
            "myservice/02-create_service].payload.desiredCount it has 30 where these configs "
            "and the plan's recorded reads give 2; nothing was applied",
            id="a-payload",
        ),
        pytest.param(
            lambda d: _step(d, "register_task_definition")["payload"]["containerDefinitions"][
                0
            ].update(image="evil/miner:latest"),
            ".payload.containerDefinitions[web].image it has 'evil/miner:latest' where these "
            "configs and the plan's recorded reads give 'nginx:1.27'",
            id="an-image",
        ),
        pytest.param(
            lambda d: d["services"][0]["steps"].pop(0),
            "the plan does not match what the configs give",
            id="a-step-removed",
        ),
        pytest.param(
            lambda d: d.update(inputs_digest="sha256:" + "0" * 64),
            "the plan was made for other inputs",
            id="the-inputs-digest",
        ),
        pytest.param(
            lambda d: d["options"].update(tasks=5),
            "it has 'create service my-cluster/myservice (desired count 2)' where these "
            "configs and the plan's recorded reads give 'create service my-cluster/myservice "
            "(desired count 5)'",
            id="an-option-without-its-payload",
        ),
    ],
)
def test_an_edited_plan_file_is_refused(saved, change, message) -> None:
    s, _, path = saved
    _edit(path, change)
    data = read_plan_file(str(path))  # still a well-formed plan file
    with pytest.raises(PlanMismatch) as e:
        verified_plan(s, str(path), data, None)
    assert e.value.message.startswith(f"{path}: ")
    assert message in e.value.message


def test_configs_changed_since_the_plan_are_refused(saved, tmp_path) -> None:
    path = saved[2]
    td = tmp_path / "svc" / "ecs-task-def.json"
    td.write_text(td.read_text().replace("nginx:", "httpd:"))
    changed = session(tmp_path / "svc" / "ecspresso.yml", tmp_path / "state")
    with pytest.raises(PlanMismatch) as e:
        verified_plan(changed, str(path), read_plan_file(str(path)), None)
    assert e.value.message == (
        f"{path}: the plan was made for other inputs (configs, definitions or their variables "
        "changed since); run plan again"
    )


def test_placeholders_need_the_state_they_were_made_with(saved, tmp_path) -> None:
    path = saved[2]
    other = session(tmp_path / "svc" / "ecspresso.yml", tmp_path / "other-state")
    with pytest.raises(EcsplanError) as e:
        verified_plan(other, str(path), read_plan_file(str(path)), None)
    assert e.value.message == (
        f"{path}: the plan holds secret placeholders made with a state's key, and the state "
        f"{tmp_path / 'other-state'} has none: apply with the state it was planned with"
    )
    assert not (tmp_path / "other-state").exists()  # no key was created for it


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "{path}: plan file not found", id="missing"),
        pytest.param(
            '{\n  "format_version": 1,\n  oops\n}',
            "{path}:3: $: not a plan file (Expecting property name enclosed in double quotes)",
            id="not-json",
        ),
        pytest.param(
            "[1, 2]",
            "{path}: $: not a plan file (a JSON object with format_version and services, as "
            "`ecsplan plan --out` writes)",
            id="an-array",
        ),
        pytest.param(
            '{"services": []}',
            "{path}: $: not a plan file (a JSON object with format_version and services, as "
            "`ecsplan plan --out` writes)",
            id="no-format-version",
        ),
    ],
)
def test_not_a_plan_file(tmp_path, content, message) -> None:
    path = tmp_path / "plan.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(EcsplanError) as e:
        read_plan_file(str(path))
    assert e.value.message == message.format(path=path)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        pytest.param(lambda d: d.update(services="web"), "$.services", id="services-not-a-list"),
        pytest.param(
            lambda d: _step(d, "create_service").update(kind="format_disk"),
            "$.services[0].steps[1].kind",
            id="unknown-step-kind",
        ),
        pytest.param(lambda d: d.pop("options"), "$", id="options-missing"),
    ],
)
def test_schema_invalid_plan_file(saved, change, where) -> None:
    _, _, path = saved
    _edit(path, change)
    with pytest.raises(EcsplanError) as e:
        read_plan_file(str(path))
    assert e.value.message.startswith(f"{path}: {where}: ")
    assert e.value.message.endswith("(not a valid plan file)")


def test_plan_of_another_version_is_refused(saved) -> None:
    _, _, path = saved
    _edit(path, lambda d: d.update(tool_version="9.9.0"))
    with pytest.raises(EcsplanError) as e:
        read_plan_file(str(path))
    assert e.value.message == (
        f"{path}: plan was made by ecsplan 9.9.0, this is {__version__}; run plan again with "
        "this version"
    )


def test_plan_of_an_unknown_format_is_refused(saved) -> None:
    _, _, path = saved
    _edit(path, lambda d: d.update(format_version=99))
    with pytest.raises(EcsplanError) as e:
        read_plan_file(str(path))
    assert "99" in e.value.message


def test_written_file_decodes_to_the_plan(saved) -> None:
    _, plan, path = saved
    decoded = plan_from_data(json.loads(path.read_text()))
    assert decoded.options == plan.options
    assert decoded.inputs_digest == plan.inputs_digest
    assert [sp.key for sp in decoded.services] == ["myservice"]
