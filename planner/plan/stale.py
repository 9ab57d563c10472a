"""Is a saved plan still true? Compare the fingerprint it was built on with a fresh one. Pure.

A plan is stale when anything it compared moved (Terraform refuses a saved plan whenever the
state it was made against changed): the service's status or task definition revision, a new
deployment, the latest revision a ``--latest-task-definition`` plan picked, or any field of the
canonical live documents the plan recorded (planner/plan/drift.py). What the config leaves
unmanaged was never recorded, so it may move freely. A deployment that only progressed
(IN_PROGRESS -> COMPLETED, an old ACTIVE one drained away) is no change; a new one is.

A plan file without the recorded live state (written before it existed) is refused with a
request to plan again, rather than checked on the few facts it holds: applying what was not
fully checked is the failure this module exists to prevent.
"""

from __future__ import annotations

from planner.canonical.units import revision_name
from planner.plan.drift import moved_fields
from planner.plan.model import Fingerprint, ServicePlan

NO_LIVE_STATE = "the plan file records no live state to check against (made by an older ecsplan)"


def stale_reasons(sp: ServicePlan, now: Fingerprint) -> list[str]:
    """What moved since the plan was made, in words; empty when the plan still holds.

    ``now`` must be built with the controller, unmanaged paths and alarm names the plan
    recorded (planner.plan.fingerprint.fingerprint_of does, given them)."""
    was = sp.fingerprint
    out: list[str] = []
    if was.status != now.status and {was.status, now.status} != {"MISSING", "INACTIVE"}:
        out.append(f"service status {was.status} -> {now.status}")
    if was.task_definition != now.task_definition:
        out.append(
            f"taskDefinition {revision_name(was.task_definition)} -> "
            f"{revision_name(now.task_definition)}"
        )
    new_deployments = set(now.deployment_ids) - set(was.deployment_ids)
    if new_deployments:
        out.append(f"new deployment {', '.join(sorted(new_deployments))}")
    if was.latest_revision and now.latest_revision and was.latest_revision != now.latest_revision:
        out.append(
            f"latest revision {revision_name(was.latest_revision)} -> "
            f"{revision_name(now.latest_revision)}"
        )
    if was.live is None:
        out.append(NO_LIVE_STATE)
    elif now.live is not None:
        out.extend(moved_fields(was.live, now.live))
    return out
