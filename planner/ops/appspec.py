"""`appspec`: the AppSpec ecsplan sends to CodeDeploy for each selected service."""

from __future__ import annotations

from typing import Any

from planner.aws.reads import LiveReader
from planner.errors import EcsplanError
from planner.ops.session import Session
from planner.plan.codedeploy_plan import appspec_for


def appspecs(session: Session, which: str) -> list[dict[str, Any]]:
    """``which``: current (the service's task definition), latest (the family's newest), or
    an ARN."""
    refs = session.refs()
    out = []
    for e in session.entries:
        cfg, ref = e.config, refs[e.key]
        reader = LiveReader(session.aws_for(ref))
        if which == "current":
            svc = reader.services([ref]).get(ref)
            if svc is None:
                raise EcsplanError(f"{e.key}: service {cfg.cluster}/{cfg.service} not found")
            arn = svc.get("taskDefinition")
        elif which == "latest":
            family = (cfg.task_definition or {}).get("family")
            arn = reader.latest_task_definition(ref.region, str(family)) if family else None
            if arn is None:
                raise EcsplanError(f"{e.key}: no ACTIVE revision of family {family}")
        else:
            arn = which
        out.append(appspec_for(e.key, cfg.appspec, cfg.service_definition or {}, arn))
    return out
