"""Undo a run: turn its journal (what succeeded, with outputs) into a plan of inverse steps.

Pure. The rollback plan runs through the same executor and journal as any apply; an interrupted
rollback is run again with `rollback`, whose steps restore values and are safe to repeat.
One small function per kind of undo: the CodeDeploy deployment, the service's fields, a
created service, the wait, auto scaling, declared policies and alarms, the new revision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from planner.errors import EcsplanError
from planner.plan.extras import alarm_payload, policy_payload
from planner.plan.model import Action, ServicePlan, Step, StepKind
from planner.plan.scaling_steps import NONE_SUSPENDED
from planner.plan.spec import StepSpec

DONE = ("succeeded", "in_doubt")
_EXTRAS = (StepKind.PUT_SCALING_POLICY, StepKind.DELETE_SCALING_POLICY, StepKind.PUT_METRIC_ALARM)


@dataclass(frozen=True)
class _Run:
    """What the run did: its plan, the steps that (may have) happened, by kind."""

    sp: ServicePlan
    did: Mapping[str, Any]
    by_kind: Mapping[StepKind, Step]

    @property
    def ref(self) -> str:
        return f"{self.sp.cluster}/{self.sp.service}"

    @property
    def previous_td(self) -> str | None:
        return self.sp.fingerprint.task_definition

    def outputs(self, kind: StepKind) -> Mapping[str, Any]:
        step = self.by_kind.get(kind)
        return (self.did[step.id].outputs or {}) if step is not None else {}


def rollback_plan(
    sp: ServicePlan,
    states: Mapping[str, Any],
    *,
    deregister: bool = True,
    wait: bool = True,
    codedeploy_in_flight: bool = False,
    paused: tuple[str, str] | None = None,
) -> ServicePlan:
    """Inverse steps for what the run did, in reverse order.

    ``states`` maps step ids to journal StepStates (``.state``, ``.outputs``); ``paused``:
    (service deployment ARN, hook id) when the run's ECS deployment waits at a PAUSE hook.
    """
    did = {s.id: states[s.id] for s in sp.steps if s.id in states and states[s.id].state in DONE}
    if not did:
        raise EcsplanError(f"{sp.key}: the run changed nothing; nothing to roll back")
    run = _Run(sp, did, {s.kind: s for s in sp.steps if s.id in did})
    specs: list[StepSpec] = []
    cd = _codedeploy(run, codedeploy_in_flight)
    specs += cd
    specs += _paused(run, paused)
    service, restored_td = _service(run, keep_td=paused is not None)
    specs += service
    created = _created(run)
    specs += created
    redeployed = (
        StepKind.CREATE_CODEDEPLOY_DEPLOYMENT in run.by_kind or restored_td or paused is not None
    )
    if wait and redeployed and not created:
        specs.append(_wait(run))
    specs += _scaling(run)
    specs += _extras(run)
    if deregister:
        specs += _deregister(run)
    steps = tuple(_numbered(sp.key, i, s) for i, s in enumerate(specs, start=1))
    deletes = any(s.kind is StepKind.DELETE_SERVICE for s in steps)
    action = Action.DELETE if deletes else Action.UPDATE
    return replace(sp, steps=steps, documents=(), action=action, left_alone=(), observed=None)


def _numbered(key: str, n: int, spec: StepSpec) -> Step:
    return Step(
        id=f"{key}/rollback-{n:02d}-{spec.kind.value}",
        kind=spec.kind,
        action=spec.action,
        description=spec.description,
        payload=spec.payload,
        before=spec.before,
        after=spec.after,
        destructive=spec.destructive,
    )


def _codedeploy(run: _Run, in_flight: bool) -> list[StepSpec]:
    """Stop the run's deployment (CodeDeploy rolls back), or deploy the previous AppSpec."""
    cd = run.by_kind.get(StepKind.CREATE_CODEDEPLOY_DEPLOYMENT)
    if cd is None:
        return []
    dep_id = run.outputs(StepKind.CREATE_CODEDEPLOY_DEPLOYMENT).get("deploymentId")
    if in_flight and dep_id:
        return [
            StepSpec(
                StepKind.STOP_CODEDEPLOY_DEPLOYMENT,
                Action.UPDATE,
                f"stop CodeDeploy deployment {dep_id} with auto rollback",
                payload={"deploymentId": dep_id, "autoRollbackEnabled": True},
            )
        ]
    if not run.previous_td:
        return []
    payload = dict(cd.payload)
    payload.pop("autoRollbackConfiguration", None)
    if (cd.undo or {}).get("appspec"):  # the AppSpec that ran before, not the new one
        payload["appspec"] = cd.undo["appspec"]
    return [
        StepSpec(
            StepKind.CREATE_CODEDEPLOY_DEPLOYMENT,
            Action.UPDATE,
            f"deploy the previous task definition {run.previous_td.rsplit('/', 1)[-1]} "
            "through CodeDeploy",
            payload=payload,
            after={"taskDefinition": run.previous_td},
        )
    ]


def _paused(run: _Run, paused: tuple[str, str] | None) -> list[StepSpec]:
    """A deployment paused at a hook is rolled back by ECS (ContinueServiceDeployment
    ROLLBACK, as ecspresso's rollback does), not by a new deployment that would pause again."""
    if paused is None:
        return []
    arn, hook = paused
    return [
        StepSpec(
            StepKind.ROLLBACK_PAUSED_DEPLOYMENT,
            Action.UPDATE,
            f"roll back service deployment {arn.rsplit('/', 1)[-1]} paused at hook {hook}",
            payload={"serviceDeploymentArn": arn, "hookId": hook},
            after={"taskDefinition": run.previous_td},
        )
    ]


def _service(run: _Run, keep_td: bool = False) -> tuple[list[StepSpec], bool]:
    """Restore the service's fields and tags; also says whether the revision is restored
    (``keep_td``: ECS restores it itself)."""
    upd = run.by_kind.get(StepKind.UPDATE_SERVICE)
    if upd is None or not upd.undo:
        return [], False
    undo = {k: v for k, v in upd.undo.items() if v is not None and k != "tags"}
    tags = dict(upd.undo.get("tags") or {"add": [], "remove": []})
    if run.sp.controller == "CODE_DEPLOY" or keep_td:
        undo.pop("taskDefinition", None)
    if not (undo or tags.get("add") or tags.get("remove")):
        return [], False
    what = sorted(undo) + (["tags"] if tags.get("add") or tags.get("remove") else [])
    spec = StepSpec(
        StepKind.UPDATE_SERVICE,
        Action.UPDATE,
        f"restore service {run.ref}: " + ", ".join(what),
        payload={"service": undo, "tags": tags},
        before=upd.after,
        after=upd.before,
    )
    return [spec], "taskDefinition" in undo


def _created(run: _Run) -> list[StepSpec]:
    if StepKind.CREATE_SERVICE not in run.by_kind:
        return []
    return [
        StepSpec(
            StepKind.DELETE_SERVICE,
            Action.DELETE,
            f"delete service {run.ref} (the run created it)",
            payload={"cluster": run.sp.cluster, "service": run.sp.service},
            destructive=True,
        )
    ]


def _wait(run: _Run) -> StepSpec:
    return StepSpec(
        StepKind.WAIT_ROLLOUT,
        Action.READ,
        f"wait until service {run.ref} runs {(run.previous_td or '?').rsplit('/', 1)[-1]} again",
        payload={"until": "deployed", "timeout_seconds": None, "controller": run.sp.controller},
        after={"taskDefinition": run.previous_td},
    )


def _scaling(run: _Run) -> list[StepSpec]:
    """Min/max back, and the suspended state as it was before the run."""
    out = []
    for kind in (
        StepKind.RESUME_AUTO_SCALING,
        StepKind.SET_SCALING_CAPACITY,
        StepKind.SUSPEND_AUTO_SCALING,
    ):
        st = run.by_kind.get(kind)
        if st is None or not st.undo:
            continue
        base = {k: st.payload[k] for k in ("ServiceNamespace", "ResourceId", "ScalableDimension")}
        restore = {**base, **dict(st.undo)}
        if kind is StepKind.SET_SCALING_CAPACITY:
            out.append(StepSpec(kind, Action.UPDATE, "restore scalable target min/max", restore))
        elif (
            kind is StepKind.SUSPEND_AUTO_SCALING or restore.get("SuspendedState") != NONE_SUSPENDED
        ):
            out.append(
                StepSpec(
                    StepKind.RESUME_AUTO_SCALING,
                    Action.UPDATE,
                    "restore the auto scaling suspended state",
                    restore,
                )
            )
    return out


def _extras(run: _Run) -> list[StepSpec]:
    """Policies and alarms as they were: put back, or deleted when the run created them."""
    out = []
    for st in reversed(run.sp.steps):
        if st.id in run.did and st.kind in _EXTRAS:
            out.append(_extra(st))
    return out


def _extra(st: Step) -> StepSpec:
    previous = (st.undo or {}).get("previous")
    if st.kind is StepKind.PUT_METRIC_ALARM:
        name = st.payload["AlarmName"]
        payload = alarm_payload(previous) if previous else {"AlarmName": name, "delete": True}
        return StepSpec(st.kind, Action.UPDATE, f"restore CloudWatch alarm {name}", payload)
    if previous:
        return StepSpec(
            StepKind.PUT_SCALING_POLICY,
            Action.UPDATE,
            f"restore scaling policy {previous['name']}",
            policy_payload(str(st.payload["ResourceId"]), previous),
        )
    keys = ("PolicyName", "ServiceNamespace", "ResourceId", "ScalableDimension")
    return StepSpec(
        StepKind.DELETE_SCALING_POLICY,
        Action.DELETE,
        f"delete scaling policy {st.payload['PolicyName']} (the run created it)",
        {k: st.payload[k] for k in keys},
    )


def _deregister(run: _Run) -> list[StepSpec]:
    new_arn = run.outputs(StepKind.REGISTER_TASK_DEFINITION).get("taskDefinitionArn")
    if not new_arn or new_arn == run.previous_td:
        return []
    return [
        StepSpec(
            StepKind.DEREGISTER_TASK_DEFINITIONS,
            Action.DELETE,
            f"deregister the rolled-back revision {new_arn.rsplit('/', 1)[-1]}",
            payload={"taskDefinitions": [new_arn]},
            destructive=True,
        )
    ]
