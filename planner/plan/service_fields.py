"""The service's own fields: what UpdateService changes, what a CodeDeploy deployment carries,
and what AWS would refuse, decided field by field through the rule table
(planner/canonical/service_rules.py). Pure.

A field the definition leaves out is not managed (not compared, not sent: AWS keeps it), as
in ecspresso. A managed field that differs is applied, or the plan is refused naming it:
never "No changes", never a warning beside a diff that would stay forever.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from planner.canonical.service import (
    CLEARED,
    EMPTY,
    canonical_service,
    controller_of,
    managed_fields,
    service_view,
    tag_changes,
)
from planner.canonical.service_rules import (
    APPSPEC,
    CODE_DEPLOY,
    CONTROLLER_TRANSITIONS,
    ECS,
    RULES,
    UNOBSERVABLE,
    UPDATE,
)
from planner.errors import EcsplanError

REPLACE = "`ecsplan delete` the service, then `ecsplan deploy` it again (a new service)"


class PlanRefused(EcsplanError):
    """A difference AWS cannot apply in place: named, with the ways out; nothing is written."""


@dataclass(frozen=True)
class FieldsPlan:
    """What the plan does with the service's fields (tags included)."""

    controller: str  # the service's controller once the update is applied
    before: Mapping[str, Any]  # the live service on the managed fields
    after: Mapping[str, Any]  # the definition on the same fields
    update: Mapping[str, Any] = field(default_factory=dict)  # UpdateService service fields
    appspec: tuple[str, ...] = ()  # changed fields a CodeDeploy deployment carries
    tags_add: tuple[Mapping[str, str], ...] = ()
    tags_remove: tuple[str, ...] = ()
    left_alone: tuple[str, ...] = ()  # live settings the definition does not manage
    force: str | None = None  # why forceNewDeployment must be sent with this update

    @property
    def shown(self) -> tuple[str, ...]:
        """The fields whose change a step applies: exactly what the plan shows."""
        tags = ("tags",) if self.tags_add or self.tags_remove else ()
        return (*self.update, *self.appspec, *tags)

    @property
    def deploys(self) -> bool:
        """The update starts a new ECS deployment."""
        rules = (RULES.get(f) for f in self.update)
        return self.force is not None or any(r is not None and r.deploys for r in rules)


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def refuse(key: str, name: str, before: Any, after: Any, why: str, *ways: str) -> PlanRefused:
    """The one-line refusal: field, live and desired values, why; the ways out after."""
    return PlanRefused(
        f"{key}: {name} cannot change in place (live {_short(before)}, definition "
        f"{_short(after)}): {why}",
        "ways out: " + "; or ".join((*ways, REPLACE)),
    )


def plan_fields(key: str, sd: Mapping[str, Any], live: Mapping[str, Any]) -> FieldsPlan:
    """The field plan of an existing service. ``sd``: the definition (with --tasks and the
    namespace already applied); ``live``: DescribeServices' entry."""
    live_ctrl = controller_of(live)
    want_ctrl = controller_of(sd) if "deploymentController" in sd else live_ctrl
    managed = managed_fields(sd)
    live_canon = canonical_service(live, controller=live_ctrl)
    before = service_view(live_canon, managed)
    after = service_view(canonical_service(sd, controller=want_ctrl), managed)
    _check_launch(key, sd)
    if want_ctrl != ECS and "deploymentConfiguration" in managed:
        _check_ecs_only(key, before, after, want_ctrl)
    update: dict[str, Any] = {}
    appspec: list[str] = []
    force = None
    for name in managed:
        if before[name] == after[name] or name == "tags":
            continue
        rule = RULES[name]
        if rule.kind == "create_only":
            raise _create_only(key, name, live_canon, after)
        if rule.kind == "controller":
            _check_controller(key, live, live_ctrl, want_ctrl)
            update[name] = {"type": want_ctrl}
            continue
        how = rule.how(want_ctrl)
        if how == UPDATE:
            update[name] = _sent(name, after[name])
            if name == "capacityProviderStrategy":
                force = _capacity_force(key, before[name], after[name])
        elif how == APPSPEC:
            appspec.append(name)
        else:
            raise refuse(
                key,
                name,
                before[name],
                after[name],
                f"UpdateService does not change it on a {want_ctrl} service",
                *_controller_ways(want_ctrl),
            )
    add, remove = _tags(before, after)
    return FieldsPlan(
        controller=want_ctrl,
        before=before,
        after=after,
        update=update,
        appspec=tuple(appspec),
        tags_add=tuple(add),
        tags_remove=tuple(remove),
        left_alone=left_alone(live_canon, managed, live_ctrl),
        force=force,
    )


def _sent(name: str, value: Any) -> Any:
    """How UpdateService is told the value: an emptied setting is cleared explicitly."""
    if value in (None, [], {}) and name in CLEARED:
        return CLEARED[name]
    return value


def _tags(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[list[Any], list[str]]:
    if "tags" not in after:
        return [], []
    return tag_changes(after.get("tags") or [], before.get("tags") or [])


def _create_only(
    key: str, name: str, live: Mapping[str, Any], after: Mapping[str, Any]
) -> PlanRefused:
    was, want = live.get(name), after[name]
    if name == "launchType" and was is None and live.get("capacityProviderStrategy"):
        return refuse(
            key,
            name,
            live.get("capacityProviderStrategy"),
            want,
            "the service runs on a capacity provider strategy, and ECS cannot tell which "
            "launch type removing it would go back to",
            f'write the strategy instead (for {want}: [{{"capacityProvider": "{want}", '
            '"weight": 1}])',
        )
    return refuse(key, name, was, want, "only CreateService sets it")


def _check_launch(key: str, sd: Mapping[str, Any]) -> None:
    if sd.get("launchType") and sd.get("capacityProviderStrategy"):
        raise PlanRefused(
            f"{key}: launchType and capacityProviderStrategy are both given; AWS takes one "
            "(remove one from the service definition)"
        )


def _check_ecs_only(
    key: str, before: Mapping[str, Any], after: Mapping[str, Any], controller: str
) -> None:
    """The circuit breaker, deployment alarms and the native strategies work with the ECS
    controller only (botocore: DeploymentCircuitBreaker, DeploymentConfiguration.strategy)."""
    conf = after.get("deploymentConfiguration") or {}
    used = []
    if (conf.get("deploymentCircuitBreaker") or {}).get("enable"):
        used.append("the deployment circuit breaker")
    if (conf.get("alarms") or {}).get("enable"):
        used.append("deployment alarms")
    if conf.get("strategy") not in (None, "ROLLING"):
        used.append(f"the {conf['strategy']} strategy")
    if used:
        raise refuse(
            key,
            "deploymentConfiguration",
            before.get("deploymentConfiguration"),
            conf,
            f"{' and '.join(used)} {'work' if len(used) > 1 else 'works'} with the ECS "
            f"deployment controller only, and the service's is {controller}",
            *_controller_ways(controller),
            "leave them out of the definition",
        )


def _capacity_force(key: str, was: Any, want: Any) -> str:
    """AWS applies a capacity provider change only with a new deployment."""
    if not want:
        raise refuse(
            key,
            "capacityProviderStrategy",
            was,
            want,
            "removing the strategy sends the service back to the launch type it was created "
            "with, which ECS does not report",
            "write the strategy you want instead",
        )
    return "a capacity provider change takes effect with a new deployment (AWS requires it)"


def _controller_ways(controller: str) -> tuple[str, ...]:
    if controller == CODE_DEPLOY:
        return (
            'switch the service to rolling updates first ("deploymentController": '
            '{"type": "ECS"}: AWS allows CODE_DEPLOY -> ECS in place)',
        )
    return ()


def _check_controller(key: str, live: Mapping[str, Any], frm: str, to: str) -> None:
    """AWS's conditions for switching the deployment controller in place (developer guide,
    'Deployment controller', July 2025)."""
    name = "deploymentController"
    if (frm, to) not in CONTROLLER_TRANSITIONS:
        raise refuse(key, name, frm, to, f"AWS does not switch a {frm} service to {to}")
    busy = [d for d in live.get("deployments") or () if d.get("rolloutState") == "IN_PROGRESS"]
    sets = [t for t in live.get("taskSets") or () if t.get("status") != "PRIMARY"]
    if busy or sets:
        raise refuse(
            key,
            name,
            frm,
            to,
            "a deployment is in progress",
            "wait for it (`ecsplan wait`), then plan again",
        )
    if frm != ECS:
        return
    blockers = _ecs_switch_blockers(live)
    if blockers:
        raise refuse(
            key,
            name,
            frm,
            to,
            f"the service uses {', '.join(blockers)}, which only the ECS controller supports",
            f"remove {', '.join(blockers)} first",
        )


def _ecs_switch_blockers(live: Mapping[str, Any]) -> list[str]:
    canon = canonical_service(live, controller=ECS)
    conf = canon.get("deploymentConfiguration") or {}
    out = []
    if canon.get("serviceConnectConfiguration"):
        out.append("Service Connect")
    if canon.get("vpcLatticeConfigurations"):
        out.append("VPC Lattice")
    if (conf.get("alarms") or {}).get("enable"):
        out.append("deployment alarms")
    if (conf.get("deploymentCircuitBreaker") or {}).get("enable"):
        out.append("the deployment circuit breaker")
    if conf.get("strategy") == "BLUE_GREEN":
        out.append("the BLUE_GREEN strategy")
    return out


_QUIET = {"platformVersion": "LATEST", "schedulingStrategy": "REPLICA"}


def left_alone(
    live_canon: Mapping[str, Any], managed: Sequence[str], controller: str
) -> tuple[str, ...]:
    """Live settings the definition leaves out (so the plan leaves them as they are), where
    they differ from what a new service would have: one line in the plan says so."""
    fresh = {**canonical_service({}, controller=controller), "deploymentController": {"type": ECS}}
    out = []
    for name, value in live_canon.items():
        if name in managed or name in UNOBSERVABLE or value in (None, [], EMPTY.get(name)):
            continue
        if value == fresh.get(name) or _QUIET.get(name) == value:
            continue
        out.append(name)
    return tuple(out)
