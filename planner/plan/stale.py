"""Is a saved plan still true? Compare the fingerprint it was built on with a fresh one."""

from __future__ import annotations

from planner.model.units import revision_name
from planner.plan.model import Fingerprint, ServicePlan, StepKind


def stale_reasons(sp: ServicePlan, now: Fingerprint) -> list[str]:
    """What moved since the plan was made, in words; empty when the plan still holds.

    desiredCount only counts when the plan manages it and no scalable target owns it, and a
    deployment that finished in between is fine: only a new one is a change.
    """
    was = sp.fingerprint
    out: list[str] = []
    if was.status != now.status and {was.status, now.status} != {"MISSING", "INACTIVE"}:
        out.append(f"service status {was.status} -> {now.status}")
    if was.task_definition != now.task_definition:
        out.append(
            f"task definition {revision_name(was.task_definition)} -> {revision_name(now.task_definition)}"
        )
    manages_count = any(
        s.kind is StepKind.UPDATE_SERVICE and "desiredCount" in (s.payload.get("service") or {})
        for s in sp.steps
    )
    if manages_count and was.scaling_min_max is None and was.desired_count != now.desired_count:
        out.append(f"desired count {was.desired_count} -> {now.desired_count}")
    new_deployments = set(now.deployment_ids) - set(was.deployment_ids)
    if new_deployments:
        out.append(f"new deployment {', '.join(sorted(new_deployments))}")
    if (was.scaling_suspended or None) != (now.scaling_suspended or None):
        out.append("auto scaling suspended state changed")
    if was.scaling_min_max != now.scaling_min_max:
        out.append(f"scalable target min/max {was.scaling_min_max} -> {now.scaling_min_max}")
    if was.latest_revision and now.latest_revision and was.latest_revision != now.latest_revision:
        out.append(
            f"latest revision {revision_name(was.latest_revision)} -> {revision_name(now.latest_revision)}"
        )
    return out
