"""The live facts a plan was built on, recorded so apply can refuse a stale plan. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from planner.canonical.service import controller_of
from planner.canonical.service_rules import SERVICE_FIELDS
from planner.plan.drift import live_state
from planner.plan.inputs import LiveService, blinded
from planner.plan.model import Fingerprint
from planner.plan.scaling_steps import NONE_SUSPENDED
from planner.plan.secrets import Secrets

NO_SECRETS = Secrets()


def fingerprint_of(
    live: LiveService,
    *,
    unmanaged: Sequence[str] = (),
    alarm_names: Sequence[str] = (),
    secrets: Secrets = NO_SECRETS,
) -> Fingerprint:
    """The facts apply re-checks before its first write: the service's status, revision and
    deployments, and (``live``) every field the plan compared, less the ``unmanaged`` ones.

    Apply calls this with the unmanaged paths, alarm names and secrets the plan was made
    with, so both sides are built by the very same rules (the service in the canonical form
    of its own controller)."""
    live = blinded(live, secrets)
    svc = live.service
    status = "MISSING" if svc is None else str(svc.get("status", "ACTIVE"))
    st = live.scalable_target
    return Fingerprint(
        status=status,
        task_definition=(svc or {}).get("taskDefinition"),
        desired_count=(svc or {}).get("desiredCount"),
        deployment_ids=tuple(sorted(d["id"] for d in (svc or {}).get("deployments", []))),
        scaling_suspended=dict(st.get("SuspendedState") or NONE_SUSPENDED) if st else None,
        scaling_min_max=(int(st["MinCapacity"]), int(st["MaxCapacity"])) if st else None,
        latest_revision=live.latest_revision,
        live=live_state(
            service=svc,
            task_definition=live.task_definition,
            scalable_target=st,
            scaling_policies=live.scaling_policies,
            alarms=live.alarms,
            alarm_names=alarm_names,
            controller=controller_of(svc),
            unmanaged=unmanaged,
        ),
    )


def unmanaged_paths(
    managed: Sequence[str], ignore_tags: Sequence[str], auto_scaled: bool
) -> tuple[str, ...]:
    """Live fields the plan does not hold the config to, so their drift is not staleness:
    service fields the definition omits (``managed`` are those it gives), desiredCount when
    a scalable target owns it (auto scaling moves it at any time: refusing then would make
    every apply of a scaled service a race), and tags listed in ``ignore.tags``."""
    out = [f"service:{name}" for name in SERVICE_FIELDS if name not in managed]
    if auto_scaled and "service:desiredCount" not in out:
        out.append("service:desiredCount")
    for key in ignore_tags:
        out += [f"service:tags.{key}", f"task definition:tags.{key}"]
    return tuple(out)
