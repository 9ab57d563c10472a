"""The plan as a stable machine format (``plan --format json``), Terraform-like.

Schema: schemas/plan-output.schema.json; fields: docs/plan-output.md. Tools that know
``terraform show -json`` find ``format_version``, ``resource_changes[].address`` and
``change.actions`` where they expect them; ``services[].steps`` has ecsplan's exact steps.
This is a view for humans' tools, not the plan file: apply reads the codec's format only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from planner.plan.codec import to_data
from planner.plan.model import Action, Document, Plan, ServicePlan, StepKind
from planner.render.common import masked_plan, service_name, summary_line
from planner.render.groups import identity_groups

OUTPUT_FORMAT_VERSION = "1.0"

_ACTIONS = {
    Action.CREATE: ["create"],
    Action.UPDATE: ["update"],
    Action.REPLACE: ["delete", "create"],
    Action.DELETE: ["delete"],
    Action.READ: ["read"],
    Action.NOOP: ["no-op"],
}

_DOCUMENT_STEP = {
    "task definition": (StepKind.REGISTER_TASK_DEFINITION,),
    "service": (StepKind.CREATE_SERVICE, StepKind.UPDATE_SERVICE),
}


def _doc_actions(sp: ServicePlan, doc: Document) -> list[str]:
    """The step acting on the document decides (register = create a revision); else the diff."""
    kinds = _DOCUMENT_STEP.get(doc.name, ())
    for st in sp.steps:
        if st.kind in kinds:
            if doc.name == "service" and sp.action is Action.REPLACE:
                return ["delete", "create"]
            return list(_ACTIONS[st.action])
    if doc.before is None and doc.after is not None:
        return ["create"]
    if doc.after is None and doc.before is not None:
        return ["delete"]
    return ["update"] if doc.changed else ["no-op"]


def _address(sp: ServicePlan, doc: Document) -> tuple[str, str]:
    if doc.name == "task definition":
        src: Mapping[str, Any] = doc.after or doc.before or {}
        return "ecs_task_definition", str(src.get("family") or sp.service)
    if doc.name == "service":
        return "ecs_service", service_name(sp)
    return "ecs_" + doc.name.replace(" ", "_"), service_name(sp)


def _resource_change(sp: ServicePlan, doc: Document) -> dict[str, Any]:
    rtype, name = _address(sp, doc)
    return {
        "address": f"{rtype}.{name}",
        "type": rtype,
        "name": name,
        "service_key": sp.key,
        "change": {
            "actions": _doc_actions(sp, doc),
            "before": to_data(doc.before),
            "after": to_data(doc.after),
            "changes": to_data(doc.changes),
        },
    }


def _identity(sp: ServicePlan) -> dict[str, Any]:
    """Who the service acts as (only in plans that record identities, issue 21)."""
    if sp.identity is None:
        return {}
    ident = sp.identity
    return {
        "identity": {
            "account": ident.account,
            "profile": ident.profile,
            "role_arn": ident.role_arn,
            "state_key": sp.state_key,
        }
    }


def _groups(plan: Plan) -> dict[str, Any]:
    """``groups``: the services by account and region, when the plan spans several."""
    groups = identity_groups(plan.services)
    if len(groups) <= 1:
        return {}
    return {
        "groups": [
            {
                "heading": heading,
                "account": members[0].identity.account if members[0].identity else None,
                "region": members[0].region,
                "services": [sp.key for sp in members],
            }
            for heading, members in groups
        ]
    }


def _service(sp: ServicePlan) -> dict[str, Any]:
    return {
        "key": sp.key,
        "address": f"ecs_service.{service_name(sp)}",
        "config_path": sp.config_path,
        "region": sp.region,
        "cluster": sp.cluster,
        "service": sp.service,
        "controller": sp.controller,
        "action": sp.action.value,
        "actions": _ACTIONS[sp.action] if sp.has_changes else ["no-op"],
        "has_changes": sp.has_changes,
        "destructive": sp.destructive,
        "depends_on": list(sp.depends_on),
        "warnings": list(sp.warnings),
        "left_alone": list(sp.left_alone),
        **_identity(sp),
        "summary": to_data(sp.summary),
        "steps": [
            {
                "id": st.id,
                "kind": st.kind.value,
                "action": st.action.value,
                "symbol": st.action.symbol,
                "description": st.description,
                "destructive": st.destructive,
                "payload": to_data(st.payload),
                "inputs": to_data(st.inputs),
                "before": to_data(st.before),
                "after": to_data(st.after),
                "changes": to_data(st.changes),
            }
            for st in sp.steps
        ],
    }


def render_json(plan: Plan, *, sensitive: Iterable[str] = frozenset()) -> dict[str, Any]:
    """The plan as JSON-ready data (secrets masked), valid against plan-output.schema.json."""
    shown = masked_plan(plan, frozenset(sensitive))
    return {
        "format_version": OUTPUT_FORMAT_VERSION,
        "tool_version": shown.tool_version,
        "plan_format_version": shown.format_version,
        "created_at": shown.created_at,
        "inputs_digest": shown.inputs_digest,
        "has_changes": shown.has_changes,
        "summary": {**shown.counts(), "line": summary_line(shown)},
        "options": to_data(shown.options),
        "resource_changes": [
            _resource_change(sp, doc) for sp in shown.services for doc in sp.documents
        ],
        "services": [_service(sp) for sp in shown.services],
        **_groups(shown),
    }
