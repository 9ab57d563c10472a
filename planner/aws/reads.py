"""Batched, de-duplicated reads of live state for planning.

Plans of hundreds of services must stay near one API call per service: services are described
10 at a time per cluster, scalable targets 50 at a time, and each task definition ARN is read
once however many services run it. Reads run on a small thread pool.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from planner.aws.clients import AwsContext
from planner.aws.errors import aws_call, error_code
from planner.canonical.fields import SCALABLE_DIMENSION
from planner.errors import AwsError
from planner.plan.model import Principal

SERVICES_BATCH = 10
SCALABLE_TARGETS_BATCH = 50
TAG_ARNS_BATCH = 100  # tag:GetResources ResourceARNList maximum
LIST_SERVICES_PAGE = 100  # ecs:ListServices maxResults maximum (its default is 10)
_CONFIG_CLUSTER_HINT = "; create it first (or fix `cluster` in the config)"


class TaskDefinitionStore(Protocol):
    """Where task definition content is kept between plans (planner/state/cache.py)."""

    def get(self, arn: str) -> Mapping[str, Any] | None: ...

    def put(self, arn: str, body: Mapping[str, Any]) -> None: ...

    def bind(self, desired: Iterable[Any], sensitive: Iterable[str] = ()) -> TaskDefinitionStore:
        """The store for one run: hidden secret values are filled from its desired values."""
        ...


@dataclass(frozen=True)
class ServiceRef:
    """Where a service lives; the key of every per-service read. ``principal``: the
    profile/role its workspace entry or config names (None: the invocation's identity), so
    two accounts' services of the same name are two refs, each read with its own identity."""

    region: str
    cluster: str
    service: str
    principal: Principal | None = None

    @property
    def resource_id(self) -> str:
        """The Application Auto Scaling resource id of the service."""
        return f"service/{self.cluster}/{self.service}"


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class LiveReader:
    """Reads live ECS / Application Auto Scaling / CodeDeploy state for many services."""

    def __init__(self, aws: AwsContext, max_workers: int = 8) -> None:
        self.aws = aws
        self.max_workers = max_workers

    def for_principal(self, principal: Principal | None) -> LiveReader:
        """The reader whose per-region reads act as ``principal`` (services and scalable
        targets are always read as their refs' own principal)."""
        return LiveReader(self.aws.scoped(principal), self.max_workers)

    def _map(self, fn: Any, items: Sequence[Any]) -> list[Any]:
        if len(items) <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(items))) as pool:
            return list(pool.map(fn, items))

    # --- ECS services -------------------------------------------------------------------
    def services(
        self, refs: Iterable[ServiceRef], *, cluster_hint: str = _CONFIG_CLUSTER_HINT
    ) -> dict[ServiceRef, dict[str, Any] | None]:
        """describe_services in batches of 10 per (identity, region, cluster); missing
        services -> None. ``cluster_hint`` ends the error for a missing cluster (the way out
        for the caller)."""
        by_cluster: dict[tuple[Principal | None, str, str], list[ServiceRef]] = defaultdict(list)
        for r in dict.fromkeys(refs):
            by_cluster[(r.principal, r.region, r.cluster)].append(r)
        batches = [
            (region, cluster, batch)
            for (_, region, cluster), rs in by_cluster.items()
            for batch in chunks(rs, SERVICES_BATCH)
        ]
        out: dict[ServiceRef, dict[str, Any] | None] = {}
        for part in self._map(lambda b: self._describe_batch(b, cluster_hint), batches):
            out.update(part)
        return out

    def _describe_batch(
        self, job: tuple[str, str, Sequence[ServiceRef]], cluster_hint: str
    ) -> dict[ServiceRef, dict[str, Any] | None]:
        region, cluster, refs = job
        ecs = self.aws.scoped(refs[0].principal).client("ecs", region)
        try:
            with aws_call(f"ecs:DescribeServices on cluster {cluster}"):
                resp = ecs.describe_services(
                    cluster=cluster, services=[r.service for r in refs], include=["TAGS"]
                )
        except AwsError as e:
            _raise_cluster_not_found(e, cluster, region, cluster_hint)
            raise
        found = {s["serviceName"]: s for s in resp.get("services", [])}
        return {r: found.get(r.service) for r in refs}

    def service_names(self, region: str, cluster: str, *, cluster_hint: str = "") -> list[str]:
        """Names of the cluster's services as ListServices lists them (ACTIVE and DRAINING,
        never deleted ones), every page at the largest size: 100 services a call."""
        ecs = self.aws.client("ecs", region)
        names: list[str] = []
        try:
            with aws_call(f"ecs:ListServices on cluster {cluster}"):
                pages = ecs.get_paginator("list_services").paginate(
                    cluster=cluster, PaginationConfig={"PageSize": LIST_SERVICES_PAGE}
                )
                for page in pages:
                    names += [arn.rsplit("/", 1)[-1] for arn in page.get("serviceArns", [])]
        except AwsError as e:
            _raise_cluster_not_found(e, cluster, region, cluster_hint)
            raise
        return names

    # --- task definitions ---------------------------------------------------------------
    def task_definitions(
        self, refs: Iterable[tuple[str, str]], cache: TaskDefinitionStore | None = None
    ) -> dict[str, dict[str, Any]]:
        """{"taskDefinition": body, "tags": [...]} once per (region, ARN or family:rev).

        With ``cache``, a full revision ARN it holds is not described again: its content
        comes from the cache and only its tags from AWS, read for up to 100 ARNs per
        tag:GetResources call. Tags are never taken from the cache because, unlike the
        content, they can change on a registered revision, and a cached copy would hide a
        real tag diff. Revisions read from AWS are added to the cache."""
        unique = list(dict.fromkeys(refs))
        out: dict[str, dict[str, Any]] = {}
        misses = unique
        if cache is not None:
            hits = self._map(lambda job: cache.get(job[1]), unique)
            cached = {job: body for job, body in zip(unique, hits, strict=True) if body}
            misses = [job for job in unique if job not in cached]
            by_region: dict[str, list[str]] = defaultdict(list)
            for region, ref in cached:
                by_region[region].append(ref)
            for region, arns in by_region.items():
                tags = self.task_definition_tags(region, arns)
                if tags is None:  # no tag:GetResources: describe them after all
                    misses += [(region, a) for a in arns]
                    continue
                for arn in arns:
                    out[arn] = {"taskDefinition": cached[(region, arn)], "tags": tags[arn]}
        results = self._map(self._describe_task_definition, misses)
        for (_, ref), res in zip(misses, results, strict=True):
            out[ref] = res
        if cache is not None and results:
            bodies = [r["taskDefinition"] for r in results]
            self._map(lambda b: cache.put(str(b.get("taskDefinitionArn", "")), b), bodies)
        return out

    def _describe_task_definition(self, job: tuple[str, str]) -> dict[str, Any]:
        region, ref = job
        ecs = self.aws.client("ecs", region)
        with aws_call(f"ecs:DescribeTaskDefinition {ref}"):
            resp = ecs.describe_task_definition(taskDefinition=ref, include=["TAGS"])
        return {"taskDefinition": resp["taskDefinition"], "tags": resp.get("tags", [])}

    def task_definition_tags(
        self, region: str, arns: Sequence[str]
    ) -> dict[str, list[dict[str, str]]] | None:
        """Current tags of task definition revisions, 100 ARNs per tag:GetResources call (an
        ARN the answer leaves out has no tags). None, with a warning, when the Tagging API
        cannot be used (e.g. no tag:GetResources permission): the caller describes instead.

        The Resource Groups Tagging API is eventually consistent: a tag changed seconds
        before a plan may not show yet (DescribeTaskDefinition would show it)."""
        client = self.aws.client("resourcegroupstaggingapi", region)
        out: dict[str, list[dict[str, str]]] = {a: [] for a in arns}
        try:
            for batch in chunks(list(dict.fromkeys(arns)), TAG_ARNS_BATCH):
                with aws_call("tag:GetResources (task definition tags)"):
                    pages = client.get_paginator("get_resources").paginate(
                        ResourceARNList=list(batch)
                    )
                    for page in pages:
                        for item in page.get("ResourceTagMappingList", []):
                            arn = item.get("ResourceARN")
                            if arn in out:
                                out[arn] = [
                                    {"key": t["Key"], "value": t.get("Value", "")}
                                    for t in item.get("Tags", [])
                                ]
        except AwsError as e:
            warnings.warn(
                f"task definition tags not readable in bulk ({e}); "
                "describing each cached task definition instead",
                stacklevel=2,
            )
            return None
        return out

    def latest_task_definition(self, region: str, family: str) -> str | None:
        """ARN of the newest ACTIVE revision of exactly this family (prefix matches filtered)."""
        ecs = self.aws.client("ecs", region)
        token: str | None = None
        with aws_call(f"ecs:ListTaskDefinitions family {family}"):
            while True:
                kw: dict[str, Any] = {
                    "familyPrefix": family,
                    "status": "ACTIVE",
                    "sort": "DESC",
                }
                if token:
                    kw["nextToken"] = token
                resp = ecs.list_task_definitions(**kw)
                for arn in resp.get("taskDefinitionArns", []):
                    if arn.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family:
                        return str(arn)
                token = resp.get("nextToken")
                if not token:
                    return None

    # --- Application Auto Scaling -------------------------------------------------------
    def scalable_targets(self, refs: Iterable[ServiceRef]) -> dict[ServiceRef, dict[str, Any]]:
        """describe_scalable_targets in batches of 50 resource ids per (identity, region)."""
        by_region: dict[tuple[Principal | None, str], list[ServiceRef]] = defaultdict(list)
        for r in dict.fromkeys(refs):
            by_region[(r.principal, r.region)].append(r)
        jobs = [(region, b) for (_, region), rs in by_region.items() for b in chunks(rs, 50)]
        out: dict[ServiceRef, dict[str, Any]] = {}
        for part in self._map(self._scalable_batch, jobs):
            out.update(part)
        return out

    def _scalable_batch(
        self, job: tuple[str, Sequence[ServiceRef]]
    ) -> dict[ServiceRef, dict[str, Any]]:
        region, refs = job
        aas = self.aws.scoped(refs[0].principal).client("application-autoscaling", region)
        by_id = {r.resource_id: r for r in refs}
        out: dict[ServiceRef, dict[str, Any]] = {}
        with aws_call("application-autoscaling:DescribeScalableTargets"):
            resp = aas.describe_scalable_targets(
                ServiceNamespace="ecs",
                ResourceIds=list(by_id),
                ScalableDimension=SCALABLE_DIMENSION,
            )
        for t in resp.get("ScalableTargets", []):
            ref = by_id.get(t["ResourceId"])
            if ref is not None:
                out[ref] = t
        return out

    def scaling_policies(self, region: str, resource_id: str) -> list[dict[str, Any]]:
        """Policies of one scalable target (read only when `ecsplan.scaling.policies` is set)."""
        aas = self.aws.client("application-autoscaling", region)
        with aws_call(f"application-autoscaling:DescribeScalingPolicies {resource_id}"):
            pages = aas.get_paginator("describe_scaling_policies").paginate(
                ServiceNamespace="ecs", ResourceId=resource_id, ScalableDimension=SCALABLE_DIMENSION
            )
            return [p for page in pages for p in page.get("ScalingPolicies", [])]

    def alarms(self, region: str, names: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Metric alarms by name, 100 names per DescribeAlarms call."""
        cw = self.aws.client("cloudwatch", region)
        out: dict[str, dict[str, Any]] = {}
        for batch in chunks(list(dict.fromkeys(names)), 100):
            with aws_call("cloudwatch:DescribeAlarms"):
                resp = cw.describe_alarms(AlarmNames=list(batch), AlarmTypes=["MetricAlarm"])
            for a in resp.get("MetricAlarms", []):
                out[a["AlarmName"]] = a
        return out

    def namespace_arns(self, region: str) -> dict[str, set[str]]:
        """Cloud Map namespace name -> its ARNs (names may repeat across VPCs), to compare a
        Service Connect namespace written by name with the ARN ECS reports (ecspresso #759).
        One paginated read per region."""
        sd = self.aws.client("servicediscovery", region)
        out: dict[str, set[str]] = {}
        with aws_call("servicediscovery:ListNamespaces"):
            for page in sd.get_paginator("list_namespaces").paginate():
                for ns in page.get("Namespaces", []):
                    out.setdefault(str(ns["Name"]), set()).add(str(ns["Arn"]))
        return out

    # --- CodeDeploy ---------------------------------------------------------------------
    def codedeploy_group(self, region: str, application: str, group: str) -> dict[str, Any] | None:
        cd = self.aws.client("codedeploy", region)
        try:
            with aws_call(f"codedeploy:GetDeploymentGroup {application}/{group}"):
                resp = cd.get_deployment_group(
                    applicationName=application, deploymentGroupName=group
                )
        except AwsError as e:
            cause = e.__cause__
            if cause is not None and error_code(cause) in (
                "DeploymentGroupDoesNotExistException",
                "ApplicationDoesNotExistException",
            ):
                return None
            raise
        return dict(resp["deploymentGroupInfo"])

    def discover_codedeploy_group(
        self, region: str, cluster: str, service: str
    ) -> tuple[str, str] | None:
        """Find (application, group) whose ECS service is this one, as ecspresso does.
        Applications and groups are read until it is found; groups 100 at a time."""
        for app, info in self._deployment_groups(region):
            for es in info.get("ecsServices", []) or []:
                if es.get("serviceName") == service and es.get("clusterName") == cluster:
                    return app, str(info["deploymentGroupName"])
        return None

    def codedeploy_groups(self, region: str) -> dict[tuple[str, str], tuple[str, str]]:
        """(cluster name, service) -> (application, group) for every ECS deployment group of
        the region: one walk of CodeDeploy for many services instead of one per service."""
        out: dict[tuple[str, str], tuple[str, str]] = {}
        for app, info in self._deployment_groups(region):
            for es in info.get("ecsServices", []) or []:
                key = (str(es.get("clusterName")), str(es.get("serviceName")))
                out.setdefault(key, (app, str(info["deploymentGroupName"])))
        return out

    def _deployment_groups(self, region: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(application, group info) of every application, every page, lazily (a caller
        that finds what it looks for stops the reads there)."""
        cd = self.aws.client("codedeploy", region)
        with aws_call("codedeploy:ListApplications"):
            apps = [
                a
                for page in cd.get_paginator("list_applications").paginate()
                for a in page.get("applications", [])
            ]
        for app in apps:
            with aws_call(f"codedeploy:ListDeploymentGroups {app}"):
                groups = [
                    g
                    for page in cd.get_paginator("list_deployment_groups").paginate(
                        applicationName=app
                    )
                    for g in page.get("deploymentGroups", [])
                ]
            for batch in chunks(groups, 100):
                with aws_call(f"codedeploy:BatchGetDeploymentGroups {app}"):
                    infos = cd.batch_get_deployment_groups(
                        applicationName=app, deploymentGroupNames=list(batch)
                    ).get("deploymentGroupsInfo", [])
                for info in infos:
                    yield app, info


def _raise_cluster_not_found(e: AwsError, cluster: str, region: str, hint: str = "") -> None:
    """ECS's ClusterNotFoundException as one line naming the cluster and region."""
    cause = e.__cause__
    if cause is not None and "ClusterNotFound" in (error_code(cause) or str(cause)):
        raise AwsError(f"cluster {cluster!r} not found in {region}{hint}") from cause
