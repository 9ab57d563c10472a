"""Desired + live -> ordered steps. Pure: every input is data already read.

The rules follow ecspresso where users rely on them (register only on a real change, create
when missing or INACTIVE, desiredCount priority ``--tasks`` > definition > unmanaged, never send
create-only fields to UpdateService) and add what plan/apply needs: exact payloads, the live
fingerprint, and undo data for every write.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from planner.errors import EcsplanError
from planner.model.fields import SCALABLE_DIMENSION
from planner.model.service import (
    align_unmanaged,
    canonical_service,
    controller_of,
    from_describe,
    replacement_fields,
    service_create_payload,
    service_update_payload,
    tag_changes,
    unmanaged_fields,
)
from planner.model.taskdef import canonical_task_definition, task_definition_register_payload
from planner.plan.drift import live_state
from planner.plan.extras import alarm_names, extras_steps
from planner.plan.model import (
    Action,
    Change,
    Document,
    Fingerprint,
    Observed,
    PlanOptions,
    ServicePlan,
    Step,
    StepKind,
    Summary,
    changes_between,
)
from planner.plan.secrets import Secrets

ALL_SUSPENDED = {
    "DynamicScalingInSuspended": True,
    "DynamicScalingOutSuspended": True,
    "ScheduledScalingSuspended": True,
}
NONE_SUSPENDED = {k: False for k in ALL_SUSPENDED}
APPSPEC_FIELDS = (
    "networkConfiguration",
    "platformVersion",
    "capacityProviderStrategy",
    "loadBalancers",
)
NO_SECRETS = Secrets()
ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST")


@dataclass(frozen=True)
class CodeDeployTarget:
    """Where a CODE_DEPLOY service's deployments go (from config or discovery)."""

    application: str
    group: str
    deployment_config: str | None = None
    auto_rollback: bool | None = None


@dataclass(frozen=True)
class DesiredService:
    """One service as the config describes it (templates already rendered)."""

    key: str
    config_path: str
    region: str
    cluster: str
    service: str
    task_definition: Mapping[str, Any] | None
    service_definition: Mapping[str, Any] | None
    ignore_tags: tuple[str, ...] = ()
    codedeploy: CodeDeployTarget | None = None
    appspec: Mapping[str, Any] | None = None
    depends_on: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    extras: Mapping[str, Any] = field(default_factory=dict)  # the config's `ecsplan:` section


@dataclass(frozen=True)
class LiveService:
    """What AWS says about one service; ``None`` members were not found (or not read)."""

    service: Mapping[str, Any] | None = None
    task_definition: Mapping[str, Any] | None = None  # {"taskDefinition": ..., "tags": [...]}
    scalable_target: Mapping[str, Any] | None = None
    pinned_task_definition: Mapping[str, Any] | None = None  # for --revision / --latest / skip
    latest_revision: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    scaling_policies: tuple[Mapping[str, Any], ...] | None = None  # read when declared
    alarms: tuple[Mapping[str, Any], ...] | None = None
    namespace_arns: Mapping[str, set[str]] = field(default_factory=dict)  # name -> ARNs


def observed_of(
    live: LiveService, codedeploy: CodeDeployTarget | None, warnings: Sequence[str]
) -> Observed:
    """What a plan records of its reads (see :class:`Observed`); ``live`` blinded."""
    return Observed(
        service=live.service,
        task_definition=live.task_definition,
        scalable_target=live.scalable_target,
        pinned_task_definition=live.pinned_task_definition,
        latest_revision=live.latest_revision,
        scaling_policies=live.scaling_policies,
        alarms=live.alarms,
        namespace_arns={k: tuple(sorted(v)) for k, v in sorted(live.namespace_arns.items())},
        codedeploy=None if codedeploy is None else asdict(codedeploy),
        warnings=tuple(warnings),
    )


def live_of(observed: Observed) -> LiveService:
    """The planner's live input again, from what a plan recorded."""
    return LiveService(
        service=observed.service,
        task_definition=observed.task_definition,
        scalable_target=observed.scalable_target,
        pinned_task_definition=observed.pinned_task_definition,
        latest_revision=observed.latest_revision,
        scaling_policies=observed.scaling_policies,
        alarms=observed.alarms,
        namespace_arns={k: set(v) for k, v in observed.namespace_arns.items()},
    )


def codedeploy_of(observed: Observed) -> CodeDeployTarget | None:
    cd = observed.codedeploy
    return None if cd is None else CodeDeployTarget(**cd)


def _is_missing(live: LiveService) -> bool:
    return live.service is None or live.service.get("status") == "INACTIVE"


def blinded(live: LiveService, secrets: Secrets) -> LiveService:
    """``live`` with its task definitions' secret values as placeholders (see
    planner/plan/secrets.py): what the planner compares and the plan records."""
    td, pinned = live.task_definition, live.pinned_task_definition
    return replace(
        live,
        task_definition=secrets.blind(td) if td is not None else None,
        pinned_task_definition=secrets.blind(pinned) if pinned is not None else None,
    )


def fingerprint_of(
    live: LiveService,
    *,
    controller: str = "ECS",
    unmanaged: Sequence[str] = (),
    alarm_names: Sequence[str] = (),
    secrets: Secrets = NO_SECRETS,
) -> Fingerprint:
    """The facts apply re-checks before its first write: the service's status, revision and
    deployments, and (``live``) every field the plan compared, less the ``unmanaged`` ones.

    Apply calls this with the controller, unmanaged paths, alarm names and secrets the plan
    was made with, so both sides are built by the very same rules."""
    live = blinded(live, secrets)
    svc = live.service
    status = "MISSING" if svc is None else str(svc.get("status", "ACTIVE"))
    st = live.scalable_target
    return Fingerprint(
        status=status,
        task_definition=(svc or {}).get("taskDefinition"),
        desired_count=(svc or {}).get("desiredCount"),
        deployment_ids=tuple(sorted(d["id"] for d in (svc or {}).get("deployments", []))),
        scaling_suspended=dict(st.get("SuspendedState") or NONE_SUSPENDED) if st else None,
        scaling_min_max=(int(st["MinCapacity"]), int(st["MaxCapacity"])) if st else None,
        latest_revision=live.latest_revision,
        live=live_state(
            service=svc,
            task_definition=live.task_definition,
            scalable_target=st,
            scaling_policies=live.scaling_policies,
            alarms=live.alarms,
            alarm_names=alarm_names,
            controller=controller,
            unmanaged=unmanaged,
        ),
    )


def unmanaged_paths(
    desired_service: Mapping[str, Any], ignore_tags: Sequence[str], auto_scaled: bool
) -> tuple[str, ...]:
    """Live fields the plan does not hold the config to, so their drift is not staleness:
    service fields the definition omits (desiredCount, launch type...), desiredCount when a
    scalable target owns it (auto scaling moves it at any time: refusing then would make every
    apply of a scaled service a race), and tags listed in ``ignore.tags``."""
    out = [f"service:{name}" for name in unmanaged_fields(desired_service)]
    if auto_scaled and "service:desiredCount" not in out:
        out.append("service:desiredCount")
    for key in ignore_tags:
        out += [f"service:tags.{key}", f"task definition:tags.{key}"]
    return tuple(out)


def _images(td: Mapping[str, Any] | None) -> tuple[str, ...]:
    if not td:
        return ()
    return tuple(str(c.get("image", "")) for c in td.get("containerDefinitions", []))


def _cpu_memory(td: Mapping[str, Any] | None) -> str | None:
    if not td or not (td.get("cpu") or td.get("memory")):
        return None
    return f"{td.get('cpu', '-')}/{td.get('memory', '-')}"


def _deployment_type(sd: Mapping[str, Any] | None, controller: str) -> str:
    if controller == "CODE_DEPLOY":
        return "codedeploy"
    strategy = ((sd or {}).get("deploymentConfiguration") or {}).get("strategy")
    return str(strategy).lower() if strategy and strategy != "ROLLING" else "rolling"


class _Steps:
    """Collects steps with ids unique inside the service."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.items: list[Step] = []

    def add(self, kind: StepKind, action: Action, description: str, **kw: Any) -> str:
        sid = f"{self.key}/{len(self.items) + 1:02d}-{kind.value}"
        self.items.append(Step(id=sid, kind=kind, action=action, description=description, **kw))
        return sid


def plan_service(
    desired: DesiredService,
    live: LiveService,
    options: PlanOptions,
    secrets: Secrets = NO_SECRETS,
) -> ServicePlan:
    """Build the steps for one service. Raises EcsplanError for impossible requests."""
    live = blinded(live, secrets)
    controller = controller_of(desired.service_definition, live.service)
    missing = _is_missing(live)
    warnings = list(desired.warnings) + list(live.warnings)
    steps = _Steps(desired.key)
    ref = f"{desired.cluster}/{desired.service}"

    # --- auto scaling before the deployment ------------------------------------------
    target = live.scalable_target
    wants_scaling = (
        options.suspend_auto_scaling
        or options.resume_auto_scaling
        or options.auto_scaling_min is not None
        or options.auto_scaling_max is not None
    )
    if wants_scaling and target is None:
        warnings.append(
            f"no scalable target for service/{ref} (ecs:service:DesiredCount): "
            "auto scaling options skipped"
        )
    scaling_base = {
        "ServiceNamespace": "ecs",
        "ResourceId": f"service/{ref}",
        "ScalableDimension": SCALABLE_DIMENSION,
    }
    prev_suspended = dict((target or {}).get("SuspendedState") or NONE_SUSPENDED)
    if target is not None and options.suspend_auto_scaling and prev_suspended != ALL_SUSPENDED:
        steps.add(
            StepKind.SUSPEND_AUTO_SCALING,
            Action.UPDATE,
            f"suspend auto scaling of service/{ref}",
            payload={**scaling_base, "SuspendedState": ALL_SUSPENDED},
            before=prev_suspended,
            after=ALL_SUSPENDED,
            changes=changes_between(prev_suspended, ALL_SUSPENDED),
            undo={"SuspendedState": prev_suspended},
        )
    if target is not None and (
        options.auto_scaling_min is not None or options.auto_scaling_max is not None
    ):
        before_mm = {"MinCapacity": target["MinCapacity"], "MaxCapacity": target["MaxCapacity"]}
        after_mm = {
            "MinCapacity": options.auto_scaling_min
            if options.auto_scaling_min is not None
            else target["MinCapacity"],
            "MaxCapacity": options.auto_scaling_max
            if options.auto_scaling_max is not None
            else target["MaxCapacity"],
        }
        if after_mm["MinCapacity"] > after_mm["MaxCapacity"]:
            raise EcsplanError(
                f"{desired.key}: --auto-scaling-min {after_mm['MinCapacity']} is greater than "
                f"max {after_mm['MaxCapacity']}"
            )
        if after_mm != before_mm:
            steps.add(
                StepKind.SET_SCALING_CAPACITY,
                Action.UPDATE,
                f"set capacity of service/{ref} to min {after_mm['MinCapacity']}, "
                f"max {after_mm['MaxCapacity']}",
                payload={**scaling_base, **after_mm},
                before=before_mm,
                after=after_mm,
                changes=changes_between(before_mm, after_mm),
                undo=before_mm,
            )

    # --- task definition ------------------------------------------------------------
    live_td = live.task_definition
    live_td_arn = (live.service or {}).get("taskDefinition") if not missing else None
    live_canon_td = (
        canonical_task_definition(live_td, ignore_tags=desired.ignore_tags) if live_td else None
    )
    td_input: str | None = None  # step id whose output is the task definition ARN
    target_td_arn: str | None = None
    desired_canon_td: Mapping[str, Any] | None = None

    td_changes: tuple[Change, ...] = ()
    pinned = options.skip_task_definition or options.revision is not None
    pinned = pinned or options.latest_task_definition
    if pinned:
        pt = live.pinned_task_definition
        if pt is None:
            which = (
                f"revision {options.revision} of the family was not found"
                if options.revision is not None
                else "the service does not exist and the family has no ACTIVE revision"
            )
            raise EcsplanError(f"{desired.key}: no task definition to deploy: {which}")
        target_td_arn = str(pt["taskDefinition"]["taskDefinitionArn"])
        desired_canon_td = canonical_task_definition(pt, ignore_tags=desired.ignore_tags)
    else:
        if desired.task_definition is None:
            raise EcsplanError(f"{desired.key}: the config has no task_definition")
        desired_canon_td = secrets.blind(
            canonical_task_definition(desired.task_definition, ignore_tags=desired.ignore_tags)
        )
        td_changes = changes_between(live_canon_td, desired_canon_td)
        if live_canon_td is not None and desired_canon_td == live_canon_td:
            target_td_arn = live_td_arn
        else:
            payload = task_definition_register_payload(desired.task_definition)
            td_input = steps.add(
                StepKind.REGISTER_TASK_DEFINITION,
                Action.CREATE,
                f"register a new revision of task definition family {payload.get('family')}",
                payload=payload,
                before=live_canon_td,
                after=desired_canon_td,
                changes=td_changes,
                undo={"deregister": "new revision"},
            )
    td_changed = td_input is not None or (
        target_td_arn is not None and target_td_arn != live_td_arn
    )
    if pinned:
        td_changes = changes_between(live_canon_td, desired_canon_td)
    td_doc = Document(
        name="task definition", before=live_canon_td, after=desired_canon_td, changes=td_changes
    )

    # --- service ------------------------------------------------------------------------
    sd = dict(desired.service_definition or {})
    if options.tasks is not None:
        sd["desiredCount"] = options.tasks
    sd = _namespace_as_live(sd, live)
    desired_canon_sd = canonical_service(sd, ignore_tags=desired.ignore_tags, controller=controller)
    live_canon_sd = (
        None
        if missing
        else canonical_service(
            live.service or {}, ignore_tags=desired.ignore_tags, controller=controller
        )
    )
    if live_canon_sd is not None:
        live_canon_sd = align_unmanaged(desired_canon_sd, live_canon_sd)
    sd_doc = Document(
        name="service",
        before=live_canon_sd,
        after=desired_canon_sd,
        changes=changes_between(live_canon_sd, desired_canon_sd),
    )

    deploys = False
    live_desired = (live.service or {}).get("desiredCount")
    if missing:
        create = service_create_payload(
            sd, cluster=desired.cluster, service=desired.service, task_definition=target_td_arn
        )
        steps.add(
            StepKind.CREATE_SERVICE,
            Action.CREATE,
            f"create service {ref} (desired count {create.get('desiredCount', 0)})",
            payload=create,
            inputs={"taskDefinition": td_input} if td_input else {},
            before=None,
            after=desired_canon_sd,
            changes=changes_between(None, desired_canon_sd),
            undo={"delete_service": True},
        )
        deploys = True
    else:
        assert live_canon_sd is not None
        for f in replacement_fields(desired_canon_sd, live_canon_sd):
            warnings.append(
                f"{f} differs from the live service but can only be set at creation; "
                "ecsplan leaves it (delete and re-create the service to change it)"
            )
        update = service_update_payload(desired_canon_sd, live_canon_sd, controller=controller)
        if options.force_new_deployment:
            update["forceNewDeployment"] = True
        inputs: dict[str, str] = {}
        if controller != "CODE_DEPLOY" and td_changed:
            if td_input:
                inputs["taskDefinition"] = td_input
            else:
                update["taskDefinition"] = target_td_arn
        add, remove = tag_changes(desired_canon_sd.get("tags", []), live_canon_sd.get("tags", []))
        if update or inputs or add or remove:
            svc = live.service or {}
            touched = set(update) | set(inputs)
            # Undo exactly what this step changes, with the live values in input form
            # (Service Connect and friends live on the PRIMARY deployment in a describe).
            lifted = from_describe(svc)
            undo_fields: dict[str, Any] = {
                k: _live_api_value(lifted, k) for k in touched - {"forceNewDeployment"}
            }
            if "taskDefinition" in touched:
                undo_fields["taskDefinition"] = live_td_arn
            live_tags = {t["key"]: t for t in live_canon_sd.get("tags", [])}
            undo_fields["tags"] = {
                "add": [live_tags[t["key"]] for t in add if t["key"] in live_tags]
                + [live_tags[k] for k in remove if k in live_tags],
                "remove": [t["key"] for t in add if t["key"] not in live_tags],
            }
            destructive = update.get("desiredCount") == 0 and (live_desired or 0) > 0
            for k in ("loadBalancers", "serviceRegistries"):
                destructive = destructive or (update.get(k) == [] and bool(svc.get(k)))
            sc = update.get("serviceConnectConfiguration")
            destructive = destructive or (isinstance(sc, Mapping) and sc.get("enabled") is False)
            steps.add(
                StepKind.UPDATE_SERVICE,
                Action.UPDATE,
                f"update service {ref}: "
                + ", ".join(sorted(touched | ({"tags"} if add or remove else set()))),
                payload={"service": update, "tags": {"add": add, "remove": remove}}
                | {"cluster": desired.cluster, "serviceName": desired.service},
                inputs=inputs,
                before=live_canon_sd,
                after=desired_canon_sd,
                changes=sd_doc.changes,
                destructive=destructive,
                undo=undo_fields,
            )
            deploys = bool(touched - {"tags"})

    # CodeDeploy carries network, platform version, capacity providers and the load balancer
    # in the AppSpec: a change there needs a deployment even with the same task definition.
    appspec_changed = (
        controller == "CODE_DEPLOY"
        and live_canon_sd is not None
        and any(desired_canon_sd.get(f) != live_canon_sd.get(f) for f in APPSPEC_FIELDS)
    )
    if controller == "CODE_DEPLOY" and not missing and (td_changed or appspec_changed):
        if desired.codedeploy is None:
            raise EcsplanError(
                f"{desired.key}: CODE_DEPLOY service but no CodeDeploy application/deployment "
                "group (set `codedeploy:` in the config)"
            )
        steps.add(
            StepKind.CREATE_CODEDEPLOY_DEPLOYMENT,
            Action.UPDATE,
            f"create CodeDeploy deployment in {desired.codedeploy.application}/"
            f"{desired.codedeploy.group}",
            payload=codedeploy_payload(desired, sd, target_td_arn, options),
            inputs={"taskDefinition": td_input} if td_input else {},
            before={"taskDefinition": live_td_arn},
            after={"taskDefinition": target_td_arn or "(known after register)"},
            # what runs now, to deploy back: the network, platform and load balancer too
            undo={
                "taskDefinition": live_td_arn,
                "appspec": appspec_for(desired, from_describe(live.service or {}), live_td_arn),
            },
        )
        deploys = True

    if options.wait and deploys:
        steps.add(
            StepKind.WAIT_ROLLOUT,
            Action.READ,
            f"wait until service {ref} is {options.wait_until}",
            payload={
                "until": options.wait_until,
                "timeout_seconds": options.timeout_seconds,
                "controller": controller,
            },
            inputs={"taskDefinition": td_input} if td_input else {},
            after={"taskDefinition": target_td_arn} if target_td_arn else None,
        )

    for spec in extras_steps(
        cluster=desired.cluster,
        service=desired.service,
        extras=desired.extras,
        target=target,
        policies=live.scaling_policies,
        alarms=live.alarms,
        capacity_from_flags=options.auto_scaling_min is not None
        or options.auto_scaling_max is not None,
    ):
        steps.add(
            spec.kind,
            spec.action,
            spec.description,
            payload=spec.payload,
            before=spec.before,
            after=spec.after,
            changes=spec.changes,
            destructive=spec.destructive,
            undo=spec.undo,
        )

    if target is not None and options.resume_auto_scaling:
        will_be = ALL_SUSPENDED if options.suspend_auto_scaling else prev_suspended
        if will_be != NONE_SUSPENDED:
            steps.add(
                StepKind.RESUME_AUTO_SCALING,
                Action.UPDATE,
                f"resume auto scaling of service/{ref}",
                payload={**scaling_base, "SuspendedState": NONE_SUSPENDED},
                before=will_be,
                after=NONE_SUSPENDED,
                changes=changes_between(will_be, NONE_SUSPENDED),
                undo={"SuspendedState": prev_suspended},
            )

    has_changes = any(s.kind is not StepKind.WAIT_ROLLOUT for s in steps.items)
    action = Action.CREATE if missing else (Action.UPDATE if has_changes else Action.NOOP)
    live_td_body = (live_td or {}).get("taskDefinition") if live_td else None
    return ServicePlan(
        key=desired.key,
        config_path=desired.config_path,
        region=desired.region,
        cluster=desired.cluster,
        service=desired.service,
        controller=controller,
        action=action,
        fingerprint=fingerprint_of(
            live,
            controller=controller,
            unmanaged=unmanaged_paths(
                desired_canon_sd, desired.ignore_tags, auto_scaled=target is not None
            ),
            alarm_names=alarm_names(desired.extras),
            secrets=secrets,
        ),
        steps=tuple(steps.items),
        documents=(td_doc, sd_doc),
        summary=Summary(
            images_before=_images(live_td_body),
            images_after=_images(desired_canon_td),
            cpu_memory_before=_cpu_memory(live_td_body),
            cpu_memory_after=_cpu_memory(desired_canon_td),
            desired_before=live_desired,
            desired_after=desired_canon_sd.get("desiredCount", live_desired),
            deployment=_deployment_type(sd, controller),
        ),
        depends_on=desired.depends_on,
        warnings=tuple(warnings),
    )


def _namespace_as_live(sd: dict[str, Any], live: LiveService) -> dict[str, Any]:
    """A Service Connect namespace written by name, where ECS reports the namespace ARN,
    is the same namespace: say it the way ECS does, so it is no diff (ecspresso #759)."""
    sc = sd.get("serviceConnectConfiguration")
    name = (sc or {}).get("namespace") if isinstance(sc, Mapping) else None
    if not name or str(name).startswith("arn:"):
        return sd
    live_sc = from_describe(live.service or {}).get("serviceConnectConfiguration") or {}
    live_arn = str(live_sc.get("namespace", ""))
    if live_arn not in live.namespace_arns.get(str(name), set()):
        return sd  # a different namespace (or none): a real change
    return {**sd, "serviceConnectConfiguration": {**sc, "namespace": live_arn}}


def _live_api_value(svc: Mapping[str, Any], key: str) -> Any:
    """The live value to send back to undo a change of ``key`` (empty when unset)."""
    if key in svc:
        return svc[key]
    if key in ("loadBalancers", "serviceRegistries", "capacityProviderStrategy"):
        return []
    if key in ("placementConstraints", "placementStrategy"):
        return []
    if key == "serviceConnectConfiguration":
        return {"enabled": False}
    return None


def appspec_for(
    desired: DesiredService, sd: Mapping[str, Any], task_definition: str | None
) -> dict[str, Any]:
    """The AppSpec ecspresso sends: TargetService from the service definition + config hooks."""
    lbs: Sequence[Mapping[str, Any]] = sd.get("loadBalancers") or []
    if not lbs:
        raise EcsplanError(f"{desired.key}: CODE_DEPLOY service needs loadBalancers[0]")
    props: dict[str, Any] = {
        "TaskDefinition": task_definition or "<TASK_DEFINITION>",
        "LoadBalancerInfo": {
            "ContainerName": lbs[0].get("containerName"),
            "ContainerPort": lbs[0].get("containerPort"),
        },
    }
    if sd.get("platformVersion"):
        props["PlatformVersion"] = sd["platformVersion"]
    awsvpc = (sd.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if awsvpc:
        net: dict[str, Any] = {"Subnets": list(awsvpc.get("subnets", []))}
        if awsvpc.get("securityGroups"):
            net["SecurityGroups"] = list(awsvpc["securityGroups"])
        if awsvpc.get("assignPublicIp"):
            net["AssignPublicIp"] = awsvpc["assignPublicIp"]
        props["NetworkConfiguration"] = {"AwsvpcConfiguration": net}
    if sd.get("capacityProviderStrategy"):
        props["CapacityProviderStrategy"] = [
            {
                "CapacityProvider": c.get("capacityProvider"),
                "Base": c.get("base", 0),
                "Weight": c.get("weight", 0),
            }
            for c in sd["capacityProviderStrategy"]
        ]
    spec: dict[str, Any] = {
        "version": 0.0,
        "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": props}}],
    }
    hooks = (desired.appspec or {}).get("Hooks")
    if hooks:
        spec["Hooks"] = list(hooks)
    return spec


def codedeploy_payload(
    desired: DesiredService,
    sd: Mapping[str, Any],
    task_definition: str | None,
    options: PlanOptions,
) -> dict[str, Any]:
    """CreateDeployment kwargs, with the AppSpec as data (serialized when applied)."""
    cd = desired.codedeploy
    assert cd is not None
    payload: dict[str, Any] = {
        "applicationName": cd.application,
        "deploymentGroupName": cd.group,
        "appspec": appspec_for(desired, sd, task_definition),
    }
    config_name = options.deployment_config or cd.deployment_config
    if config_name:
        payload["deploymentConfigName"] = config_name
    events = list(options.rollback_events)
    if not events and cd.auto_rollback:
        events = ["DEPLOYMENT_FAILURE"]
    bad = [e for e in events if e not in ROLLBACK_EVENTS]
    if bad:
        raise EcsplanError(
            f"--rollback-events: unknown event {bad[0]!r} (one of {', '.join(ROLLBACK_EVENTS)})"
        )
    if events:
        payload["autoRollbackConfiguration"] = {"enabled": True, "events": events}
    elif cd.auto_rollback is False:
        payload["autoRollbackConfiguration"] = {"enabled": False}
    return payload


def appspec_text(payload: Mapping[str, Any]) -> str:
    """The AppSpec as CodeDeploy receives it (JSON content string)."""
    return json.dumps(payload["appspec"], sort_keys=False)
