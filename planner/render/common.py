"""Words and numbers every renderer shows the same way: summary line, headers, masking."""

from __future__ import annotations

from collections.abc import Iterable

from planner.plan.codec import plan_from_data, plan_to_data
from planner.plan.model import Action, Plan, ServicePlan
from planner.render.secrets import mask

NO_CHANGES = "No changes. Live services match the configuration."

_HEADER_PHRASE = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in-place",
    Action.REPLACE: "must be replaced",
    Action.DELETE: "will be destroyed",
    Action.READ: "will be read",
    Action.NOOP: "has no changes",
}


def masked_plan(plan: Plan, sensitive: Iterable[str]) -> Plan:
    """The plan with every secret shown as ``(sensitive)``; renderers only ever see this one."""
    return plan_from_data(mask(plan_to_data(plan), sensitive))


def service_name(sp: ServicePlan) -> str:
    return f"{sp.cluster}/{sp.service}"


def service_phrase(sp: ServicePlan) -> str:
    """``will be updated in-place``; a service whose only steps are waits has no changes."""
    if not sp.has_changes:
        return _HEADER_PHRASE[Action.NOOP]
    return _HEADER_PHRASE.get(sp.action, f"will be changed ({sp.action.value})")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(plan: Plan) -> str:
    """``Plan: 1 to register, 1 to update, 0 to create, 0 unchanged.`` or the no-change line.

    CodeDeploy deployments and auto scaling changes are listed only when there are some.
    """
    if not plan.has_changes:
        return NO_CHANGES
    c = plan.counts()
    parts = [
        f"{c['register']} to register",
        f"{c['update']} to update",
        f"{c['create']} to create",
    ]
    if c.get("deploy"):
        parts.append(_plural(c["deploy"], "CodeDeploy deployment"))
    if c.get("scaling"):
        parts.append(_plural(c["scaling"], "auto scaling change"))
    if c.get("alarms"):
        parts.append(_plural(c["alarms"], "alarm change"))
    if c.get("destroy"):
        parts.append(f"{c['destroy']} to destroy")
    parts.append(f"{c['unchanged']} unchanged")
    return "Plan: " + ", ".join(parts) + "."


def needs_warning(sp: ServicePlan) -> bool:
    """Creations, replacements, deletions and destructive steps get a loud warning."""
    return sp.has_changes and (
        sp.destructive or sp.action in (Action.CREATE, Action.REPLACE, Action.DELETE)
    )
