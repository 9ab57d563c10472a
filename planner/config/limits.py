"""Limits read from the generated schemas: region names and the ECS "Tasks per service" quota.

scripts/gen_schemas.py writes them (with their sources) into schemas/; reading them here keeps
each number and pattern in one place. No I/O beyond loading the schemas.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

INT32_MAX = 2**31 - 1


def load_schema(kind: str) -> dict[str, Any]:
    """The generated schema (loaded on first use: flags import INT32_MAX at start-up)."""
    from planner.config.schema import load_schema as load

    return load(kind)


def _region_schema() -> Mapping[str, Any]:
    return load_schema("config")["properties"]["region"]


def region_problem(region: str) -> str | None:
    """Why ``region`` is not a region name (the pattern of botocore's partitions), or None."""
    node = _region_schema()
    if re.search(node["pattern"], region):
        return None
    return f"{json.dumps(region, ensure_ascii=False)} is not {node['x-hint']}"


def is_known_region(region: str) -> bool:
    """Whether botocore (as of the schemas' generation) lists ``region`` in a partition."""
    return region in _region_schema()["x-known-regions"]


def tasks_per_service(extras: Mapping[str, Any]) -> tuple[int, str]:
    """The "Tasks per service" quota that applies, and a phrase saying where it comes from."""
    raised = extras.get("tasks_per_service")
    if isinstance(raised, int) and not isinstance(raised, bool) and raised > 0:
        return raised, "ecsplan.tasks_per_service"
    node = load_schema("service_definition")["$defs"]["CreateServiceRequest"]["properties"]
    quota = node["desiredCount"]["x-quota"]
    return int(quota["default"]), f'the ECS quota "{quota["name"]}"'


def desired_count_problem(count: int, extras: Mapping[str, Any]) -> str | None:
    """Why ``count`` exceeds the tasks-per-service quota, or None."""
    quota, where = tasks_per_service(extras)
    if count <= quota:
        return None
    hint = (
        ""
        if where.startswith("ecsplan.")
        else ("; if your account's quota is raised, set ecsplan.tasks_per_service in the config")
    )
    return f"{count} is above {where} ({quota}){hint}"
