"""Saved plans: reading a plan file, writing one, and the plan the configs give for it.

A plan file (or a run's record) is untrusted data: it is checked against its schema, then
planned again from the session's configs (planner/workspace/rederive.py); only the plan
that comes out of that is ever applied.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planner import __version__
from planner.config.schema import schema_problems
from planner.errors import EcsplanError, json_path
from planner.ops.planning import with_config_timeout
from planner.ops.session import Session
from planner.plan.codec import plan_from_data, plan_to_data
from planner.plan.model import Plan, PlanOptions
from planner.plan.secrets import FILE_PLACEHOLDER_RE, Secrets
from planner.workspace.planning import secrets_of
from planner.workspace.rederive import rederive


def _compatible(version: str) -> bool:
    return version.split(".")[:2] == __version__.split(".")[:2]


def read_plan_file(path: str) -> dict[str, Any]:
    """The file's JSON, if it is a plan of this format (checked against plan.schema.json):
    anything else is one located error line, never a traceback."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError as e:
        raise EcsplanError(f"{path}: plan file not found") from e
    except (OSError, UnicodeDecodeError) as e:
        raise EcsplanError(f"{path}: cannot read the plan file ({e})") from e
    except json.JSONDecodeError as e:
        raise EcsplanError(f"{path}:{e.lineno}: $: not a plan file ({e.msg})") from e
    if not isinstance(data, dict) or "format_version" not in data:
        raise EcsplanError(
            f"{path}: $: not a plan file (a JSON object with format_version and services, as "
            "`ecsplan plan --out` writes)"
        )
    plan_from_data({"format_version": data["format_version"], "services": []})  # the version
    problems = schema_problems("plan", data)
    if problems:
        where, message = problems[0]
        raise EcsplanError(f"{path}: {json_path(where)}: {message} (not a valid plan file)")
    version = str(data.get("tool_version"))
    if not _compatible(version):
        raise EcsplanError(
            f"{path}: plan was made by ecsplan {version}, this is {__version__}; "
            "run plan again with this version"
        )
    return data


def write_plan_file(plan: Plan, path: str, sensitive: frozenset[str], secrets: Secrets) -> None:
    """The plan file: versioned JSON with secrets as keyed placeholders."""
    data = secrets.mask(plan_to_data(plan), sensitive)
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")


def verified_plan(
    session: Session, source: str, data: dict[str, Any], options: PlanOptions | None
) -> Plan:
    """The plan the session's configs (and flags) give for saved plan data, if the data is
    exactly it; ``options`` None: the saved ones (a run's record)."""
    saved = plan_from_data(data)
    sel = session.selection
    options = with_config_timeout(saved.options if options is None else options, sel)
    key = session.backend().secret_key(create=False)
    if key is None and FILE_PLACEHOLDER_RE.search(json.dumps(data)):
        raise EcsplanError(
            f"{source}: the plan holds secret placeholders made with a state's key, and the "
            f"state {session.state_location} has none: apply with the state it was planned with"
        )
    regions = {k: ref.region for k, ref in session.refs().items()}
    secrets = secrets_of(sel.entries, key or b"")
    identities = session.identities()
    return rederive(source, data, sel.entries, regions, options, secrets, identities)
