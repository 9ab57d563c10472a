"""Waiting for rollouts (ECS deployments and CodeDeploy deployments) with honest outcomes.

A wait succeeds only when the service really runs the task definition the apply deployed:
a rollout the circuit breaker rolled back is a failure that names the revision ECS went back
to (ecspresso #732), not a quiet exit 0.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from planner.aws.writes import Writer
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
    until: str = "deployed"  # deployed | stable | codedeploy:<LifecycleEvent>
    timeout: float = 600.0
    deployment_id: str | None = None  # ECS deployment id or CodeDeploy deployment id
    codedeploy: bool = False
    seen_events: set[str] = field(default_factory=set)


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
        if spec.codedeploy and spec.deployment_id:
            info = writer.get_deployment(spec.deployment_id)
            cd_status = str(info.get("status"))
            if cd_status in ("InProgress", "Ready") and not info.get("lifecycleEvents"):
                info["lifecycleEvents"] = writer.deployment_lifecycle(spec.deployment_id)
            phase, failure, lifecycle = _codedeploy_verdict(spec, info)
        else:
            phase, failure = _ecs_verdict(spec, svc)
        snap = Snapshot(
            key=spec.key,
            elapsed=elapsed,
            phase=phase,
            deployments=_views(svc),
            new_events=_new_events(spec, svc, wall_start),
            codedeploy_status=cd_status,
            lifecycle=lifecycle,
        )
        observer.update(snap)
        if phase == "completed":
            return snap
        if phase == "failed":
            raise RolloutFailed(failure or f"{spec.key}: rollout failed")
        if elapsed >= spec.timeout:
            primary = next((d for d in snap.deployments if d.status == "PRIMARY"), None)
            where = f" (running {primary.running}/{primary.desired})" if primary else ""
            raise EcsplanError(
                f"{spec.key}: timed out after {int(spec.timeout)}s waiting for the rollout{where}; "
                "it may still finish: ecsplan wait"
            )
        if stop is not None and stop.wait(interval):
            raise Interrupted(f"{spec.key}: interrupted while waiting for the rollout")
        if stop is None:
            time.sleep(interval)


def describe_wait_target(deployments: Sequence[DeploymentView]) -> str:
    primary = next((d for d in deployments if d.status == "PRIMARY"), None)
    if primary is None:
        return "-"
    return f"{revision_name(primary.task_definition)} {primary.running}/{primary.desired}"
