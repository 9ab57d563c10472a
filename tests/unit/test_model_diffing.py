"""structured_diff: readable, stable paths keyed by natural keys; JSON-serializable records."""

from __future__ import annotations

import json
from typing import Any

from planner.canonical.diffing import structured_diff


def _td(image: str = "nginx:1", env: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "family": "app",
        "containerDefinitions": [
            {"name": "log", "image": "fluentbit"},
            {
                "name": "web",
                "image": image,
                "environment": env if env is not None else [{"name": "A", "value": "1"}],
                "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
            },
        ],
        "tags": [{"key": "team", "value": "web"}],
    }


def test_equal_documents_have_no_changes() -> None:
    assert structured_diff(_td(), _td()) == []


def test_container_image_change_is_named_by_container() -> None:
    assert structured_diff(_td(), _td(image="nginx:2")) == [
        {
            "path": "containerDefinitions[name=web].image",
            "kind": "changed",
            "old": "nginx:1",
            "new": "nginx:2",
        }
    ]


def test_env_var_added_removed_changed() -> None:
    before = _td(env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
    after = _td(env=[{"name": "A", "value": "9"}, {"name": "C", "value": "3"}])
    records = {(r["path"], r["kind"]): r for r in structured_diff(before, after)}
    base = "containerDefinitions[name=web].environment"
    assert set(records) == {
        (f"{base}[name=A].value", "changed"),
        (f"{base}[name=B]", "removed"),
        (f"{base}[name=C]", "added"),
    }
    assert records[(f"{base}[name=B]", "removed")]["old"] == {"name": "B", "value": "2"}
    assert records[(f"{base}[name=C]", "added")]["new"] == {"name": "C", "value": "3"}


def test_inserting_a_container_does_not_shift_paths() -> None:
    after = _td()
    after["containerDefinitions"].insert(0, {"name": "aaa", "image": "busybox"})
    assert [(r["path"], r["kind"]) for r in structured_diff(_td(), after)] == [
        ("containerDefinitions[name=aaa]", "added")
    ]


def test_added_container_value_keeps_list_shapes() -> None:
    after = _td()
    sidecar = {"name": "side", "image": "x", "environment": [{"name": "Z", "value": "1"}]}
    after["containerDefinitions"].append(sidecar)
    [record] = structured_diff(_td(), after)
    assert record["new"] == sidecar


def test_tags_by_key_and_ports_by_container_port() -> None:
    after = _td()
    after["tags"][0]["value"] = "platform"
    after["containerDefinitions"][1]["portMappings"][0]["hostPort"] = 8080
    paths = [r["path"] for r in structured_diff(_td(), after)]
    assert paths == [
        "containerDefinitions[name=web].portMappings[containerPort=80].hostPort",
        "tags[key=team].value",
    ]


def test_subnets_are_compared_as_a_set_of_values() -> None:
    before = {"awsvpcConfiguration": {"subnets": ["subnet-a", "subnet-b"]}}
    after = {"awsvpcConfiguration": {"subnets": ["subnet-b", "subnet-c"]}}
    assert [(r["path"], r["kind"]) for r in structured_diff(before, after)] == [
        ("awsvpcConfiguration.subnets[subnet-a]", "removed"),
        ("awsvpcConfiguration.subnets[subnet-c]", "added"),
    ]


def test_lists_without_keys_fall_back_to_positions() -> None:
    before = {"command": ["sh", "-c", "run"]}
    after = {"command": ["sh", "-c", "serve"]}
    assert structured_diff(before, after) == [
        {"path": "command[2]", "kind": "changed", "old": "run", "new": "serve"}
    ]


def test_from_nothing_and_type_changes() -> None:
    assert structured_diff({}, {"desiredCount": 2}) == [
        {"path": "desiredCount", "kind": "added", "old": None, "new": 2}
    ]
    assert structured_diff({"cpu": 256}, {"cpu": "256"}) == [
        {"path": "cpu", "kind": "changed", "old": 256, "new": "256"}
    ]


def test_records_are_json_serializable_and_stable() -> None:
    before = _td(env=[{"name": "B", "value": "2"}, {"name": "A", "value": "1"}])
    after = _td(image="nginx:3", env=[{"name": "C", "value": "3"}])
    first = json.dumps(structured_diff(before, after))
    assert first == json.dumps(structured_diff(before, after))
    assert json.loads(first) == structured_diff(before, after)
