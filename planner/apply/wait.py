"""Waiting for rollouts (ECS deployments and CodeDeploy deployments) with honest outcomes.

A wait succeeds only when the service really runs the task definition the apply deployed:
a rollout the circuit breaker rolled back is a failure that names the revision ECS went back
to (ecspresso #732), not a quiet exit 0.

ECS-native strategies may pause at a PAUSE lifecycle hook: `paused` returns there, `ecs:STAGE`
returns once the service deployment's lifecycleStage reaches STAGE, and a wait for the end
says once that the deployment is paused and how to continue, then keeps waiting (ecspresso's
waitServiceDeployment does the same, wait.go).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from planner.aws.writes import Writer, paused_hook
from planner.canonical.units import revision_name
from planner.errors import EcsplanError


def poll_interval() -> float:
    """Seconds between polls; ECSPLAN_POLL_INTERVAL lets the sandbox and tests go fast."""
    return float(os.environ.get("ECSPLAN_POLL_INTERVAL", "5"))


class Interrupted(EcsplanError):
    """SIGINT/SIGTERM asked us to stop; the journal stays resumable."""


class RolloutFailed(EcsplanError):
    """The deployment failed or was rolled back; the message says to what."""


@dataclass(frozen=True)
class DeploymentView:
    """One ECS deployment as the progress view shows it."""

    id: str
    status: str
    task_definition: str
    running: int
    desired: int
    pending: int
    failed: int
    rollout_state: str | None


@dataclass(frozen=True)
class Snapshot:
    """What one poll saw; observers render it (rich progress rows, logs)."""

    key: str
    elapsed: float
    phase: str  # waiting | completed | failed
    deployments: tuple[DeploymentView, ...] = ()
    new_events: tuple[str, ...] = ()
    codedeploy_status: str | None = None
    lifecycle: tuple[tuple[str, str], ...] = ()
    notices: tuple[str, ...] = ()
    ecs_stage: str | None = None


class Observer(Protocol):
    def update(self, snap: Snapshot) -> None: ...


class NullObserver:
    def update(self, snap: Snapshot) -> None:
        pass


@dataclass
class WaitSpec:
    key: str
    cluster: str
    service: str
    expected_task_definition: str | None
    until: str = "deployed"  # deployed | stable | paused | ecs:<Stage> | codedeploy:<Event>
    timeout: float = 600.0
    deployment_id: str | None = None  # ECS deployment id or CodeDeploy deployment id
    codedeploy: bool = False
    seen_events: set[str] = field(default_factory=set)
    service_deployment_arn: str | None = None
    told: set[str] = field(default_factory=set)  # notices already shown once
    paused: bool = False  # at the last poll, at a PAUSE hook awaiting action


def _views(svc: Mapping[str, Any]) -> tuple[DeploymentView, ...]:
    if not svc.get("deployments") and svc.get("taskSets"):
        return tuple(
            DeploymentView(
                id=str(t.get("id", "")),
                status=str(t.get("status", "")),
                task_definition=str(t.get("taskDefinition", "")),
                running=int(t.get("runningCount", 0)),
                desired=int(t.get("computedDesiredCount", 0)),
                pending=int(t.get("pendingCount", 0)),
                failed=0,
                rollout_state=None,
            )
            for t in svc["taskSets"]
        )
    return tuple(
        DeploymentView(
            id=str(d.get("id", "")),
            status=str(d.get("status", "")),
            task_definition=str(d.get("taskDefinition", "")),
            running=int(d.get("runningCount", 0)),
            desired=int(d.get("desiredCount", 0)),
            pending=int(d.get("pendingCount", 0)),
            failed=int(d.get("failedTasks", 0)),
            rollout_state=d.get("rolloutState"),
        )
        for d in svc.get("deployments", [])
    )


def _new_events(spec: WaitSpec, svc: Mapping[str, Any], since: float) -> tuple[str, ...]:
    out = []
    for ev in reversed(svc.get("events", [])[:20]):
        eid = str(ev.get("id") or ev.get("message"))
        if eid in spec.seen_events:
            continue
        spec.seen_events.add(eid)
        created = ev.get("createdAt")
        ts = created.timestamp() if hasattr(created, "timestamp") else since
        if ts >= since - 1:
            out.append(str(ev.get("message", "")))
    return tuple(out)


def _task_set_verdict(spec: WaitSpec, svc: Mapping[str, Any]) -> tuple[str, str | None]:
    """CODE_DEPLOY / EXTERNAL services report task sets, not deployments."""
    sets = svc.get("taskSets", [])
    primary = next((t for t in sets if t.get("status") == "PRIMARY"), None)
    if primary is None:
        return "waiting", None
    expected = spec.expected_task_definition
    on_expected = not expected or primary.get("taskDefinition") == expected
    steady = primary.get("stabilityStatus") == "STEADY_STATE" and primary.get(
        "runningCount", 0
    ) == primary.get("computedDesiredCount", 0)
    if on_expected and steady and len(sets) == 1:
        return "completed", None
    return "waiting", None


def _ecs_verdict(spec: WaitSpec, svc: Mapping[str, Any]) -> tuple[str, str | None]:
    """(phase, failure message) for an ECS-controlled service."""
    deps = svc.get("deployments", [])
    if not deps and svc.get("taskSets"):
        return _task_set_verdict(spec, svc)
    primary = next((d for d in deps if d.get("status") == "PRIMARY"), None)
    expected = spec.expected_task_definition
    ours = next((d for d in deps if spec.deployment_id and d.get("id") == spec.deployment_id), None)
    if ours is not None and ours.get("rolloutState") == "FAILED":
        reason = ours.get("rolloutStateReason") or "rollout failed"
        back = primary.get("taskDefinition") if primary and primary is not ours else None
        if back and back != expected:
            return "failed", (
                f"{spec.key}: deployment failed ({reason}); ECS rolled back to {revision_name(back)}"
            )
        return "failed", f"{spec.key}: deployment failed ({reason})"
    if primary is None:
        return "waiting", None
    if expected and primary.get("taskDefinition") != expected:
        if spec.deployment_id and ours is None:
            return "failed", (
                f"{spec.key}: the deployment of {revision_name(expected)} was rolled back; "
                f"ECS rolled back to {revision_name(primary.get('taskDefinition'))}"
            )
        if primary.get("rolloutState") in ("IN_PROGRESS", None) and ours is None:
            return "failed", (
                f"{spec.key}: PRIMARY deployment runs {revision_name(primary.get('taskDefinition'))}, "
                f"not {revision_name(expected)}; ECS rolled back to "
                f"{revision_name(primary.get('taskDefinition'))}"
            )
        return "waiting", None
    running, desired = primary.get("runningCount", 0), primary.get("desiredCount", 0)
    if spec.until == "stable":
        if len(deps) == 1 and running == desired == svc.get("desiredCount", desired):
            return "completed", None
        return "waiting", None
    state = primary.get("rolloutState")
    # A desired-count change keeps the COMPLETED deployment: it is done only at the new count.
    if running == desired and (state == "COMPLETED" or (state is None and len(deps) == 1)):
        return "completed", None
    if state == "FAILED":
        return "failed", f"{spec.key}: deployment failed ({primary.get('rolloutStateReason')})"
    return "waiting", None


def _codedeploy_verdict(
    spec: WaitSpec, info: Mapping[str, Any]
) -> tuple[str, str | None, tuple[tuple[str, str], ...]]:
    if spec.until.startswith("ecs:"):  # ecspresso's WaitFunc refuses it the same way
        return (
            "failed",
            (
                f"{spec.key}: unsupported waitUntil: {spec.until} (a deployment lifecycle stage is "
                "only reported by the ECS deployment controller)"
            ),
            (),
        )
    status = str(info.get("status", ""))
    lifecycle = tuple(
        (str(e.get("lifecycleEventName")), str(e.get("status")))
        for e in info.get("lifecycleEvents", []) or []
    )
    if status == "Succeeded":
        return "completed", None, lifecycle
    if status in ("Failed", "Stopped"):
        rb = info.get("rollbackInfo") or {}
        err = (info.get("errorInformation") or {}).get("message") or status.lower()
        msg = f"{spec.key}: CodeDeploy deployment {spec.deployment_id} {status.lower()}: {err}"
        if rb.get("rollbackDeploymentId") or rb.get("rollbackMessage"):
            msg += f"; rolled back ({rb.get('rollbackMessage') or rb.get('rollbackDeploymentId')})"
        return "failed", msg, lifecycle
    if spec.until.startswith("codedeploy:"):
        target = spec.until.split(":", 1)[1]
        if any(name == target and st == "Succeeded" for name, st in lifecycle):
            return "completed", None, lifecycle
    return "waiting", None, lifecycle


# ECS lifecycle stages in order (botocore's ServiceDeploymentLifecycleStage).
ECS_STAGES = (
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
    "BAKE_TIME",
    "CLEAN_UP",
)


def _has_pause_hook(svc: Mapping[str, Any]) -> bool:
    hooks = (svc.get("deploymentConfiguration") or {}).get("lifecycleHooks") or ()
    return any(h.get("targetType") == "PAUSE" for h in hooks)


def _service_deployment(
    writer: Writer, spec: WaitSpec, svc: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The service deployment in progress, read only when the answer can matter: a wait
    for a pause or a stage, or a service with a PAUSE hook (no extra calls otherwise)."""
    if spec.until == "stable" or spec.codedeploy:
        return None
    if not (spec.until == "paused" or spec.until.startswith("ecs:") or _has_pause_hook(svc)):
        return None
    if spec.service_deployment_arn is None:
        spec.service_deployment_arn = writer.active_service_deployment(spec.cluster, spec.service)
    if spec.service_deployment_arn is None:
        return None
    return writer.service_deployment(spec.service_deployment_arn)


def _lifecycle_verdict(
    spec: WaitSpec, svc: Mapping[str, Any], sd: Mapping[str, Any] | None
) -> tuple[str, str | None, tuple[str, ...]]:
    """(phase, failure, notices) for an ECS service whose service deployment may pause.
    A stage target on an explicitly ROLLING service never comes: refused as ecspresso's
    validateLifecycleStageSupported does (wait.go)."""
    strategy = (svc.get("deploymentConfiguration") or {}).get("strategy")
    if spec.until.startswith("ecs:") and strategy == "ROLLING":
        return (
            "failed",
            (
                f"{spec.key}: waiting for lifecycle stage {spec.until[4:]} requires a traffic "
                "shifting deployment strategy, but the service uses ROLLING"
            ),
            (),
        )
    phase, failure = _ecs_verdict(spec, svc)
    if sd is None or phase != "waiting":
        return phase, failure, ()
    stage = str(sd.get("lifecycleStage") or "")
    hook = paused_hook(sd)
    spec.paused = hook is not None
    if spec.until == "paused" and hook:
        return "completed", None, ()
    target = spec.until[4:] if spec.until.startswith("ecs:") else None
    if target and stage in ECS_STAGES and ECS_STAGES.index(stage) >= ECS_STAGES.index(target):
        return "completed", None, ()
    if hook and hook not in spec.told:
        spec.told.add(hook)
        return (
            "waiting",
            None,
            (
                f"{spec.key}: the deployment is paused at lifecycle hook {hook} at stage {stage}; "
                "resume it with `ecsplan continue`",
            ),
        )
    return "waiting", None, ()


def _rolling_notice(spec: WaitSpec, svc: Mapping[str, Any]) -> tuple[str, ...]:
    """ecspresso warns that a rolling deployment never pauses (wait.go); so do we, once."""
    conf = svc.get("deploymentConfiguration") or {}
    if spec.until != "paused" or conf.get("strategy", "ROLLING") != "ROLLING":
        return ()
    if "rolling" in spec.told:
        return ()
    spec.told.add("rolling")
    return (
        f"{spec.key}: --wait-until paused is not effective for rolling deployments "
        "(pause hooks need BLUE_GREEN, LINEAR or CANARY); waiting for the deployment to finish",
    )


def wait_rollout(
    writer: Writer,
    spec: WaitSpec,
    *,
    observer: Observer | None = None,
    stop: threading.Event | None = None,
    interval: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Snapshot:
    """Poll until the rollout completes; raise RolloutFailed, Interrupted or a timeout error."""
    observer = observer or NullObserver()
    interval = poll_interval() if interval is None else interval
    start = clock()
    wall_start = time.time()
    while True:
        elapsed = clock() - start
        svc = writer.describe_service(spec.cluster, spec.service)
        if svc is None:
            raise RolloutFailed(f"{spec.key}: service {spec.cluster}/{spec.service} not found")
        lifecycle: tuple[tuple[str, str], ...] = ()
        cd_status = None
        notices: tuple[str, ...] = ()
        stage: str | None = None
        if spec.codedeploy and spec.deployment_id:
            info = writer.get_deployment(spec.deployment_id)
            cd_status = str(info.get("status"))
            if cd_status in ("InProgress", "Ready") and not info.get("lifecycleEvents"):
                info["lifecycleEvents"] = writer.deployment_lifecycle(spec.deployment_id)
            phase, failure, lifecycle = _codedeploy_verdict(spec, info)
        else:
            sd = _service_deployment(writer, spec, svc)
            stage = str(sd.get("lifecycleStage")) if sd and sd.get("lifecycleStage") else None
            phase, failure, notices = _lifecycle_verdict(spec, svc, sd)
            notices = _rolling_notice(spec, svc) + notices
        snap = Snapshot(
            key=spec.key,
            elapsed=elapsed,
            phase=phase,
            deployments=_views(svc),
            new_events=_new_events(spec, svc, wall_start),
            codedeploy_status=cd_status,
            lifecycle=lifecycle,
            notices=notices,
            ecs_stage=stage,
        )
        observer.update(snap)
        if phase == "completed":
            return snap
        if phase == "failed":
            raise RolloutFailed(failure or f"{spec.key}: rollout failed")
        if elapsed >= spec.timeout:
            raise _timed_out(spec, snap)
        if stop is not None and stop.wait(interval):
            raise Interrupted(f"{spec.key}: interrupted while waiting for the rollout")
        if stop is None:
            time.sleep(interval)


def _timed_out(spec: WaitSpec, snap: Snapshot) -> EcsplanError:
    primary = next((d for d in snap.deployments if d.status == "PRIMARY"), None)
    where = f" (running {primary.running}/{primary.desired})" if primary else ""
    hint = "it may still finish: ecsplan wait"
    if spec.paused:
        hint = "it is paused at a lifecycle hook: ecsplan continue"
    return EcsplanError(
        f"{spec.key}: timed out after {int(spec.timeout)}s waiting for the rollout{where}; {hint}"
    )


def describe_wait_target(deployments: Sequence[DeploymentView]) -> str:
    primary = next((d for d in deployments if d.status == "PRIMARY"), None)
    if primary is None:
        return "-"
    return f"{revision_name(primary.task_definition)} {primary.running}/{primary.desired}"
