"""Narrow a planned service update to the fields an operation is about.

`scale` and `refresh` plan with the normal planner (same reads, same journal, same undo data)
but must not sneak in other drift between the config and live: a scale changes the desired
count, a refresh forces a deployment, nothing else.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from planner.plan.model import Action, Plan, ServicePlan, Step, StepKind

# Steps an operation keeps whole: the wait, and the scaling steps its own flags asked for.
KEPT = frozenset(
    {StepKind.WAIT_ROLLOUT, StepKind.SUSPEND_AUTO_SCALING, StepKind.RESUME_AUTO_SCALING}
)


def _touches(path: str, fields: Collection[str]) -> bool:
    head = path.split(".", 1)[0].split("[", 1)[0]
    return head in fields


def narrow_service(
    sp: ServicePlan, fields: Collection[str], *, capacity: bool = False
) -> ServicePlan:
    """Keep only ``fields`` of update_service steps; drop steps left with nothing to do.
    ``capacity``: --auto-scaling-min/max were given, so set_scaling_capacity is the operation's
    own (otherwise it comes from `ecsplan.scaling` and is plan/apply's business)."""
    steps: list[Step] = []
    left_out: set[str] = set()
    for st in sp.steps:
        if st.kind in KEPT or (capacity and st.kind is StepKind.SET_SCALING_CAPACITY):
            steps.append(st)
            continue
        if st.kind is not StepKind.UPDATE_SERVICE:
            left_out.add(st.kind.value)  # alarms, policies, registers: plan/apply's business
            continue
        svc = dict(st.payload.get("service") or {})
        kept = {k: v for k, v in svc.items() if k in fields}
        left_out |= set(svc) - set(kept) - {"taskDefinition"}
        if st.inputs:
            left_out.add("taskDefinition")
        if not kept:
            continue
        undo = {k: v for k, v in (st.undo or {}).items() if k in fields}
        steps.append(
            replace(
                st,
                description=f"update service {sp.cluster}/{sp.service}: {', '.join(sorted(kept))}",
                payload={**st.payload, "service": kept, "tags": {"add": [], "remove": []}},
                inputs={},
                changes=tuple(c for c in st.changes if _touches(c.path, fields)),
                undo=undo,
            )
        )
    if not any(s.kind is not StepKind.WAIT_ROLLOUT for s in steps):
        steps = []
    warnings = sp.warnings
    if left_out:
        warnings += (
            "other differences from the config are left for plan/apply: "
            + ", ".join(sorted(left_out)),
        )
    has_changes = any(s.kind is not StepKind.WAIT_ROLLOUT for s in steps)
    # what is shown is what is sent: the service diff of these fields only, no task
    # definition diff (nothing is registered)
    documents = tuple(
        replace(d, changes=tuple(c for c in d.changes if _touches(c.path, fields)))
        for d in sp.documents
        if d.name == "service"
    )
    return replace(
        sp,
        steps=tuple(steps),
        documents=documents,
        warnings=warnings,
        action=Action.UPDATE if has_changes else Action.NOOP,
    )


def narrow_plan(plan: Plan, fields: Collection[str]) -> Plan:
    o = plan.options
    capacity = o.auto_scaling_min is not None or o.auto_scaling_max is not None
    return replace(
        plan,
        services=tuple(narrow_service(sp, fields, capacity=capacity) for sp in plan.services),
    )


# `deploy --no-update-service`: what ecspresso still sends then (UpdateService with the task
# definition, --tasks, and force-new-deployment only).
DEPLOY_ONLY = frozenset({"taskDefinition", "forceNewDeployment"})


def without_service_update(plan: Plan) -> Plan:
    """Keep every step, but update_service only with the task definition, a ``--tasks``
    count and force-new-deployment: the service definition's attributes are not applied.
    A service that does not exist yet is still created from its definition (ecspresso too)."""
    fields = DEPLOY_ONLY | ({"desiredCount"} if plan.options.tasks is not None else set())
    return replace(plan, services=tuple(_deploy_only(sp, fields) for sp in plan.services))


def _deploy_only(sp: ServicePlan, fields: Collection[str]) -> ServicePlan:
    steps: list[Step] = []
    dropped = False
    for st in sp.steps:
        if st.kind is not StepKind.UPDATE_SERVICE:
            steps.append(st)
            continue
        svc = dict(st.payload.get("service") or {})
        kept = {k: v for k, v in svc.items() if k in fields}
        dropped = (
            dropped
            or set(svc) != set(kept)
            or bool(
                st.payload.get("tags", {}).get("add") or st.payload.get("tags", {}).get("remove")
            )
        )
        if not kept and not st.inputs:
            continue
        steps.append(
            replace(
                st,
                description=f"update service {sp.cluster}/{sp.service}: "
                + ", ".join(sorted({*kept, *st.inputs})),
                payload={**st.payload, "service": kept, "tags": {"add": [], "remove": []}},
                changes=tuple(c for c in st.changes if _touches(c.path, fields)),
                undo={k: v for k, v in (st.undo or {}).items() if k in fields}
                | {"tags": {"add": [], "remove": []}},
            )
        )
    if not any(s.kind is not StepKind.WAIT_ROLLOUT for s in steps):
        steps = []
    has_changes = any(s.kind is not StepKind.WAIT_ROLLOUT for s in steps)
    action = sp.action if has_changes else Action.NOOP
    documents = tuple(
        replace(d, changes=tuple(c for c in d.changes if _touches(c.path, fields)))
        if d.name == "service" and sp.action is not Action.CREATE
        else d
        for d in sp.documents
    )
    warnings = sp.warnings
    if dropped:
        warnings += ("--no-update-service: the service definition's attributes are not applied",)
    return replace(sp, steps=tuple(steps), documents=documents, warnings=warnings, action=action)
