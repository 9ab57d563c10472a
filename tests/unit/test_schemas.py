"""JSON Schemas: freshness against botocore, examples valid, human error messages."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from planner.config.schema import SCHEMA_FILES, load_schema, schema_dir, schema_problems

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TEMPLATE = re.compile(r"\{\{.*?\}\}")


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_schemas", ROOT / "scripts" / "gen_schemas.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kind_of(path: Path) -> str:
    if path.name.endswith("task-def.json"):
        return "task_definition"
    if path.name.endswith("service-def.json"):
        return "service_definition"
    if path.name == "workspace.yml":
        return "workspace"
    return "config"


def example_files() -> list[Path]:
    names = ("*task-def.json", "*service-def.json", "ecspresso.yml", "workspace.yml")
    return sorted(p for pattern in names for p in EXAMPLES.rglob(pattern))


def test_generated_schemas_match_installed_botocore() -> None:
    gen = load_generator()
    assert gen.stale() == [], "run `make schemas` and commit the result"


def test_check_flag_reports_stale_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gen = load_generator()
    for name, text in gen.generate().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert gen.stale(tmp_path) == []
    (tmp_path / "task-definition.schema.json").write_text("{}\n", encoding="utf-8")
    assert gen.stale(tmp_path) == ["task-definition.schema.json"]
    gen.SCHEMA_DIR = tmp_path
    assert gen.main(["--check"]) == 1
    assert "task-definition.schema.json" in capsys.readouterr().err


def test_generated_schema_records_botocore_version() -> None:
    import botocore

    for kind in ("task_definition", "service_definition"):
        schema = load_schema(kind)
        assert schema["x-botocore-version"] == botocore.__version__
        assert schema["$id"].endswith(SCHEMA_FILES[kind])


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_every_schema_is_valid_draft_2020_12(kind: str) -> None:
    schema = load_schema(kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_schemas_are_found_in_the_top_level_directory() -> None:
    assert schema_dir() == ROOT / "schemas"


def test_examples_exist() -> None:
    kinds = {kind_of(p) for p in example_files()}
    assert kinds == set(SCHEMA_FILES) - {"plan"}  # plan files are checked in test_render_json


@pytest.mark.parametrize("path", example_files(), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_example_has_no_schema_problems(path: Path) -> None:
    text = TEMPLATE.sub("templated", path.read_text(encoding="utf-8"))
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    assert schema_problems(kind_of(path), data) == []


TASK = {"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx"}]}


def task(**changes: Any) -> dict[str, Any]:
    return {**TASK, **changes}


def container(**changes: Any) -> dict[str, Any]:
    return task(containerDefinitions=[{"name": "web", "image": "nginx", **changes}])


INVALID: list[tuple[str, Any, list[tuple[tuple[str | int, ...], str]]]] = [
    (
        "task_definition",
        container(imagee="x"),
        [(("containerDefinitions", 0), 'unknown field "imagee" (did you mean "image"?)')],
    ),
    (
        "task_definition",
        container(cpu="abc"),
        [(("containerDefinitions", 0, "cpu"), 'expected integer, got string "abc"')],
    ),
    (
        "task_definition",
        task(requiresCompatibilities=["FARGAT"]),
        [
            (
                ("requiresCompatibilities", 0),
                "must be one of: EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES",
            )
        ],
    ),
    (
        "task_definition",
        {"family": "web", "containerDefinitions": [{"image": "nginx"}]},
        [(("containerDefinitions", 0), 'missing required field "name"')],
    ),
    (
        "task_definition",
        {"containerDefinitions": []},
        [((), 'missing required field "family"')],
    ),
    (
        "task_definition",
        task(cpu=True),
        [(("cpu",), "expected string or integer, got boolean true")],
    ),
    (
        "task_definition",
        task(tags=[{"key": "", "value": "x"}]),
        [(("tags", 0, "key"), "must be at least 1 characters")],
    ),
    (
        "task_definition",
        {"taskDefinition": {"family": "web"}, "tag": []},
        [
            ((), 'unknown field "tag" (did you mean "tags"?)'),
            (("taskDefinition",), 'missing required field "containerDefinitions"'),
        ],
    ),
    (
        "task_definition",
        ["not", "an", "object"],
        [((), "expected object, got array")],
    ),
    (
        "service_definition",
        {
            "cluster": "c",
            "launchType": "fargate",
            "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 2000}],
        },
        [
            ((), 'unknown field "cluster"'),
            (("capacityProviderStrategy", 0, "weight"), "must be at most 1000"),
            (("launchType",), "must be one of: EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES"),
        ],
    ),
    (
        "service_definition",
        {"networkConfiguration": {"awsvpcConfiguration": {"assignPublicIp": "DISABLED"}}},
        [
            (
                ("networkConfiguration", "awsvpcConfiguration"),
                'missing required field "subnets"',
            )
        ],
    ),
    (
        "service_definition",
        {"service": {"desiredCount": "3"}},
        [(("service", "desiredCount"), 'expected integer, got string "3"')],
    ),
    (
        "config",
        {"timeout": "ten minutes", "codedeploy": {"auto_rollback": "yes"}},
        [
            (("codedeploy", "auto_rollback"), 'expected boolean, got string "yes"'),
            (("timeout",), '"ten minutes" is not a duration such as "10m" or "1h30m"'),
        ],
    ),
    (
        "config",
        {"timeout": False, "plugins": [{"config": {}}]},
        [
            (("plugins", 0), 'missing required field "name"'),
            (("timeout",), "expected string or number, got boolean false"),
        ],
    ),
    (
        "config",
        {"appspec": {"Hooks": [{"BeforeInstal": "fn"}]}},
        [
            (
                ("appspec", "Hooks", 0),
                'field "BeforeInstal" must be one of: BeforeInstall, AfterInstall, '
                "AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic",
            )
        ],
    ),
    (
        "config",
        {"ecsplan": {"scaling": {"min": "2"}}},
        [(("ecsplan", "scaling", "min"), 'expected integer, got string "2"')],
    ),
    (
        "workspace",
        {"parallelism": 0, "services": {"api": {"depends_on": ["db"], "confg": "x"}}},
        [
            (("parallelism",), "must be at least 1"),
            (("services", "api"), 'missing required field "config"'),
            (("services", "api"), 'unknown field "confg" (did you mean "config"?)'),
        ],
    ),
]


@pytest.mark.parametrize(("kind", "data", "expected"), INVALID)
def test_invalid_document_gives_human_messages(
    kind: str, data: Any, expected: list[tuple[tuple[str | int, ...], str]]
) -> None:
    assert schema_problems(kind, data) == expected


def test_problems_are_sorted_by_path_with_indexes_in_order() -> None:
    containers = [{"name": f"c{i}", "image": "x", "cpu": "bad"} for i in range(12)]
    paths = [
        path
        for path, _ in schema_problems("task_definition", task(containerDefinitions=containers))
    ]
    assert paths == [("containerDefinitions", i, "cpu") for i in range(12)]


def test_wrapper_forms_pass() -> None:
    described = {
        "taskDefinition": {
            **container(essential=True),
            "taskDefinitionArn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:3",
            "revision": 3,
            "status": "ACTIVE",
            "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"}],
            "compatibilities": ["EC2", "FARGATE"],
            "registeredAt": "2024-05-01T10:00:00+09:00",
            "registeredBy": "arn:aws:iam::123456789012:user/ci",
            "cpu": 256,
            "memory": "0.5 GB",
        },
        "tags": [{"key": "team", "value": "web"}],
    }
    assert schema_problems("task_definition", described) == []
    service = {
        "serviceArn": "arn:aws:ecs:ap-northeast-1:123456789012:service/c/web",
        "serviceName": "web",
        "status": "ACTIVE",
        "runningCount": 2,
        "pendingCount": 0,
        "desiredCount": 2,
        "deployments": [{"status": "PRIMARY"}],
        "events": [],
        "createdAt": 1714550400.0,
        "launchType": "FARGATE",
    }
    assert schema_problems("service_definition", {"service": service}) == []
    assert schema_problems("service_definition", service) == []


def test_unknown_top_level_config_keys_are_not_schema_errors() -> None:
    assert schema_problems("config", {"service": "web", "filter_command": "peco"}) == []


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown schema kind"):
        schema_problems("taskdef", {})
