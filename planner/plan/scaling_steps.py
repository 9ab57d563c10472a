"""Auto scaling around a deployment: suspend before, min/max, resume after. Pure.

The flags of ecspresso (--suspend-auto-scaling, --resume-auto-scaling, --auto-scaling-min,
--auto-scaling-max) act on the service's scalable target (ecs:service:DesiredCount); with no
target they are skipped with a warning, as in ecspresso.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from planner.canonical.fields import SCALABLE_DIMENSION
from planner.errors import EcsplanError
from planner.plan.model import Action, PlanOptions, StepKind, changes_between
from planner.plan.spec import StepSpec

ALL_SUSPENDED = {
    "DynamicScalingInSuspended": True,
    "DynamicScalingOutSuspended": True,
    "ScheduledScalingSuspended": True,
}
NONE_SUSPENDED = {k: False for k in ALL_SUSPENDED}


@dataclass(frozen=True)
class ScalingSteps:
    """The steps before the deployment, the one after it, and a warning if skipped."""

    before: tuple[StepSpec, ...] = ()
    after: tuple[StepSpec, ...] = ()
    warning: str | None = None


def _wanted(options: PlanOptions) -> bool:
    return (
        options.suspend_auto_scaling
        or options.resume_auto_scaling
        or options.auto_scaling_min is not None
        or options.auto_scaling_max is not None
    )


def scaling_steps(
    key: str, ref: str, target: Mapping[str, Any] | None, options: PlanOptions
) -> ScalingSteps:
    """``ref``: cluster/service; ``target``: the live scalable target, if any."""
    if target is None:
        if not _wanted(options):
            return ScalingSteps()
        return ScalingSteps(
            warning=f"no scalable target for service/{ref} (ecs:service:DesiredCount): "
            "auto scaling options skipped"
        )
    base = {
        "ServiceNamespace": "ecs",
        "ResourceId": f"service/{ref}",
        "ScalableDimension": SCALABLE_DIMENSION,
    }
    was = dict(target.get("SuspendedState") or NONE_SUSPENDED)
    before: list[StepSpec] = []
    if options.suspend_auto_scaling and was != ALL_SUSPENDED:
        before.append(_suspended(base, ref, was, ALL_SUSPENDED, undo=was))
    capacity = _capacity(key, base, ref, target, options)
    if capacity is not None:
        before.append(capacity)
    after: list[StepSpec] = []
    if options.resume_auto_scaling:
        will_be = ALL_SUSPENDED if options.suspend_auto_scaling else was
        if will_be != NONE_SUSPENDED:
            after.append(_suspended(base, ref, will_be, NONE_SUSPENDED, undo=was))
    return ScalingSteps(tuple(before), tuple(after))


def _suspended(
    base: Mapping[str, Any],
    ref: str,
    was: Mapping[str, bool],
    now: Mapping[str, bool],
    *,
    undo: Mapping[str, bool],
) -> StepSpec:
    suspend = now == ALL_SUSPENDED
    return StepSpec(
        StepKind.SUSPEND_AUTO_SCALING if suspend else StepKind.RESUME_AUTO_SCALING,
        Action.UPDATE,
        f"{'suspend' if suspend else 'resume'} auto scaling of service/{ref}",
        payload={**base, "SuspendedState": dict(now)},
        before=dict(was),
        after=dict(now),
        changes=changes_between(dict(was), dict(now)),
        undo={"SuspendedState": dict(undo)},
    )


def _capacity(
    key: str,
    base: Mapping[str, Any],
    ref: str,
    target: Mapping[str, Any],
    options: PlanOptions,
) -> StepSpec | None:
    low, high = options.auto_scaling_min, options.auto_scaling_max
    if low is None and high is None:
        return None
    was = {"MinCapacity": target["MinCapacity"], "MaxCapacity": target["MaxCapacity"]}
    now = {
        "MinCapacity": low if low is not None else target["MinCapacity"],
        "MaxCapacity": high if high is not None else target["MaxCapacity"],
    }
    if now["MinCapacity"] > now["MaxCapacity"]:
        raise EcsplanError(
            f"{key}: --auto-scaling-min {now['MinCapacity']} is greater than "
            f"max {now['MaxCapacity']}"
        )
    if now == was:
        return None
    return StepSpec(
        StepKind.SET_SCALING_CAPACITY,
        Action.UPDATE,
        f"set capacity of service/{ref} to min {now['MinCapacity']}, max {now['MaxCapacity']}",
        payload={**base, **now},
        before=was,
        after=now,
        changes=changes_between(was, now),
        undo=was,
    )
