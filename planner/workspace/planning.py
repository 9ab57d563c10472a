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
from dataclasses import replace
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
from planner.plan.model import Identity, Plan, PlanOptions, ServicePlan
from planner.plan.secrets import LazyKey, Secrets
from planner.workspace.entry import ServiceEntry, ref_of, region_of
from planner.workspace.identity import identities_of

__all__ = ["ServiceEntry", "build_plan", "inputs_digest", "plan_for", "ref_of", "region_of"]


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
        if e.placement.named:  # the workspace entry's region, profile, role (issue 21)
            doc["placement"] = vars(e.placement)
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
    identities: Mapping[str, Identity] | None = None,
) -> Plan:
    """Read everything the plan needs in batches, then plan each service (in given order).

    ``cache`` (planner.state.cache.TaskDefinitionCache of the state location) spares
    DescribeTaskDefinition for revisions read by an earlier plan; without it every revision
    in use is described. Services are read as their own identities, batched per identity;
    ``identities``: each service's account, when already looked up (else looked up here)."""
    for e in entries if options.tasks is not None else ():
        problem = desired_count_problem(options.tasks, e.config.extras)
        if problem:
            raise EcsplanError(f"{e.key or e.config.service}: --tasks {problem}")
    if cache is not None:
        sensitive = frozenset().union(*(e.config.sensitive for e in entries))
        cache = cache.bind([e.config.task_definition for e in entries], sensitive)
    refs = {e.key: ref_of(e, aws) for e in entries}
    if identities is None:
        identities = identities_of(entries, refs, aws)
    reader = LiveReader(aws, max_workers=max_workers)
    reads: dict[str, _Reads] = {}
    for principal in dict.fromkeys(r.principal for r in refs.values()):
        group = [e for e in entries if refs[e.key].principal == principal]
        per_identity = _Reads(group, refs, reader.for_principal(principal), options)
        per_identity.read(cache)
        reads.update((e.key, per_identity) for e in group)
    plans = []
    for e in entries:
        live, codedeploy, found = reads[e.key].for_entry(e)
        sp = plan_for(e, refs[e.key].region, live, codedeploy, found, options, secrets or Secrets())
        plans.append(replace(sp, identity=identities.get(e.key)))
    return Plan(
        services=tuple(plans),
        options=options,
        tool_version=__version__,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        inputs_digest=inputs_digest(entries),
    )


class _Reads:
    """Everything a plan reads, batched across the services: services by 10 per cluster,
    scalable targets by 50, each task definition once, alarms by name, namespaces once per
    region (only when a namespace is written by name)."""

    def __init__(
        self,
        entries: Sequence[ServiceEntry],
        refs: Mapping[str, ServiceRef],
        reader: LiveReader,
        options: PlanOptions,
    ) -> None:
        self.entries, self.reader, self.options = entries, reader, options
        self.refs = {e.key: refs[e.key] for e in entries}
        self.pinned: dict[str, str] = {}
        self.latest: dict[str, str | None] = {}
        self.namespaces: dict[str, dict[str, set[str]]] = {}
        self.ns_warning: str | None = None

    def read(self, cache: TaskDefinitionStore | None) -> None:
        self.services = self.reader.services(self.refs.values())
        self.targets = self.reader.scalable_targets(self.refs.values())
        wanted = [(self.refs[e.key].region, arn) for e in self.entries if (arn := self._running(e))]
        for e in self.entries:
            self._pin(e)
        wanted += [(self.refs[key].region, ref) for key, ref in self.pinned.items()]
        self.tds = self.reader.task_definitions(wanted, cache=cache)
        self.alarms = self._alarms()
        for e in self.entries:
            self._namespace(e)

    def _running(self, e: ServiceEntry) -> str | None:
        svc = self.services.get(self.refs[e.key])
        return svc.get("taskDefinition") if svc and svc.get("status") != "INACTIVE" else None

    def _pin(self, e: ServiceEntry) -> None:
        """The revision --revision, --latest-task-definition or --skip-task-definition pins."""
        opts, live_arn, family = self.options, self._running(e), _task_family(e.config)
        if opts.revision is not None:
            if not family:
                raise EcsplanError(f"{e.key}: --revision needs a task definition family")
            self.pinned[e.key] = f"{family}:{opts.revision}"
        elif opts.latest_task_definition or (opts.skip_task_definition and not live_arn):
            if not family:
                raise EcsplanError(f"{e.key}: --latest-task-definition needs a family")
            latest = self.reader.latest_task_definition(self.refs[e.key].region, family)
            self.latest[e.key] = latest
            if latest:
                self.pinned[e.key] = str(latest)
        elif opts.skip_task_definition and live_arn:
            self.pinned[e.key] = live_arn

    def _alarms(self) -> dict[str, dict[str, Any]]:
        by_region: dict[str, list[str]] = {}
        for e in self.entries:
            by_region.setdefault(self.refs[e.key].region, []).extend(alarm_names(e.config.extras))
        out: dict[str, dict[str, Any]] = {}
        for region, names in by_region.items():
            if names:
                out.update(self.reader.alarms(region, names))
        return out

    def _namespace(self, e: ServiceEntry) -> None:
        sc = (e.config.service_definition or {}).get("serviceConnectConfiguration") or {}
        ns = sc.get("namespace") if isinstance(sc, Mapping) else None
        region = self.refs[e.key].region
        if ns and not str(ns).startswith("arn:") and region not in self.namespaces:
            try:
                self.namespaces[region] = self.reader.namespace_arns(region)
            except AwsError as err:  # e.g. no servicediscovery:ListNamespaces: compare as is
                self.namespaces[region] = {}
                self.ns_warning = f"Service Connect namespaces compared by name only ({err})"

    def for_entry(
        self, e: ServiceEntry
    ) -> tuple[LiveService, CodeDeployTarget | None, tuple[str, ...]]:
        """What was read of one service, as the planner takes it."""
        ref = self.refs[e.key]
        svc = self.services.get(ref)
        live_arn = svc.get("taskDefinition") if svc else None
        policies = None
        if "policies" in (e.config.extras.get("scaling") or {}) and self.targets.get(ref):
            policies = tuple(self.reader.scaling_policies(ref.region, ref.resource_id))
        names = alarm_names(e.config.extras)
        live = live_service(
            namespace_arns=self.namespaces.get(ref.region, {}),
            scaling_policies=policies,
            alarms=tuple(self.alarms[n] for n in names if n in self.alarms) if names else None,
            service=svc,
            task_definition=self.tds.get(live_arn) if live_arn else None,
            scalable_target=self.targets.get(ref),
            pinned_task_definition=self.tds.get(self.pinned[e.key])
            if e.key in self.pinned
            else None,
            latest_revision=self.latest.get(e.key),
        )
        codedeploy, found = _discover(e, ref, self.reader, svc)
        if self.ns_warning and self.namespaces.get(ref.region) == {}:
            found = (*found, self.ns_warning)
        return live, codedeploy, found


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
