"""ECS built-in BLUE_GREEN, LINEAR and CANARY deployments, one lifecycle stage at a time.

ECS (2025) runs these strategies through lifecycle stages: the new ("green") revision scales
up to 100% while the old ("blue") one keeps serving, test traffic shifts, production traffic
shifts (all at once, in linear steps, or a canary share first), both revisions run during the
bake time, then the blue one is cleaned up. The sandbox has no traffic and no clock in
minutes, so it scales time: one tick per bake minute (`bakeTimeInMinutes`,
`stepBakeTimeInMinutes`, `canaryBakeTimeInMinutes`; at least one tick per step), one tick per
traffic shift step and per lifecycle hook invocation (AWS_LAMBDA hooks are not invoked, they
"succeed"; a PAUSE hook holds the deployment IN_PROGRESS at its stage, hook AWAITING_ACTION,
until ContinueServiceDeployment: CONTINUE moves on, ROLLBACK rolls back as the breaker does).
The rollout stays IN_PROGRESS until the clean-up, then COMPLETED with the blue tasks stopped.

A failing image never finishes SCALE_UP; the deployment circuit breaker (ecs_progress) fails
it, and with rollback the blue tasks, still running, are handed back to the rollback
deployment, as ECS moves traffic back to blue.

The plan of a deployment is a queue of actions kept on the moto Service (`sb_native`), keyed
by deployment id, so a moto reset forgets it with the service.
"""

from __future__ import annotations

import math
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend, Service

from ecsplan_sandbox import fleet, service_deployments

NATIVE = ("BLUE_GREEN", "LINEAR", "CANARY")
Action = tuple[str, Any, Any]  # (kind, arg, arg)


def strategy(conf: dict[str, Any]) -> str:
    return str(conf.get("strategy") or "ROLLING")


def _minutes(value: Any) -> int:
    """Bake minutes as ticks (the sandbox's scale: one tick per minute)."""
    try:
        return max(0, math.ceil(float(value or 0)))
    except (TypeError, ValueError):
        return 0


def _hooks(conf: dict[str, Any], stage: str) -> list[Action]:
    """AWS_LAMBDA hooks (the default type) "succeed"; PAUSE hooks wait for
    ContinueServiceDeployment."""
    return [
        ("pause", stage, None)
        if h.get("targetType") == "PAUSE"
        else ("hook", stage, str(h.get("hookTargetArn", "?")))
        for h in conf.get("lifecycleHooks") or []
        if stage in (h.get("lifecycleStages") or [])
    ]


def _shifts(conf: dict[str, Any]) -> list[Action]:
    """Production traffic steps as (shift, percent) and (wait, ticks) actions."""
    kind = strategy(conf)
    if kind == "LINEAR":
        lin = conf.get("linearConfiguration") or {}
        step = float(lin.get("stepPercent") or 10.0)
        wait = max(1, _minutes(lin.get("stepBakeTimeInMinutes")))
        out: list[Action] = []
        pct = 0.0
        while pct < 100.0:
            pct = min(100.0, pct + step)
            out.append(("shift", pct, None))
            if pct < 100.0:
                out.append(("wait", wait, "PRODUCTION_TRAFFIC_SHIFT"))
        return out
    if kind == "CANARY":
        can = conf.get("canaryConfiguration") or {}
        pct = float(can.get("canaryPercent") or 5.0)
        wait = max(1, _minutes(can.get("canaryBakeTimeInMinutes")))
        return [
            ("shift", pct, None),
            ("wait", wait, "PRODUCTION_TRAFFIC_SHIFT"),
            ("shift", 100.0, None),
        ]
    return [("shift", 100.0, None)]


def plan(conf: dict[str, Any], test_listener: bool = False) -> list[Action]:
    """The stages of one deployment of this configuration, as a queue of tick-sized actions;
    test traffic shifts only when a load balancer has a testListenerRule."""
    actions: list[Action] = [("stage", "SCALE_UP", None), ("scale_up", None, None)]
    actions += _hooks(conf, "POST_SCALE_UP")
    actions += [("stage", "TEST_TRAFFIC_SHIFT", None)]
    if test_listener:
        actions += [("test_shift", None, None)]
    actions += _hooks(conf, "TEST_TRAFFIC_SHIFT")
    actions += _hooks(conf, "POST_TEST_TRAFFIC_SHIFT")
    actions += [("stage", "PRODUCTION_TRAFFIC_SHIFT", None)]
    actions += _hooks(conf, "PRODUCTION_TRAFFIC_SHIFT")
    actions += _shifts(conf)
    actions += _hooks(conf, "POST_PRODUCTION_TRAFFIC_SHIFT")
    bake = _minutes(conf.get("bakeTimeInMinutes"))
    if bake:
        actions += [("stage", "BAKE_TIME", None), ("wait", bake, "BAKE_TIME")]
    return actions


def _states(svc: Service) -> dict[str, dict[str, Any]]:
    states: dict[str, dict[str, Any]] = svc.__dict__.setdefault("sb_native", {})
    return states


def begin(svc: Service, dep: dict[str, Any], conf: dict[str, Any]) -> None:
    """Remember the stages of a new deployment when the service uses a native strategy."""
    if strategy(conf) not in NATIVE:
        return
    _states(svc)[dep["id"]] = {
        "strategy": strategy(conf),
        "queue": plan(conf, _has_test_listener(svc)),
        "waited": 0,
        "traffic": 0.0,
        "stage": "PRE_SCALE_UP",
    }


def _has_test_listener(svc: Service) -> bool:
    return any(
        (lb.get("advancedConfiguration") or {}).get("testListenerRule")
        for lb in svc.load_balancers or []
    )


def state(svc: Service, dep_id: str) -> dict[str, Any] | None:
    return _states(svc).get(dep_id)


def forget(svc: Service, dep_id: str) -> None:
    _states(svc).pop(dep_id, None)


def tick(backend: EC2ContainerServiceBackend, svc: Service, primary: dict[str, Any]) -> bool:
    """Advance a native deployment by one tick; True when it is done (ready to clean up)."""
    st = state(svc, primary["id"])
    assert st is not None
    pid = primary["id"]
    while st["queue"]:
        kind, arg, extra = st["queue"][0]
        if kind == "stage":
            st["stage"] = arg
            st["queue"].pop(0)
            continue  # free: the stage name is only reported
        if kind == "scale_up":
            if not _scale_up(backend, svc, primary):
                return False
        elif kind == "hook":
            st["stage"] = arg
            _hook_detail(svc, pid, "lambda", "SUCCEEDED", extra)
            fleet.add_event(
                svc,
                f"(deployment {pid}) lifecycle hook {extra} succeeded at stage {arg}.",
            )
        elif kind == "pause":
            if not _paused(svc, st, pid, arg):
                return False
        elif kind == "test_shift":
            fleet.add_event(
                svc, f"(deployment {pid}) shifted test traffic to the new service revision."
            )
        elif kind == "shift":
            st["traffic"] = float(arg)
            fleet.add_event(
                svc,
                f"(deployment {pid}) shifted {_pct(arg)}% of production traffic "
                "to the new service revision.",
            )
        elif kind == "wait":
            st["waited"] += 1
            if st["waited"] == 1 and extra == "BAKE_TIME":
                fleet.add_event(svc, f"(deployment {pid}) bake time of {arg} minute(s) started.")
            if st["waited"] < int(arg):
                return False
            st["waited"] = 0
        st["queue"].pop(0)
        return False
    st["stage"] = "CLEAN_UP"
    return True


def _hook_detail(
    svc: Service, pid: str, kind: str, status: str, target: str | None = None
) -> dict[str, Any]:
    """A lifecycleHookDetails entry on the deployment's service-deployment record."""
    detail: dict[str, Any] = {
        "hookId": service_deployments.new_hook_id(kind),
        "targetType": "PAUSE" if kind == "pause" else "AWS_LAMBDA",
        "status": status,
    }
    if target:
        detail["targetArn"] = target
    rec = service_deployments.entry(svc, pid)
    if rec is not None:
        rec["hooks"].append(detail)
    return detail


def _paused(svc: Service, st: dict[str, Any], pid: str, stage: str) -> bool:
    """A PAUSE hook: AWAITING_ACTION until ContinueServiceDeployment; True once continued."""
    hook = st.get("pause")
    if hook is None:
        st["stage"] = stage
        st["pause"] = _hook_detail(svc, pid, "pause", "AWAITING_ACTION")
        fleet.add_event(svc, f"(deployment {pid}) paused at a lifecycle hook at stage {stage}.")
        return False
    if hook["status"] == "AWAITING_ACTION":
        return False
    del st["pause"]
    fleet.add_event(svc, f"(deployment {pid}) continued at stage {stage}.")
    return True


def _pct(value: Any) -> str:
    f = float(value)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def _scale_up(backend: EC2ContainerServiceBackend, svc: Service, primary: dict[str, Any]) -> bool:
    """Start the whole green revision at once (blue keeps running); True once all run."""
    pid, target = primary["id"], primary["desiredCount"]
    have = len(fleet.live(svc, pid))
    if have < target:
        started = fleet.launch(
            backend,
            svc,
            pid,
            primary["taskDefinition"],
            target - have,
            primary.get("networkConfiguration"),
            primary.get("launchType"),
            primary.get("platformVersion"),
        )
        if started:
            fleet.add_event(svc, f"has started {len(started)} tasks: {fleet.task_ids(started)}.")
        return False
    return fleet.running(svc, pid) >= target and fleet.pending(svc, pid) == 0


def hand_back_blue(svc: Service, rollback_dep: dict[str, Any]) -> None:
    """Rollback of a native deployment: blue's running tasks serve again, under the rollback
    deployment, so it completes without starting new tasks."""
    units: dict[str, list[Any]] = svc.__dict__.setdefault("sb_fleet", {})
    for dep in svc.deployments[1:]:
        if dep["taskDefinition"] == rollback_dep["taskDefinition"] and units.get(dep["id"]):
            tasks = units.pop(dep["id"])
            for t in tasks:
                t.started_by = rollback_dep["id"]
            units.setdefault(rollback_dep["id"], []).extend(tasks)
