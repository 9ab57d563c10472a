"""The CreateService and UpdateService steps: exact payloads, what they show, how to undo
them. Pure. Which fields change is decided in planner/plan/service_fields.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.canonical.service import CLEARED, from_describe, service_create_payload
from planner.canonical.service_rules import CODE_DEPLOY
from planner.plan.model import Action, StepKind, changes_between
from planner.plan.service_fields import FieldsPlan
from planner.plan.spec import StepSpec
from planner.plan.taskdef_plan import TaskDefinitionPlan


def create_step(
    ref: str,
    sd: Mapping[str, Any],
    cluster: str,
    service: str,
    td: TaskDefinitionPlan,
    td_input: str | None,
    shown: Mapping[str, Any],
) -> StepSpec:
    create = service_create_payload(sd, cluster=cluster, service=service, task_definition=td.arn)
    return StepSpec(
        StepKind.CREATE_SERVICE,
        Action.CREATE,
        f"create service {ref} (desired count {create.get('desiredCount', 0)})",
        payload=create,
        inputs={"taskDefinition": td_input} if td_input else {},
        after=dict(shown),
        changes=changes_between(None, dict(shown)),
        undo={"delete_service": True},
    )


def update_step(
    ref: str,
    fields: FieldsPlan,
    td: TaskDefinitionPlan,
    td_input: str | None,
    live: Mapping[str, Any],
    *,
    force: bool,
) -> StepSpec | None:
    """The UpdateService step (tags through TagResource/UntagResource), None when nothing
    changes. A CODE_DEPLOY service's revision goes through CodeDeploy, not here."""
    update = dict(fields.update)
    inputs: dict[str, str] = {}
    if fields.controller != CODE_DEPLOY and td.changes_revision:
        if td_input:
            inputs["taskDefinition"] = td_input
        else:
            update["taskDefinition"] = td.arn
    if fields.force or (force and fields.controller != CODE_DEPLOY):
        update["forceNewDeployment"] = True
    add, remove = list(fields.tags_add), list(fields.tags_remove)
    if not (update or inputs or add or remove):
        return None
    touched = set(update) | set(inputs)
    shown = [f for f in fields.update if f in touched] + (["tags"] if add or remove else [])
    what = ", ".join([*sorted(set(shown) | (touched & {"taskDefinition"}))])
    if fields.force:
        what += f" (forces a new deployment: {fields.force})"
    before = {k: fields.before.get(k) for k in shown}
    after = {k: fields.after.get(k) for k in shown}
    cluster, service = ref.split("/", 1)
    return StepSpec(
        StepKind.UPDATE_SERVICE,
        Action.UPDATE,
        f"update service {ref}: {what}",
        payload={
            "service": update,
            "tags": {"add": add, "remove": remove},
            "cluster": cluster,
            "serviceName": service,
        },
        inputs=inputs,
        before=before,
        after=after,
        changes=changes_between(before, after),
        destructive=_destructive(update, live),
        undo=_undo(update, inputs, add, remove, td, live, fields),
    )


def _undo(
    update: Mapping[str, Any],
    inputs: Mapping[str, str],
    add: list[Mapping[str, str]],
    remove: list[str],
    td: TaskDefinitionPlan,
    live: Mapping[str, Any],
    fields: FieldsPlan,
) -> dict[str, Any]:
    """Exactly what this step changes, with the live values in input form (Service Connect
    and friends live on the PRIMARY deployment in a describe). A controller switch is not
    undone: AWS does not switch a service back to CODE_DEPLOY."""
    lifted = from_describe(live)
    touched = (set(update) | set(inputs)) - {"forceNewDeployment", "deploymentController"}
    out: dict[str, Any] = {k: _live_api_value(lifted, k) for k in touched}
    if "taskDefinition" in touched:
        out["taskDefinition"] = td.live_arn
    live_tags = {t["key"]: t for t in fields.before.get("tags") or ()}
    out["tags"] = {
        "add": [live_tags[t["key"]] for t in add if t["key"] in live_tags]
        + [live_tags[k] for k in remove if k in live_tags],
        "remove": [t["key"] for t in add if t["key"] not in live_tags],
    }
    return out


def _destructive(update: Mapping[str, Any], live: Mapping[str, Any]) -> bool:
    """Scaling to zero, removing load balancers or registries, disabling Service Connect."""
    if update.get("desiredCount") == 0 and (live.get("desiredCount") or 0) > 0:
        return True
    for k in ("loadBalancers", "serviceRegistries"):
        if update.get(k) == [] and bool(live.get(k)):
            return True
    sc = update.get("serviceConnectConfiguration")
    return isinstance(sc, Mapping) and sc.get("enabled") is False


def _live_api_value(svc: Mapping[str, Any], key: str) -> Any:
    """The live value to send back to undo a change of ``key`` (cleared when unset)."""
    if key in svc:
        return svc[key]
    return CLEARED.get(key)
