"""The task definition cache never stores a secret-bearing value, yet gives the exact content
back for the run whose config holds those values (planner/state/cache_secrets.py)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from planner.state.cache import TaskDefinitionCache
from planner.state.local import LocalBackend

ARN = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:3"
SM_ARN = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:app/token-Ab12Cd"
ROTATED_OLD = "old-db-password-value"
MARKED = "marked-ssm-value-91x"


def body() -> dict[str, Any]:
    return {
        "taskDefinitionArn": ARN,
        "family": "web",
        "revision": 3,
        "status": "ACTIVE",
        "containerDefinitions": [
            {
                "name": "app",
                "image": "nginx:1.27",
                "command": ["serve", f"--dsn={MARKED}"],
                "environment": [
                    {"name": "DB_CONN", "value": ROTATED_OLD},
                    {"name": "LOG_LEVEL", "value": "info"},
                ],
                "secrets": [{"name": "APP_TOKEN", "valueFrom": SM_ARN}],
                "repositoryCredentials": {"credentialsParameter": SM_ARN},
                "logConfiguration": {
                    "logDriver": "awsfirelens",
                    "secretOptions": [{"name": "apikey", "valueFrom": SM_ARN}],
                },
            }
        ],
    }


def desired() -> dict[str, Any]:
    """What the config renders: the same container, no describe-only members."""
    d = body()
    for k in ("taskDefinitionArn", "revision", "status"):
        d.pop(k)
    return d


def stored_bytes(state: Path) -> bytes:
    return b"".join(p.read_bytes() for p in state.rglob("*.json"))


def test_stored_entry_holds_no_secret_bearing_value(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    cache = TaskDefinitionCache(backend).bind([desired()], {MARKED})
    cache.put(ARN, body())
    data = stored_bytes(tmp_path)
    assert data, "nothing was stored"
    for value in (ROTATED_OLD, SM_ARN, MARKED, b"info".decode()):
        assert value.encode() not in data, value
    assert b"nginx:1.27" in data  # the rest is kept as read


def test_the_run_with_the_same_values_gets_the_exact_content_back(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    TaskDefinitionCache(backend).bind([desired()], {MARKED}).put(ARN, body())
    got = TaskDefinitionCache(backend).bind([desired()], {MARKED}).get(ARN)
    expected = body()
    expected.pop("status")
    assert got == expected


def test_a_changed_environment_value_is_a_miss(tmp_path: Path) -> None:
    """The config now wants another value: the entry cannot say what runs, so AWS is read."""
    backend = LocalBackend(tmp_path)
    TaskDefinitionCache(backend).bind([desired()], {MARKED}).put(ARN, body())
    rotated = copy.deepcopy(desired())
    rotated["containerDefinitions"][0]["environment"][0]["value"] = "new-db-password-value"
    assert TaskDefinitionCache(backend).bind([rotated], {MARKED}).get(ARN) is None


def test_a_rotated_marked_secret_is_a_miss(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    TaskDefinitionCache(backend).bind([desired()], {MARKED}).put(ARN, body())
    assert TaskDefinitionCache(backend).bind([desired()], {"another-marked"}).get(ARN) is None


def test_a_value_under_another_name_does_not_fill_the_entry(tmp_path: Path) -> None:
    """Digests cover the member and the name: the same value elsewhere is not a match."""
    backend = LocalBackend(tmp_path)
    TaskDefinitionCache(backend).bind([desired()], {MARKED}).put(ARN, body())
    moved = copy.deepcopy(desired())
    env = moved["containerDefinitions"][0]["environment"]
    env[0]["name"] = "OTHER"
    assert TaskDefinitionCache(backend).bind([moved], {MARKED}).get(ARN) is None


def test_an_unbound_cache_never_fills_hidden_values(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    TaskDefinitionCache(backend).bind([desired()], {MARKED}).put(ARN, body())
    assert TaskDefinitionCache(backend).get(ARN) is None
