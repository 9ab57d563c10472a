"""Plan one or many services: load -> batched live reads -> pure planner -> Plan.

All reads for all services happen here, batched across services (describe_services by 10 per
cluster, scalable targets by 50, each task definition ARN once, and not at all when the
state's cache holds it: only its tags are read, 100 ARNs per call), so a repeat plan of 500
unchanged services costs about 0.13 calls per service.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from planner import __version__
from planner.aws.clients import AwsContext
from planner.aws.reads import LiveReader, ServiceRef, TaskDefinitionStore
from planner.canonical.service import controller_of
from planner.config.limits import desired_count_problem
from planner.config.model import ServiceConfig
from planner.errors import AwsError, EcsplanError
from planner.plan.compose import plan_service
from planner.plan.extras import alarm_names
from planner.plan.inputs import (
    CodeDeployTarget,
    DesiredService,
    LiveService,
    blinded,
    observed_of,
)
from planner.plan.model import Plan, PlanOptions, ServicePlan
from planner.plan.secrets import LazyKey, Secrets


@dataclass(frozen=True)
class ServiceEntry:
    """One service of a workspace (or of a --config list): a unique key and its config."""

    key: str
    config: ServiceConfig
    depends_on: tuple[str, ...] = ()


def region_of(cfg: ServiceConfig, aws: AwsContext) -> str:
    return aws.region or cfg.region or aws.resolved_region()


def ref_of(entry: ServiceEntry, aws: AwsContext) -> ServiceRef:
    cfg = entry.config
    return ServiceRef(region_of(cfg, aws), cfg.cluster, cfg.service)


def inputs_digest(entries: Sequence[ServiceEntry]) -> str:
    """A digest of the rendered inputs, so apply can refuse a plan made for other inputs."""
    h = hashlib.sha256()
    for e in entries:
        c = e.config
        doc = {
            "key": e.key,
            "cluster": c.cluster,
            "service": c.service,
            "region": c.region,
            "task_definition": c.task_definition,
            "service_definition": c.service_definition,
            "appspec": c.appspec,
            "codedeploy": None if c.codedeploy is None else vars(c.codedeploy),
            "depends_on": list(e.depends_on),
            "ignore_tags": list(c.ignore_tags),
            "ecsplan": c.extras,
        }
        h.update(json.dumps(doc, sort_keys=True, default=str).encode())
    return "sha256:" + h.hexdigest()


def _task_family(cfg: ServiceConfig) -> str | None:
    td = cfg.task_definition or {}
    family = td.get("family")
    return str(family) if family else None


def secrets_of(entries: Sequence[ServiceEntry], key: bytes | LazyKey) -> Secrets:
    """The run's secrets: what the configs' templates marked, the environment names that
    hold them, and the state's key for their placeholders."""
    marked = frozenset().union(*(e.config.sensitive for e in entries))
    return Secrets.of([e.config.task_definition for e in entries], marked, key)


def build_plan(
    entries: Sequence[ServiceEntry],
    aws: AwsContext,
    options: PlanOptions,
    *,
    max_workers: int = 8,
    cache: TaskDefinitionStore | None = None,
    secrets: Secrets | None = None,
) -> Plan:
    """Read everything the plan needs in batches, then plan each service (in given order).

    ``cache`` (planner.state.cache.TaskDefinitionCache of the state location) spares
    DescribeTaskDefinition for revisions read by an earlier plan; without it every revision
    in use is described."""
    for e in entries if options.tasks is not None else ():
        problem = desired_count_problem(options.tasks, e.config.extras)
        if problem:
            raise EcsplanError(f"{e.key or e.config.service}: --tasks {problem}")
    reader = LiveReader(aws, max_workers=max_workers)
    if cache is not None:
        sensitive = frozenset().union(*(e.config.sensitive for e in entries))
        cache = cache.bind([e.config.task_definition for e in entries], sensitive)
    refs = {e.key: ref_of(e, aws) for e in entries}
    live_services = reader.services(refs.values())
    scalable = reader.scalable_targets(refs.values())

    # Task definitions: the one each service runs, plus a pinned one for the flags.
    wanted: list[tuple[str, str]] = []
    pinned_ref: dict[str, str] = {}
    latest: dict[str, str | None] = {}
    for e in entries:
        ref = refs[e.key]
        svc = live_services.get(ref)
        live_arn = svc.get("taskDefinition") if svc and svc.get("status") != "INACTIVE" else None
        if live_arn:
            wanted.append((ref.region, live_arn))
        family = _task_family(e.config)
        if options.revision is not None:
            if not family:
                raise EcsplanError(f"{e.key}: --revision needs a task definition family")
            pinned_ref[e.key] = f"{family}:{options.revision}"
        elif options.latest_task_definition or (options.skip_task_definition and not live_arn):
            if not family:
                raise EcsplanError(f"{e.key}: --latest-task-definition needs a family")
            latest[e.key] = reader.latest_task_definition(ref.region, family)
            if latest[e.key]:
                pinned_ref[e.key] = str(latest[e.key])
        elif options.skip_task_definition and live_arn:
            pinned_ref[e.key] = live_arn
    for key, r in pinned_ref.items():
        wanted.append((refs[key].region, r))
    tds = reader.task_definitions(wanted, cache=cache)

    alarm_names_by_region: dict[str, list[str]] = {}
    for e in entries:
        alarm_names_by_region.setdefault(refs[e.key].region, []).extend(
            alarm_names(e.config.extras)
        )
    live_alarms: dict[str, dict[str, Any]] = {}
    for region, names in alarm_names_by_region.items():
        if names:
            live_alarms.update(reader.alarms(region, names))

    namespaces: dict[str, dict[str, set[str]]] = {}
    ns_warning: str | None = None
    for e in entries:  # one ListNamespaces per region, only when a namespace is named
        sc = (e.config.service_definition or {}).get("serviceConnectConfiguration") or {}
        ns = sc.get("namespace") if isinstance(sc, Mapping) else None
        region = refs[e.key].region
        if ns and not str(ns).startswith("arn:") and region not in namespaces:
            try:
                namespaces[region] = reader.namespace_arns(region)
            except AwsError as err:  # e.g. no servicediscovery:ListNamespaces: compare as is
                namespaces[region] = {}
                ns_warning = f"Service Connect namespaces compared by name only ({err})"

    plans = []
    for e in entries:
        ref = refs[e.key]
        svc = live_services.get(ref)
        live_arn = svc.get("taskDefinition") if svc else None
        scaling = e.config.extras.get("scaling") or {}
        policies = None
        if "policies" in scaling and scalable.get(ref) is not None:
            policies = tuple(reader.scaling_policies(ref.region, ref.resource_id))
        names = alarm_names(e.config.extras)
        live = live_service(
            namespace_arns=namespaces.get(ref.region, {}),
            scaling_policies=policies,
            alarms=tuple(live_alarms[n] for n in names if n in live_alarms) if names else None,
            service=svc,
            task_definition=tds.get(live_arn) if live_arn else None,
            scalable_target=scalable.get(ref),
            pinned_task_definition=tds.get(pinned_ref[e.key]) if e.key in pinned_ref else None,
            latest_revision=latest.get(e.key),
        )
        codedeploy, found = _discover(e, ref, reader, svc)
        if ns_warning and namespaces.get(ref.region) == {}:
            found = (*found, ns_warning)
        plans.append(
            plan_for(e, ref.region, live, codedeploy, found, options, secrets or Secrets())
        )
    return Plan(
        services=tuple(plans),
        options=options,
        tool_version=__version__,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        inputs_digest=inputs_digest(entries),
    )


def live_service(**reads: Any) -> LiveService:
    """A LiveService of JSON-shaped reads (datetimes as text, no service events): the form
    a plan records, so that planning it again from the record gives the very same plan."""
    svc = reads.get("service")
    if svc is not None:
        reads["service"] = {k: v for k, v in svc.items() if k != "events"}
    return LiveService(**{k: jsonable(v) if k != "namespace_arns" else v for k, v in reads.items()})


def jsonable(value: Any) -> Any:
    if value is None:
        return None
    data = json.loads(json.dumps(value, default=str))
    return tuple(data) if isinstance(value, tuple) else data


def plan_for(
    e: ServiceEntry,
    region: str,
    live: LiveService,
    codedeploy: CodeDeployTarget | None,
    found: Sequence[str],
    options: PlanOptions,
    secrets: Secrets,
) -> ServicePlan:
    """The pure part: a config and what was read -> the service's plan, recording the reads
    (apply runs this again on the recorded reads, planner/workspace/rederive.py)."""
    desired = desired_of(e, region, codedeploy, found)
    sp = plan_service(desired, live, options, secrets)
    return replace(sp, observed=observed_of(blinded(live, secrets), codedeploy, found))


def _discover(
    e: ServiceEntry, ref: ServiceRef, reader: LiveReader, svc: dict[str, Any] | None
) -> tuple[CodeDeployTarget | None, tuple[str, ...]]:
    """The CodeDeploy target of a CODE_DEPLOY service: from the config, else discovered."""
    cfg = e.config
    if controller_of(cfg.service_definition, svc) != "CODE_DEPLOY":
        return None, ()
    cd = cfg.codedeploy
    app = cd.application_name if cd else None
    group = cd.deployment_group_name if cd else None
    found: tuple[str, ...] = ()
    if not (app and group):
        discovered = reader.discover_codedeploy_group(ref.region, ref.cluster, ref.service)
        if discovered:
            app, group = discovered
            found = (f"CodeDeploy application {app}, group {group} (discovered)",)
    if not (app and group):
        return None, found
    target = CodeDeployTarget(
        application=app,
        group=group,
        deployment_config=cd.deployment_config_name if cd else None,
        auto_rollback=cd.auto_rollback if cd else None,
    )
    return target, found


def desired_of(
    e: ServiceEntry, region: str, codedeploy: CodeDeployTarget | None, found: Sequence[str]
) -> DesiredService:
    cfg = e.config
    return DesiredService(
        key=e.key,
        config_path=str(cfg.path),
        region=region,
        cluster=cfg.cluster,
        service=cfg.service,
        task_definition=cfg.task_definition,
        service_definition=cfg.service_definition,
        ignore_tags=cfg.ignore_tags,
        codedeploy=codedeploy,
        appspec=cfg.appspec,
        depends_on=e.depends_on,
        warnings=(*cfg.warnings, *found),
        extras=dict(cfg.extras),
    )
