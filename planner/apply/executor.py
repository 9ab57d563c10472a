"""Run a service plan's steps through the journal.

Before each AWS write the journal gets ``begin``; after it ``success`` with outputs or
``failure``. A resumed run skips what succeeded and reconciles every ``begin`` without an
outcome against live AWS (adopt what happened; never repeat a side effect).
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.apply.wait import Interrupted, Observer, RolloutFailed, WaitSpec, wait_rollout
from planner.aws.clients import AwsContext
from planner.aws.writes import Writer, paused_hook
from planner.errors import EcsplanError
from planner.plan.model import ServicePlan, Step, StepKind
from planner.plan.outcome import ServiceResult
from planner.plan.scaling_steps import NONE_SUSPENDED
from planner.state.journal import Journal

# Test-only: "<begin|after_call|success>:<step kind>[@<service key>]" SIGKILLs the process
# right after the journal's begin, right after the AWS call returned (before its outcome is
# journaled), or right after the success entry (of that service's step only, with @key).
CRASH_ENV = "ECSPLAN_TEST_CRASH_AT"


@dataclass
class ApplyContext:
    """What every step handler needs; one per apply invocation."""

    aws: AwsContext
    observer: Observer
    stop: threading.Event = field(default_factory=threading.Event)
    interval: float | None = None
    retries: Callable[[], int] | None = None


def _crash_point(event: str, kind: StepKind, key: str) -> None:
    """Test-only: SIGKILL ourselves right after a journal write, to prove resume works."""
    want = os.environ.get(CRASH_ENV)
    if want and want in (f"{event}:{kind.value}", f"{event}:{kind.value}@{key}"):
        os.kill(os.getpid(), signal.SIGKILL)


class ServiceExecutor:
    """Applies one ServicePlan; `run` is safe to call again on a resumed journal."""

    def __init__(self, ctx: ApplyContext, plan: ServicePlan, journal: Journal) -> None:
        self.ctx = ctx
        self.plan = plan
        self.journal = journal
        self.writer = Writer(ctx.aws.scoped(plan.principal), plan.region)
        self.outputs: dict[str, Mapping[str, Any]] = {}

    # --- driving ----------------------------------------------------------------------
    def run(self) -> ServiceResult:
        states = self.journal.step_states()
        suspended_by_us = False
        try:
            for step in self.plan.steps:
                if self.ctx.stop.is_set():
                    raise Interrupted(f"{self.plan.key}: interrupted before {step.id}")
                st = states.get(step.id)
                restored = states.get(f"{step.id}:restore")
                if restored is not None and restored.state == "succeeded":
                    st = None  # a failed attempt un-suspended scaling: suspend again
                if st is not None and st.state == "succeeded":
                    self.outputs[step.id] = dict(st.outputs)
                    suspended_by_us |= step.kind is StepKind.SUSPEND_AUTO_SCALING
                    continue
                # A failure may still have happened on the AWS side (a 5xx after the write,
                # a timeout): look before writing again, as for a begin without outcome.
                if st is not None and st.state in ("in_doubt", "failed"):
                    adopted = self._reconcile(step, st.begin_data)
                    if adopted is not None:
                        self.journal.note(f"adopted {step.id} from live state", dict(adopted))
                        self.journal.success(step.id, step.kind.value, adopted)
                        self.outputs[step.id] = adopted
                        continue
                self._execute(step)
                suspended_by_us |= step.kind is StepKind.SUSPEND_AUTO_SCALING
                if step.kind is StepKind.RESUME_AUTO_SCALING:
                    suspended_by_us = False
        except Interrupted as e:
            self.journal.end("interrupted")
            return ServiceResult(self.plan.key, "interrupted", self.journal.run_id, e.message)
        except EcsplanError as e:
            if suspended_by_us:
                self._restore_scaling()
            self.journal.end("failed")
            return ServiceResult(
                self.plan.key, "failed", self.journal.run_id, e.message, self.outputs
            )
        self.journal.end("succeeded")
        return ServiceResult(self.plan.key, "succeeded", self.journal.run_id, "", self.outputs)

    def _execute(self, step: Step) -> None:
        self.journal.begin(
            step.id, step.kind.value, {"description": step.description, "at": time.time()}
        )
        _crash_point("begin", step.kind, self.plan.key)
        try:
            out = self._handler(step.kind)(step)
            _crash_point("after_call", step.kind, self.plan.key)
        except (RolloutFailed, EcsplanError) as e:
            if isinstance(e, Interrupted):
                raise
            self.journal.failure(step.id, step.kind.value, e.message)
            raise
        self.journal.success(step.id, step.kind.value, out)
        self.outputs[step.id] = out
        _crash_point("success", step.kind, self.plan.key)

    def _handler(self, kind: StepKind) -> Callable[[Step], dict[str, Any]]:
        return {
            StepKind.REGISTER_TASK_DEFINITION: self._register,
            StepKind.CREATE_SERVICE: self._create_service,
            StepKind.UPDATE_SERVICE: self._update_service,
            StepKind.SUSPEND_AUTO_SCALING: self._scaling,
            StepKind.RESUME_AUTO_SCALING: self._scaling,
            StepKind.SET_SCALING_CAPACITY: self._scaling,
            StepKind.CREATE_CODEDEPLOY_DEPLOYMENT: self._codedeploy,
            StepKind.WAIT_ROLLOUT: self._wait,
            StepKind.DEREGISTER_TASK_DEFINITIONS: self._deregister,
            StepKind.STOP_CODEDEPLOY_DEPLOYMENT: self._stop_codedeploy,
            StepKind.ROLLBACK_PAUSED_DEPLOYMENT: self._rollback_paused,
            StepKind.DELETE_SERVICE: self._delete_service,
            StepKind.PUT_SCALING_POLICY: self._put_policy,
            StepKind.DELETE_SCALING_POLICY: self._delete_policy,
            StepKind.PUT_METRIC_ALARM: self._put_alarm,
        }[kind]

    def _input(self, step: Step, name: str) -> Any:
        """A payload value produced by an earlier step (the registered ARN, mostly)."""
        src = step.inputs.get(name)
        if src is None:
            return None
        out = self.outputs.get(src)
        if out is None:
            raise EcsplanError(f"{step.id}: needs the output of {src}, which has not run")
        return out.get("taskDefinitionArn")

    def _task_definition(self, step: Step) -> str | None:
        return self._input(step, "taskDefinition") or step.payload.get("taskDefinition")

    # --- handlers -----------------------------------------------------------------------
    def _register(self, step: Step) -> dict[str, Any]:
        return self.writer.register_task_definition(step.payload, self.journal.run_id, step.id)

    def _create_service(self, step: Step) -> dict[str, Any]:
        payload = dict(step.payload)
        # Idempotent across botocore's retries and our resume: same run and step, same token.
        token = uuid.uuid5(uuid.NAMESPACE_URL, f"ecsplan:{self.journal.run_id}:{step.id}")
        payload.setdefault("clientToken", str(token))
        td = self._task_definition(step)
        if td:
            payload["taskDefinition"] = td
        return self.writer.create_service(payload)

    def _update_service(self, step: Step) -> dict[str, Any]:
        update = dict(step.payload.get("service") or {})
        td = self._input(step, "taskDefinition")
        if td:
            update["taskDefinition"] = td
        cluster, service = self.plan.cluster, self.plan.service
        out: dict[str, Any] = {}
        if update:
            out = self.writer.update_service(cluster, service, update)
        tags = step.payload.get("tags") or {}
        if tags.get("add") or tags.get("remove"):
            arn = out.get("serviceArn") or (
                self.writer.describe_service(cluster, service) or {}
            ).get("serviceArn")
            self.writer.tag_service(str(arn), tags.get("add") or [], tags.get("remove") or [])
        return out

    def _scaling(self, step: Step) -> dict[str, Any]:
        if step.payload.get("deregister"):  # rollback of a target the run created
            self.writer.deregister_scalable_target(str(step.payload["ResourceId"]))
            return {"deregistered": step.payload["ResourceId"]}
        self.writer.register_scalable_target(step.payload)
        return {
            k: step.payload[k]
            for k in ("SuspendedState", "MinCapacity", "MaxCapacity")
            if k in step.payload
        }

    def _codedeploy(self, step: Step) -> dict[str, Any]:
        td = self._task_definition(step) or (step.after or {}).get("taskDefinition")
        if not td:
            raise EcsplanError(f"{step.id}: no task definition ARN for the AppSpec")
        dep = self.writer.create_deployment(step.payload, str(td), self.journal.run_id, step.id)
        return {"deploymentId": dep, "taskDefinitionArn": td}

    def _wait(self, step: Step) -> dict[str, Any]:
        expected = self._input(step, "taskDefinition") or (step.after or {}).get("taskDefinition")
        cd_step = next(
            (s for s in self.plan.steps if s.kind is StepKind.CREATE_CODEDEPLOY_DEPLOYMENT), None
        )
        deployment_id = None
        if cd_step is not None:
            deployment_id = (self.outputs.get(cd_step.id) or {}).get("deploymentId")
        else:
            for s in self.plan.steps:
                if s.kind in (StepKind.UPDATE_SERVICE, StepKind.CREATE_SERVICE):
                    deployment_id = (self.outputs.get(s.id) or {}).get("deploymentId")
        timeout = step.payload.get("timeout_seconds") or 600.0
        spec = WaitSpec(
            key=self.plan.key,
            cluster=self.plan.cluster,
            service=self.plan.service,
            expected_task_definition=expected,
            until=str(step.payload.get("until") or "deployed"),
            timeout=float(timeout),
            deployment_id=deployment_id,
            codedeploy=cd_step is not None,
        )
        snap = wait_rollout(
            self.writer,
            spec,
            observer=self.ctx.observer,
            stop=self.ctx.stop,
            interval=self.ctx.interval,
        )
        primary = next((d for d in snap.deployments if d.status == "PRIMARY"), None)
        return {
            "taskDefinitionArn": primary.task_definition if primary else expected,
            "elapsed": round(snap.elapsed, 2),
        }

    def _deregister(self, step: Step) -> dict[str, Any]:
        arns = list(step.payload.get("taskDefinitions") or [])
        for arn in arns:
            self.writer.deregister_task_definition(arn)
        if step.payload.get("delete"):
            failures = self.writer.delete_task_definitions(arns)
            if failures:
                raise EcsplanError(
                    f"{step.id}: deregistered, but ECS refused to delete: {'; '.join(failures)}"
                )
        return {"deregistered": arns}

    def _put_policy(self, step: Step) -> dict[str, Any]:
        return self.writer.put_scaling_policy(step.payload)

    def _delete_policy(self, step: Step) -> dict[str, Any]:
        self.writer.delete_scaling_policy(step.payload)
        return {"deleted": step.payload["PolicyName"]}

    def _put_alarm(self, step: Step) -> dict[str, Any]:
        if step.payload.get("delete"):  # rollback of an alarm the run created
            self.writer.delete_alarm(str(step.payload["AlarmName"]))
            return {"deleted": step.payload["AlarmName"]}
        self.writer.put_metric_alarm(step.payload)
        return {"AlarmName": step.payload["AlarmName"]}

    def _stop_codedeploy(self, step: Step) -> dict[str, Any]:
        dep = str(step.payload["deploymentId"])
        self.writer.stop_deployment(dep, bool(step.payload.get("autoRollbackEnabled", True)))
        return {"deploymentId": dep, "stopped": True}

    def _rollback_paused(self, step: Step) -> dict[str, Any]:
        """ECS rolls a paused deployment back to the previous revision itself (ecspresso's
        rollbackActiveECSDeployment, rollback.go)."""
        arn, hook = str(step.payload["serviceDeploymentArn"]), str(step.payload["hookId"])
        self.writer.continue_service_deployment(arn, hook, "ROLLBACK")
        return {"serviceDeploymentArn": arn, "hookId": hook, "action": "ROLLBACK"}

    def _delete_service(self, step: Step) -> dict[str, Any]:
        self.writer.delete_service(self.plan.cluster, self.plan.service)
        return {"deleted": f"{self.plan.cluster}/{self.plan.service}"}

    # --- recovery -----------------------------------------------------------------------
    def _reconcile(self, step: Step, begin: Mapping[str, Any]) -> dict[str, Any] | None:
        """For a `begin` without outcome: what happened? None = it did not, run it."""
        w, cluster, service = self.writer, self.plan.cluster, self.plan.service
        if step.kind is StepKind.REGISTER_TASK_DEFINITION:
            arn = w.find_tagged_task_definition(
                str(step.payload.get("family")), self.journal.run_id, step.id
            )
            return (
                {"taskDefinitionArn": arn, "revision": int(arn.rsplit(":", 1)[-1])} if arn else None
            )
        if step.kind is StepKind.CREATE_SERVICE:
            svc = w.describe_service(cluster, service)
            if svc and svc.get("status") == "ACTIVE":
                return {
                    "serviceArn": svc.get("serviceArn"),
                    "taskDefinition": svc.get("taskDefinition"),
                    "desiredCount": svc.get("desiredCount"),
                    "deploymentId": next(
                        (
                            d["id"]
                            for d in svc.get("deployments", [])
                            if d.get("status") == "PRIMARY"
                        ),
                        None,
                    ),
                }
            return None
        if step.kind is StepKind.UPDATE_SERVICE:
            svc = w.describe_service(cluster, service) or {}
            td = self._input(step, "taskDefinition") or (step.payload.get("service") or {}).get(
                "taskDefinition"
            )
            if td and svc.get("taskDefinition") == td:
                primary = next(
                    (d for d in svc.get("deployments", []) if d.get("taskDefinition") == td), None
                )
                return {
                    "serviceArn": svc.get("serviceArn"),
                    "taskDefinition": td,
                    "desiredCount": svc.get("desiredCount"),
                    "deploymentId": (primary or {}).get("id"),
                }
            return None  # UpdateService without a new revision is safe to send again
        if step.kind is StepKind.CREATE_CODEDEPLOY_DEPLOYMENT:
            return self._adopt_codedeploy(step)
        if step.kind is StepKind.ROLLBACK_PAUSED_DEPLOYMENT:
            arn, hook = str(step.payload["serviceDeploymentArn"]), str(step.payload["hookId"])
            if paused_hook(w.service_deployment(arn) or {}) == hook:
                return None  # still paused there: the ROLLBACK was not received
            return {"serviceDeploymentArn": arn, "hookId": hook, "action": "ROLLBACK"}
        return None  # scaling registrations and waits are idempotent: run them again

    def _adopt_codedeploy(self, step: Step) -> dict[str, Any] | None:
        """Find the deployment a crashed run created (described with its run and step):
        never create a second one blindly."""
        dep_id = self.writer.find_deployment(
            str(step.payload["applicationName"]),
            str(step.payload["deploymentGroupName"]),
            self.journal.run_id,
            step.id,
        )
        if dep_id is None:
            return None
        td = self._task_definition(step) or (step.after or {}).get("taskDefinition")
        return {"deploymentId": dep_id, "taskDefinitionArn": td}

    def _restore_scaling(self) -> None:
        """A failed run never leaves auto scaling suspended by it."""
        for step in self.plan.steps:
            if step.kind is StepKind.SUSPEND_AUTO_SCALING:
                prev = (step.undo or {}).get("SuspendedState") or NONE_SUSPENDED
                payload = {**step.payload, "SuspendedState": prev}
                sid = f"{step.id}:restore"
                self.journal.begin(sid, StepKind.RESUME_AUTO_SCALING.value, {"restore": True})
                try:
                    self.writer.register_scalable_target(payload)
                except EcsplanError as e:
                    self.journal.failure(sid, StepKind.RESUME_AUTO_SCALING.value, e.message)
                    return
                self.journal.success(
                    sid, StepKind.RESUME_AUTO_SCALING.value, {"SuspendedState": prev}
                )
