"""Undo a run: turn its journal (what succeeded, with outputs) into a plan of inverse steps.

Pure. The rollback plan runs through the same executor and journal as any apply; an interrupted
rollback is run again with `rollback`, whose steps restore values and are safe to repeat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from planner.errors import EcsplanError
from planner.plan.extras import alarm_payload, policy_payload
from planner.plan.model import Action, ServicePlan, Step, StepKind
from planner.plan.scaling_steps import NONE_SUSPENDED

DONE = ("succeeded", "in_doubt")


class _Out:
    def __init__(self, key: str) -> None:
        self.key = key
        self.steps: list[Step] = []

    def add(self, kind: StepKind, action: Action, description: str, **kw: Any) -> None:
        sid = f"{self.key}/rollback-{len(self.steps) + 1:02d}-{kind.value}"
        self.steps.append(Step(id=sid, kind=kind, action=action, description=description, **kw))


def rollback_plan(
    sp: ServicePlan,
    states: Mapping[str, Any],
    *,
    deregister: bool = True,
    wait: bool = True,
    codedeploy_in_flight: bool = False,
) -> ServicePlan:
    """Inverse steps for what the run did, in reverse order.

    ``states`` maps step ids to journal StepStates (``.state``, ``.outputs``).
    """
    ref = f"{sp.cluster}/{sp.service}"
    out = _Out(sp.key)
    did = {s.id: states[s.id] for s in sp.steps if s.id in states and states[s.id].state in DONE}
    by_kind = {s.kind: s for s in sp.steps if s.id in did}
    if not did:
        raise EcsplanError(f"{sp.key}: the run changed nothing; nothing to roll back")
    registered = by_kind.get(StepKind.REGISTER_TASK_DEFINITION)
    new_arn = (did[registered.id].outputs or {}).get("taskDefinitionArn") if registered else None
    previous_td = sp.fingerprint.task_definition
    redeployed = False

    cd = by_kind.get(StepKind.CREATE_CODEDEPLOY_DEPLOYMENT)
    if cd is not None:
        dep_id = (did[cd.id].outputs or {}).get("deploymentId")
        if codedeploy_in_flight and dep_id:
            out.add(
                StepKind.STOP_CODEDEPLOY_DEPLOYMENT,
                Action.UPDATE,
                f"stop CodeDeploy deployment {dep_id} with auto rollback",
                payload={"deploymentId": dep_id, "autoRollbackEnabled": True},
            )
        elif previous_td:
            payload = dict(cd.payload)
            payload.pop("autoRollbackConfiguration", None)
            if (cd.undo or {}).get("appspec"):  # the AppSpec that ran before, not the new one
                payload["appspec"] = cd.undo["appspec"]
            out.add(
                StepKind.CREATE_CODEDEPLOY_DEPLOYMENT,
                Action.UPDATE,
                f"deploy the previous task definition {previous_td.rsplit('/', 1)[-1]} "
                "through CodeDeploy",
                payload=payload,
                after={"taskDefinition": previous_td},
                undo=None,
            )
        redeployed = True

    upd = by_kind.get(StepKind.UPDATE_SERVICE)
    if upd is not None and upd.undo:
        undo = {k: v for k, v in upd.undo.items() if v is not None and k != "tags"}
        tags = dict(upd.undo.get("tags") or {"add": [], "remove": []})
        if sp.controller == "CODE_DEPLOY":
            undo.pop("taskDefinition", None)
        if undo or tags.get("add") or tags.get("remove"):
            what = sorted(undo) + (["tags"] if tags.get("add") or tags.get("remove") else [])
            out.add(
                StepKind.UPDATE_SERVICE,
                Action.UPDATE,
                f"restore service {ref}: " + ", ".join(what),
                payload={"service": undo, "tags": tags},
                before=upd.after,
                after=upd.before,
            )
        redeployed = redeployed or "taskDefinition" in undo

    created = by_kind.get(StepKind.CREATE_SERVICE)
    if created is not None:
        out.add(
            StepKind.DELETE_SERVICE,
            Action.DELETE,
            f"delete service {ref} (the run created it)",
            payload={"cluster": sp.cluster, "service": sp.service},
            destructive=True,
        )

    if wait and redeployed and created is None:
        out.add(
            StepKind.WAIT_ROLLOUT,
            Action.READ,
            f"wait until service {ref} runs {(previous_td or '?').rsplit('/', 1)[-1]} again",
            payload={"until": "deployed", "timeout_seconds": None, "controller": sp.controller},
            after={"taskDefinition": previous_td},
        )

    for kind in (
        StepKind.RESUME_AUTO_SCALING,
        StepKind.SET_SCALING_CAPACITY,
        StepKind.SUSPEND_AUTO_SCALING,
    ):
        st = by_kind.get(kind)
        if st is None or not st.undo:
            continue
        base = {k: st.payload[k] for k in ("ServiceNamespace", "ResourceId", "ScalableDimension")}
        restore = {**base, **dict(st.undo)}
        if kind is StepKind.SET_SCALING_CAPACITY:
            out.add(kind, Action.UPDATE, "restore scalable target min/max", payload=restore)
        elif (
            kind is StepKind.SUSPEND_AUTO_SCALING or restore.get("SuspendedState") != NONE_SUSPENDED
        ):
            out.add(
                StepKind.RESUME_AUTO_SCALING,
                Action.UPDATE,
                "restore the auto scaling suspended state",
                payload=restore,
            )

    for st in reversed(sp.steps):
        if st.id not in did or st.kind not in (
            StepKind.PUT_SCALING_POLICY,
            StepKind.DELETE_SCALING_POLICY,
            StepKind.PUT_METRIC_ALARM,
        ):
            continue
        previous = (st.undo or {}).get("previous")
        if st.kind is StepKind.PUT_METRIC_ALARM:
            payload = (
                alarm_payload(previous)
                if previous
                else {"AlarmName": st.payload["AlarmName"], "delete": True}
            )
            out.add(
                st.kind,
                Action.UPDATE,
                f"restore CloudWatch alarm {st.payload['AlarmName']}",
                payload=payload,
            )
        elif previous:
            out.add(
                StepKind.PUT_SCALING_POLICY,
                Action.UPDATE,
                f"restore scaling policy {previous['name']}",
                payload=policy_payload(str(st.payload["ResourceId"]), previous),
            )
        else:
            out.add(
                StepKind.DELETE_SCALING_POLICY,
                Action.DELETE,
                f"delete scaling policy {st.payload['PolicyName']} (the run created it)",
                payload={
                    k: st.payload[k]
                    for k in ("PolicyName", "ServiceNamespace", "ResourceId", "ScalableDimension")
                },
            )

    if deregister and new_arn and new_arn != previous_td:
        out.add(
            StepKind.DEREGISTER_TASK_DEFINITIONS,
            Action.DELETE,
            f"deregister the rolled-back revision {new_arn.rsplit('/', 1)[-1]}",
            payload={"taskDefinitions": [new_arn]},
            destructive=True,
        )
    deletes = any(s.kind is StepKind.DELETE_SERVICE for s in out.steps)
    action = Action.DELETE if deletes else Action.UPDATE
    return replace(sp, steps=tuple(out.steps), documents=(), action=action)
