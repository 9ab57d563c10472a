"""The plan operation: the session's services, read in batches, planned. No AWS writes."""

from __future__ import annotations

from dataclasses import replace

from planner.ops.session import Session
from planner.plan.model import Plan, PlanOptions
from planner.state.cache import task_definition_cache
from planner.workspace.planning import build_plan
from planner.workspace.selection import Selection


def with_config_timeout(options: PlanOptions, sel: Selection) -> PlanOptions:
    """The rollout timeout: --timeout, else the (first) config's ``timeout``."""
    first = sel.entries[0].config if sel.entries else None
    if options.timeout_seconds is None and first is not None:
        return replace(options, timeout_seconds=first.timeout_seconds)
    return options


def make_plan(session: Session, options: PlanOptions) -> Plan:
    """Read live state in batches and plan every selected service."""
    backend = session.backend()
    plan = build_plan(
        session.entries,
        session.aws,
        with_config_timeout(options, session.selection),
        max_workers=session.selection.parallelism,
        cache=task_definition_cache(backend),
        secrets=session.secrets(),
        identities=session.identities(),
    )
    return replace(plan, workspace=session.workspace)


def config_warnings(session: Session) -> list[str]:
    """What loading the configs had to say (unknown keys...), per service."""
    return [f"{e.key}: {w}" for e in session.entries for w in e.config.warnings]
