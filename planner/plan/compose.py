"""One service's plan, composed from its units. Pure: every input is data already read.

Each concern decides on its own (planner/plan/): auto scaling around the deployment
(scaling_steps), the task definition (taskdef_plan), the service's fields through the rule
table (service_fields, service_step), CodeDeploy (codedeploy_plan), declared scaling
policies and alarms (extras). This module orders their steps, adds the wait, and records
the fingerprint and summary. The rules follow ecspresso where users rely on them (register
only on a real change, create when missing or INACTIVE, desiredCount priority ``--tasks`` >
definition > unmanaged) and add what plan/apply needs: exact payloads, the live facts the
plan depends on, undo data for every write, and a refusal for what AWS would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from planner.canonical.service import (
    canonical_service,
    controller_of,
    from_describe,
    managed_fields,
    service_view,
)
from planner.canonical.service_rules import CODE_DEPLOY, EXTERNAL
from planner.plan.codedeploy_plan import (
    appspec_for,
    codedeploy_payload,
    deployment_step,
    rollback_events,
)
from planner.plan.extras import alarm_names, extras_steps
from planner.plan.fingerprint import NO_SECRETS, fingerprint_of, unmanaged_paths
from planner.plan.inputs import DesiredService, LiveService, blinded, is_missing
from planner.plan.model import (
    Action,
    Document,
    PlanOptions,
    ServicePlan,
    StepKind,
    Summary,
    changes_between,
)
from planner.plan.scaling_steps import scaling_steps
from planner.plan.secrets import Secrets
from planner.plan.service_fields import FieldsPlan, plan_fields, refuse
from planner.plan.service_step import create_step, update_step
from planner.plan.spec import Steps, StepSpec
from planner.plan.taskdef_plan import TaskDefinitionPlan, plan_task_definition


def plan_service(
    desired: DesiredService,
    live: LiveService,
    options: PlanOptions,
    secrets: Secrets = NO_SECRETS,
) -> ServicePlan:
    """Build the steps for one service. Raises EcsplanError (PlanRefused for what AWS
    cannot change in place) for impossible requests; nothing is written then."""
    live = blinded(live, secrets)
    ref = f"{desired.cluster}/{desired.service}"
    steps = Steps(desired.key)
    scaling = scaling_steps(desired.key, ref, live.scalable_target, options)
    for spec in scaling.before:
        steps.add(spec)
    td = _task_definition(desired, live, options, secrets)
    td_input = steps.add(td.register) if td.register else None
    sd = _definition(desired, live, options)
    if is_missing(live):
        managed = managed_fields(sd)
        controller = controller_of(sd)
        shown = service_view(canonical_service(sd, controller=controller), managed)
        steps.add(create_step(ref, sd, desired.cluster, desired.service, td, td_input, shown))
        service_doc, deploys, fields = Document("service", None, shown, ()), True, None
    else:
        fields = plan_fields(desired.key, sd, live.service or {})
        managed, controller = managed_fields(sd), fields.controller
        deploys = _change_service(desired, live, options, fields, td, td_input, steps)
        service_doc = _service_document(fields)
    if options.wait and deploys:
        steps.add(_wait(ref, options, controller, td, td_input))
    for spec in _extras(desired, live, options):
        steps.add(spec)
    for spec in scaling.after:
        steps.add(spec)
    warnings = (*desired.warnings, *live.warnings, *([scaling.warning] if scaling.warning else ()))
    return _service_plan(
        desired, live, options, secrets, steps, (td.document, service_doc), managed, controller,
        fields, warnings, sd,
    )  # fmt: skip


def _task_definition(
    desired: DesiredService, live: LiveService, options: PlanOptions, secrets: Secrets
) -> TaskDefinitionPlan:
    live_arn = None if is_missing(live) else (live.service or {}).get("taskDefinition")
    return plan_task_definition(
        desired.key,
        desired.task_definition,
        live.task_definition,
        live_arn,
        live.pinned_task_definition,
        options,
        ignore_tags=desired.ignore_tags,
        secrets=secrets,
    )


def _definition(desired: DesiredService, live: LiveService, options: PlanOptions) -> dict[str, Any]:
    """The service definition as planned: ``--tasks`` over desiredCount, a Service Connect
    namespace written by name said as ECS reports it."""
    sd = dict(desired.service_definition or {})
    if options.tasks is not None:
        sd["desiredCount"] = options.tasks
    return _namespace_as_live(sd, live)


def _change_service(
    desired: DesiredService,
    live: LiveService,
    options: PlanOptions,
    fields: FieldsPlan,
    td: TaskDefinitionPlan,
    td_input: str | None,
    steps: Steps,
) -> bool:
    """The update and CodeDeploy steps of an existing service; whether it deploys."""
    svc = live.service or {}
    if fields.controller == EXTERNAL and td.changes_revision:
        raise refuse(
            desired.key,
            "taskDefinition",
            td.live_arn,
            td.arn or "(a new revision)",
            "an EXTERNAL service runs task sets, which ecsplan does not manage",
            'switch it to rolling updates ("deploymentController": {"type": "ECS"})',
        )
    deploys = False
    update = update_step(
        f"{desired.cluster}/{desired.service}",
        fields,
        td,
        td_input,
        svc,
        force=options.force_new_deployment,
    )
    if update is not None:
        steps.add(update)
        deploys = set(update.payload["service"]) | set(update.inputs) != set()
    redeploy = td.changes_revision or fields.appspec or options.force_new_deployment
    if fields.controller == CODE_DEPLOY and redeploy:
        steps.add(_codedeploy(desired, live, options, fields, td, td_input))
        deploys = True
    return deploys


def _codedeploy(
    desired: DesiredService,
    live: LiveService,
    options: PlanOptions,
    fields: FieldsPlan,
    td: TaskDefinitionPlan,
    td_input: str | None,
) -> StepSpec:
    """One CodeDeploy deployment carries the revision and the AppSpec fields that changed."""
    sd = _definition(desired, live, options)
    payload = None
    if desired.codedeploy is not None:
        payload = codedeploy_payload(
            desired.key,
            desired.codedeploy,
            appspec_for(desired.key, desired.appspec, sd, td.arn),
            deployment_config=options.deployment_config,
            events=rollback_events(options.rollback_events, desired.codedeploy.auto_rollback),
        )
    before = {k: fields.before.get(k) for k in fields.appspec}
    after = {k: fields.after.get(k) for k in fields.appspec}
    spec = deployment_step(
        desired.key,
        desired.codedeploy,
        payload,
        live_td=td.live_arn,
        target_td=td.arn,
        undo_appspec=appspec_for(
            desired.key, desired.appspec, from_describe(live.service or {}), td.live_arn
        ),
        changes=changes_between(before, after),
    )
    return _with_inputs(spec, td_input)


def _with_inputs(spec: StepSpec, td_input: str | None) -> StepSpec:
    return replace(spec, inputs={"taskDefinition": td_input}) if td_input else spec


def _service_document(fields: FieldsPlan) -> Document:
    """The service diff shows exactly the fields a step changes (update, AppSpec, tags)."""
    shown = fields.shown
    if "deploymentController" in fields.update and "deploymentController" not in shown:
        shown = (*shown, "deploymentController")
    before = {k: fields.before.get(k) for k in shown}
    after = {k: fields.after.get(k) for k in shown}
    return Document("service", before, after, changes_between(before, after))


def _wait(
    ref: str, options: PlanOptions, controller: str, td: TaskDefinitionPlan, td_input: str | None
) -> StepSpec:
    return StepSpec(
        StepKind.WAIT_ROLLOUT,
        Action.READ,
        f"wait until service {ref} is {options.wait_until}",
        payload={
            "until": options.wait_until,
            "timeout_seconds": options.timeout_seconds,
            "controller": controller,
        },
        inputs={"taskDefinition": td_input} if td_input else {},
        after={"taskDefinition": td.arn} if td.arn else None,
    )


def _extras(desired: DesiredService, live: LiveService, options: PlanOptions) -> list[StepSpec]:
    return list(
        extras_steps(
            cluster=desired.cluster,
            service=desired.service,
            extras=desired.extras,
            target=live.scalable_target,
            policies=live.scaling_policies,
            alarms=live.alarms,
            capacity_from_flags=options.auto_scaling_min is not None
            or options.auto_scaling_max is not None,
        )
    )


def _service_plan(
    desired: DesiredService,
    live: LiveService,
    options: PlanOptions,
    secrets: Secrets,
    steps: Steps,
    documents: tuple[Document, Document],
    managed: tuple[str, ...],
    controller: str,
    fields: FieldsPlan | None,
    warnings: tuple[str, ...],
    sd: Mapping[str, Any],
) -> ServicePlan:
    has_changes = any(s.kind is not StepKind.WAIT_ROLLOUT for s in steps.items)
    missing = is_missing(live)
    action = Action.CREATE if missing else (Action.UPDATE if has_changes else Action.NOOP)
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
            unmanaged=unmanaged_paths(
                managed, desired.ignore_tags, auto_scaled=live.scalable_target is not None
            ),
            alarm_names=alarm_names(desired.extras),
            secrets=secrets,
        ),
        steps=tuple(steps.items),
        documents=documents,
        summary=_summary(live, documents[0].after, sd, controller),
        depends_on=desired.depends_on,
        warnings=warnings,
        left_alone=fields.left_alone if fields is not None else (),
    )


def _summary(
    live: LiveService, desired_td: Mapping[str, Any] | None, sd: Mapping[str, Any], controller: str
) -> Summary:
    live_body = (live.task_definition or {}).get("taskDefinition") if live.task_definition else None
    live_desired = (live.service or {}).get("desiredCount")
    return Summary(
        images_before=_images(live_body),
        images_after=_images(desired_td),
        cpu_memory_before=_cpu_memory(live_body),
        cpu_memory_after=_cpu_memory(desired_td),
        desired_before=live_desired,
        desired_after=sd.get("desiredCount", live_desired),
        deployment=_deployment_type(sd, controller),
    )


def _images(td: Mapping[str, Any] | None) -> tuple[str, ...]:
    if not td:
        return ()
    return tuple(str(c.get("image", "")) for c in td.get("containerDefinitions", []))


def _cpu_memory(td: Mapping[str, Any] | None) -> str | None:
    if not td or not (td.get("cpu") or td.get("memory")):
        return None
    return f"{td.get('cpu', '-')}/{td.get('memory', '-')}"


def _deployment_type(sd: Mapping[str, Any] | None, controller: str) -> str:
    if controller == CODE_DEPLOY:
        return "codedeploy"
    strategy = ((sd or {}).get("deploymentConfiguration") or {}).get("strategy")
    return str(strategy).lower() if strategy and strategy != "ROLLING" else "rolling"


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
