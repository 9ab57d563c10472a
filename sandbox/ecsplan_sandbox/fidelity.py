"""Fixes over moto where ecsplan depends on real ECS / CodeDeploy behaviour.

Installed once per process by `install()`, by replacing methods on moto's response and backend
classes (the boundary where moto parses parameters and where it keeps state):

- CreateCluster, RegisterTaskDefinition, CreateService and UpdateService refuse what ECS
  refuses (invalid names, integers beyond their wire type, an empty or malformed image, a
  desired count above the tasks-per-service quota, negative grace periods and percentages),
  with AWS's exception types and messages (sandbox/ecsplan_sandbox/refusals.py).

- create_service keeps every field it is given and fills ECS's defaults; a second
  create_service of an ACTIVE service fails ("Creation of service was not idempotent."),
  unless it carries the clientToken that created it (then it answers with that service).
- update_service validates everything before it changes anything, refuses what ECS refuses
  for the service's deployment controller, scheduling strategy and capacity provider strategy,
  switches deployment controllers as ECS does (sandbox/ecsplan_sandbox/service_rules.py), and starts a
  new deployment as ECS does.
- deploymentConfiguration.strategy (ROLLING, BLUE_GREEN, LINEAR, CANARY), bake times,
  linear/canary settings and lifecycle hooks, and loadBalancers[].advancedConfiguration are
  kept on create/update/describe (moto passes them through; ranges are validated here).
- describe_task_definition by family returns the latest ACTIVE revision.
- list_services / list_tasks / list_task_definitions / list_clusters paginate with
  maxResults/nextToken (ECS default page sizes: 10 services, 100 of the others);
  list_services leaves deleted (INACTIVE) services out, as ECS does;
  list_tasks honours serviceName and defaults to desiredStatus RUNNING.
- Subnets and security groups that do not exist are accepted with a log line.
- ECS service deployments: list_service_deployments, describe_service_deployments and
  continue_service_deployment (sandbox/ecsplan_sandbox/service_deployments.py).
- CodeDeploy: stop_deployment, continue_deployment, list/get/batch_get deployment targets and
  batch_get_deployment_groups are implemented; create_deployment refuses a second active
  deployment of a group; get_deployment reports errorInformation, rollbackInfo and
  deploymentOverview.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from botocore import xform_name
from moto.codedeploy import responses as cd_responses
from moto.codedeploy.models import CodeDeployBackend, DeploymentInfo
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.ecs import models as ecs_models
from moto.ecs.exceptions import InvalidParameterException, TaskDefinitionNotFoundException
from moto.ecs.models import EC2ContainerServiceBackend, Service
from moto.ecs.responses import EC2ContainerServiceResponse

from ecsplan_sandbox import (
    codedeploy_progress,
    ecs_progress,
    fleet,
    refusals,
    service_deployments,
    service_rules,
    taskset_progress,
)

log = logging.getLogger("ecsplan_sandbox")

_installed = False
_install_lock = threading.Lock()

# CreateService fields moto's response handler drops; stored under botocore's snake names
# so moto's serializer finds them again in describe_services.
EXTRA_CREATE_FIELDS = (
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "placementConstraints",
    "placementStrategy",
    "healthCheckGracePeriodSeconds",
    "enableECSManagedTags",
    "enableExecuteCommand",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
    "availabilityZoneRebalancing",
)

# UpdateService fields that make ECS start a new deployment when they change.
DEPLOYMENT_FIELDS = (
    "taskDefinition",
    "networkConfiguration",
    "capacityProviderStrategy",
    "platformVersion",
    "loadBalancers",
    "serviceRegistries",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)


def install() -> None:
    """Patch moto once per process (idempotent)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _patch_ecs()
        _patch_ecs_lists()
        _patch_refusals()
        _patch_codedeploy()
        _patch_service_deployments()
        _installed = True


# --- ECS ---------------------------------------------------------------------------------


def _patch_ecs() -> None:
    """CreateService/UpdateService/DeleteService as ECS answers them; the listings below."""
    resp = EC2ContainerServiceResponse
    original_create = resp.create_service
    original_delete = resp.delete_service
    original_validate = Service._validate_network

    def create_service(self: EC2ContainerServiceResponse) -> ActionResult:
        refusals.check_create_service(self._get_params())
        service_rules.check_create(self._get_params())
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        name = self._get_param("serviceName")
        existing = backend.services.get(f"{cluster.name}:{name}")
        token = self._get_param("clientToken")
        if existing is not None and existing.status == "ACTIVE":
            if token and existing.__dict__.get("sb_client_token") == token:
                return ActionResult({"service": existing})  # the same request again: AWS
            raise InvalidParameterException("Creation of service was not idempotent.")
        _validate_strategy(self._get_param("deploymentConfiguration") or {})
        result = original_create(self)
        service = backend.services[f"{cluster.name}:{name}"]
        _store_create_fields(service, self._get_params(), cluster)
        service.__dict__["sb_client_token"] = token
        return result

    def update_service(self: EC2ContainerServiceResponse) -> ActionResult:
        refusals.check_update_service(self._get_params())
        return ActionResult({"service": _update_service(self.ecs_backend, self._get_params())})

    def delete_service(self: EC2ContainerServiceResponse) -> ActionResult:
        result = original_delete(self)
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        name = str(self._get_param("service")).split("/")[-1]
        service = backend.services.get(f"{cluster.name}:{name}")
        if service is not None and service.status != "ACTIVE":
            for unit in list(service.__dict__.get("sb_fleet", {})):
                fleet.stop_unit(service, unit, "Service deleted")
            service.running_count = service.pending_count = 0
            service.desired_count = 0
        return result

    def validate_network(
        self: Service, nc: dict[str, dict[str, list[str]]]
    ) -> dict[str, dict[str, list[str]]]:
        try:
            return original_validate(self, nc)
        except InvalidParameterException as e:
            if "Error retrieving" not in e.message:
                raise
            log.info("sandbox: accepting network settings moto does not know: %s", e.message)
            return nc

    _set(resp, "create_service", create_service)
    _set(resp, "update_service", update_service)
    _set(resp, "delete_service", delete_service)
    _set(Service, "_validate_network", validate_network)


def _patch_ecs_lists() -> None:
    """Listings that paginate and filter as ECS does; a bare family describes its latest
    ACTIVE revision."""
    resp = EC2ContainerServiceResponse
    _set(resp, "list_services", _ecs_list_services)
    _set(resp, "list_clusters", _ecs_list_clusters)
    _set(resp, "list_task_definitions", _ecs_list_task_definitions)
    _set(resp, "list_tasks", _ecs_list_tasks)
    _set(EC2ContainerServiceBackend, "describe_task_definition", _ecs_describe_task_definition)


def _ecs_list_services(self: EC2ContainerServiceResponse) -> ActionResult:
    """Deleted services (moto keeps them INACTIVE) are not listed: "the service is no longer
    visible in ... the ListServices API operation" (DeleteService), though DescribeServices
    still shows them."""
    backend = self.ecs_backend
    cluster = self._get_param("cluster", "default")
    listed = backend.list_services(
        cluster,
        self._get_param("schedulingStrategy"),
        launch_type=self._get_param("launchType"),
    )
    deleted = {s.arn for s in backend.services.values() if s.status == "INACTIVE"}
    arns = [a for a in listed if a not in deleted]
    page, token = _paginate(arns, self._get_params(), default=10)
    return ActionResult({"serviceArns": page, "nextToken": token})


def _ecs_list_clusters(self: EC2ContainerServiceResponse) -> ActionResult:
    page, token = _paginate(self.ecs_backend.list_clusters(), self._get_params(), default=100)
    return ActionResult({"clusterArns": page, "nextToken": token})


def _ecs_list_task_definitions(self: EC2ContainerServiceResponse) -> ActionResult:
    backend = self.ecs_backend
    prefix = self._get_param("familyPrefix")
    status = self._get_param("status", "ACTIVE")
    tds = [
        td
        for revs in backend.task_definitions.values()
        for td in revs.values()
        if (prefix is None or td.family == prefix) and td.status == status
    ]
    tds.sort(key=lambda td: (td.family, td.revision))
    if self._get_param("sort") == "DESC":
        tds.reverse()
    page, token = _paginate([td.arn for td in tds], self._get_params(), default=100)
    return ActionResult({"taskDefinitionArns": page, "nextToken": token})


def _ecs_list_tasks(self: EC2ContainerServiceResponse) -> ActionResult:
    backend = self.ecs_backend
    cluster = self._get_param("cluster", "default")
    tasks = backend.list_tasks(
        cluster,
        self._get_param("containerInstance"),
        self._get_param("family"),
        self._get_param("startedBy"),
        None,
        self._get_param("desiredStatus") or "RUNNING",
    )
    service_name = self._get_param("serviceName")
    if service_name:
        backend._get_service(cluster, service_name)
        group = f"service:{service_name.split('/')[-1]}"
        tasks = [t for t in tasks if t.group == group]
    tasks.sort(key=lambda t: t.task_arn)
    page, token = _paginate([t.task_arn for t in tasks], self._get_params(), default=100)
    return ActionResult({"taskArns": page, "nextToken": token})


def _ecs_describe_task_definition(
    self: EC2ContainerServiceBackend, task_definition_str: str
) -> ecs_models.TaskDefinition:
    name = task_definition_str.split("/")[-1]
    if ":" in name:
        family, _, rev = name.partition(":")
        try:
            return self.task_definitions[family][int(rev)]
        except (KeyError, ValueError):
            raise TaskDefinitionNotFoundException() from None
    revisions = self.task_definitions.get(name, {})
    active = [r for r, td in revisions.items() if td.status == "ACTIVE"]
    if not active:
        raise TaskDefinitionNotFoundException()
    return revisions[max(active)]


def _patch_refusals() -> None:
    """CreateCluster and RegisterTaskDefinition refuse what ECS refuses before moto runs
    (CreateService and UpdateService check theirs in their own replacements above)."""
    resp = EC2ContainerServiceResponse
    for name, check in (
        ("create_cluster", refusals.check_create_cluster),
        ("register_task_definition", refusals.check_register_task_definition),
    ):
        _set(resp, name, _checked(getattr(resp, name), check))


def _checked(
    original: Callable[[EC2ContainerServiceResponse], ActionResult],
    check: Callable[[dict[str, Any]], None],
) -> Callable[[EC2ContainerServiceResponse], ActionResult]:
    def handler(self: EC2ContainerServiceResponse) -> ActionResult:
        check(self._get_params())
        return original(self)

    return handler


def _set(cls: type, name: str, fn: Callable[..., Any]) -> None:
    fn.__name__ = name
    fn.__qualname__ = f"{cls.__name__}.{name}"
    setattr(cls, name, fn)


def _store_create_fields(
    service: Service, params: dict[str, Any], cluster: ecs_models.Cluster
) -> None:
    """Keep what moto drops, fill ECS defaults, and start the first rollout."""
    for field in EXTRA_CREATE_FIELDS:
        if field in params:
            setattr(service, xform_name(field), params[field])
    service_rules.record_create(service, params, cluster)
    controller = service_rules.controller_of(service)
    if controller == "ECS":
        conf = dict(service_rules.default_deployment_configuration(service.scheduling_strategy))
        conf.update(params.get("deploymentConfiguration") or {})
        service.deployment_configuration = conf
    service.enable_ecs_managed_tags = bool(params.get("enableECSManagedTags", False))
    service.enable_execute_command = bool(params.get("enableExecuteCommand", False))
    if "healthCheckGracePeriodSeconds" not in params:
        service.health_check_grace_period_seconds = 0
    if "role" in params:
        service.role_arn = params["role"]
    service.created_at = ecs_models.utcnow()
    service.created_by = f"arn:aws:iam::{service._account_id}:user/sandbox"
    service.running_count = 0
    service.pending_count = 0
    service.deployments = []
    service.sb_steady = False
    if not service.task_definition:
        return
    if controller == "ECS":
        ecs_progress.start_deployment(service)
    elif controller == "CODE_DEPLOY":
        taskset_progress.create_primary(service, service.task_definition)


STRATEGIES = ("ROLLING", "BLUE_GREEN", "LINEAR", "CANARY")


def _validate_strategy(conf: dict[str, Any]) -> None:
    """deploymentConfiguration.strategy and its step settings, within ECS's ranges."""
    strategy = conf.get("strategy")
    if strategy is not None and strategy not in STRATEGIES:
        raise InvalidParameterException(
            f"Invalid deployment strategy {strategy!r}: expected one of {', '.join(STRATEGIES)}."
        )
    checks = (
        ("bakeTimeInMinutes", conf.get("bakeTimeInMinutes"), 0, 1440),
        ("stepPercent", (conf.get("linearConfiguration") or {}).get("stepPercent"), 3.0, 100.0),
        (
            "canaryPercent",
            (conf.get("canaryConfiguration") or {}).get("canaryPercent"),
            0.1,
            100.0,
        ),
    )
    for name, value, lo, hi in checks:
        if value is not None and not lo <= float(value) <= hi:
            raise InvalidParameterException(f"{name} must be between {lo:g} and {hi:g}.")


# UpdateService members applied apart from the loop that stores plain fields.
_APPLIED_ELSEWHERE = (
    "cluster",
    "service",
    "forceNewDeployment",
    "desiredCount",
    "deploymentController",
    "capacityProviderStrategy",
)


def _update_service(backend: EC2ContainerServiceBackend, params: dict[str, Any]) -> Service:
    """UpdateService, all-or-nothing: validate every input, then apply."""
    cluster = params.get("cluster", "default")
    service = backend._get_service(cluster, str(params.get("service", "")).split("/")[-1])
    if service.status != "ACTIVE":
        raise JsonRESTError("ServiceNotActiveException", "Service was not ACTIVE.")
    td_arn = _check_update_inputs(backend, service, params)
    rules = service_rules.check_update(service, params)  # controllers, CPS, DAEMON, force
    # All checks passed: apply.
    service_rules.apply_update(service, rules)
    new_deployment = bool(params.get("forceNewDeployment")) or rules.capacity_changed
    new_deployment = _apply_fields(service, params, td_arn) or new_deployment
    desired = params.get("desiredCount")  # its range: refusals.check_update_service
    if desired is not None and desired != service.desired_count:
        service.desired_count = desired
        service.sb_steady = False
        if service.deployments:
            service.deployments[0]["desiredCount"] = desired
    if (
        rules.controller == "ECS"
        and service.task_definition
        and (new_deployment or not service.deployments)
    ):
        ecs_progress.start_deployment(service)
    return service


def _check_update_inputs(
    backend: EC2ContainerServiceBackend, service: Service, params: dict[str, Any]
) -> str | None:
    """The task definition (ARN, ACTIVE), network and deployment configuration as ECS checks
    them before anything changes."""
    td_arn: str | None = None
    if params.get("taskDefinition"):
        td = backend.describe_task_definition(params["taskDefinition"])
        if td.status != "ACTIVE":
            raise JsonRESTError("ClientException", f"TaskDefinition is inactive: {td.arn}")
        td_arn = td.arn
    if params.get("networkConfiguration"):
        awsvpc = params["networkConfiguration"].get("awsvpcConfiguration") or {}
        if not awsvpc.get("subnets"):
            raise InvalidParameterException("subnets can not be empty.")
        service._validate_network(params["networkConfiguration"])
    conf = params.get("deploymentConfiguration")
    if conf:
        _validate_strategy(conf)
        lo, hi = conf.get("minimumHealthyPercent"), conf.get("maximumPercent")
        if lo is not None and hi is not None and hi < lo:
            raise InvalidParameterException(
                "maximumPercent must be greater than or equal to minimumHealthyPercent."
            )
    return td_arn


def _apply_fields(service: Service, params: dict[str, Any], td_arn: str | None) -> bool:
    """Set the given fields; True when one that starts a deployment changed."""
    new_deployment = False
    for field, value in params.items():
        if field in _APPLIED_ELSEWHERE or value is None:
            continue
        if field == "taskDefinition":
            field_changed = td_arn != service.task_definition
            service.task_definition = td_arn
        elif field == "deploymentConfiguration":
            merged = dict(ecs_progress.deployment_configuration(service))
            merged.update(value)
            field_changed = False
            service.deployment_configuration = merged
        else:
            attr = xform_name(field)
            field_changed = getattr(service, attr, None) != value
            setattr(service, attr, value)
        if field in DEPLOYMENT_FIELDS and field_changed:
            new_deployment = True
    return new_deployment


def _paginate(
    items: list[str], params: dict[str, Any], default: int
) -> tuple[list[str], str | None]:
    max_results = params.get("maxResults")
    if max_results is not None and not 1 <= int(max_results) <= 100:
        raise InvalidParameterException("maxResults must be between 1 and 100.")
    start = 0
    token = params.get("nextToken")
    if token:
        try:
            start = int(json.loads(base64.urlsafe_b64decode(token.encode()))["offset"])
        except (ValueError, KeyError, TypeError):
            raise InvalidParameterException("Invalid nextToken.") from None
    size = int(max_results) if max_results else default
    end = start + size
    nxt = (
        base64.urlsafe_b64encode(json.dumps({"offset": end}).encode()).decode()
        if end < len(items)
        else None
    )
    return items[start:end], nxt


def _patch_service_deployments() -> None:
    """The service-deployment API moto lacks, served from service_deployments' records."""
    resp = EC2ContainerServiceResponse
    _set(resp, "list_service_deployments", _ecs_list_service_deployments)
    _set(resp, "describe_service_deployments", _ecs_describe_service_deployments)
    _set(resp, "continue_service_deployment", _ecs_continue_service_deployment)


def _ecs_list_service_deployments(self: EC2ContainerServiceResponse) -> ActionResult:
    cluster = self._get_param("cluster", "default").split("/")[-1]
    name = str(self._get_param("service", "")).split("/")[-1]
    svc = self.ecs_backend._get_service(cluster, name)
    found = service_deployments.listed(svc, self._get_param("status"))
    return ActionResult({"serviceDeployments": found})


def _ecs_describe_service_deployments(self: EC2ContainerServiceResponse) -> ActionResult:
    out, failures = [], []
    for sd_arn in self._get_param("serviceDeploymentArns") or []:
        try:
            svc, rec = service_deployments.find(self.ecs_backend, sd_arn)
        except service_deployments.ServiceDeploymentNotFound:
            failures.append({"arn": sd_arn, "reason": "MISSING"})
            continue
        out.append(service_deployments.full(svc, rec))
    return ActionResult({"serviceDeployments": out, "failures": failures})


def _ecs_continue_service_deployment(self: EC2ContainerServiceResponse) -> ActionResult:
    sd_arn = str(self._get_param("serviceDeploymentArn", ""))
    svc, rec = service_deployments.find(self.ecs_backend, sd_arn)
    action = str(self._get_param("action") or "CONTINUE")
    service_deployments.continue_hook(svc, rec, str(self._get_param("hookId", "")), action)
    return ActionResult({"serviceDeploymentArn": sd_arn})


# --- CodeDeploy ------------------------------------------------------------------------


def _patch_codedeploy() -> None:
    """CodeDeploy as ECS blue/green uses it: one active deployment per group, stop and
    continue, deployment targets, errors and rollback info in GetDeployment."""
    resp = cd_responses.CodeDeployResponse
    original_info = cd_responses._deployment_info
    original_create = CodeDeployBackend.create_deployment

    def deployment_info(d: DeploymentInfo) -> dict[str, Any]:
        info = original_info(d)
        info["errorInformation"] = getattr(d, "sb_error", None) or {}
        info["rollbackInfo"] = getattr(d, "sb_rollback", None) or {}
        info["deploymentStatusMessages"] = list(getattr(d, "deployment_status_messages", []))
        info["computePlatform"] = d.application.compute_platform
        if d.application.compute_platform == "ECS":
            info["deploymentOverview"] = codedeploy_progress.overview(d)
            info["deploymentStyle"] = d.deployment_group.deployment_style or {
                "deploymentType": "BLUE_GREEN",
                "deploymentOption": "WITH_TRAFFIC_CONTROL",
            }
        return info

    def create_deployment(
        self: CodeDeployBackend,
        application_name: str,
        deployment_group_name: str,
        *args: Any,
        **kwargs: Any,
    ) -> str:
        for d in self.deployments.values():
            if (
                d.application_name == application_name
                and d.deployment_group_name == deployment_group_name
                and d.status in codedeploy_progress.ACTIVE_STATUSES
            ):
                raise JsonRESTError(
                    "DeploymentLimitExceededException",
                    f"The Deployment Group '{deployment_group_name}' already has an active "
                    f"Deployment '{d.deployment_id}'",
                )
        return str(original_create(self, application_name, deployment_group_name, *args, **kwargs))

    cd_responses._deployment_info = deployment_info
    _set(CodeDeployBackend, "create_deployment", create_deployment)
    _set(resp, "stop_deployment", _cd_stop_deployment)
    _set(resp, "continue_deployment", _cd_continue_deployment)
    _set(resp, "list_deployment_targets", _cd_list_deployment_targets)
    _set(resp, "get_deployment_target", _cd_get_deployment_target)
    _set(resp, "batch_get_deployment_targets", _cd_batch_get_deployment_targets)
    _set(resp, "batch_get_deployment_groups", _cd_batch_get_deployment_groups)


def _cd_deployment(self: cd_responses.CodeDeployResponse) -> DeploymentInfo:
    return self.codedeploy_backend.get_deployment(self._get_param("deploymentId"))


def _cd_stop_deployment(self: cd_responses.CodeDeployResponse) -> ActionResult:
    d = _cd_active_deployment(self)
    codedeploy_progress.stop(
        self.codedeploy_backend, d, bool(self._get_param("autoRollbackEnabled", False))
    )
    return ActionResult({"status": "Succeeded", "statusMessage": "The deployment was stopped."})


def _cd_continue_deployment(self: cd_responses.CodeDeployResponse) -> ActionResult:
    d = _cd_active_deployment(self)
    d.sb_continue = True
    return ActionResult({})


def _cd_list_deployment_targets(self: cd_responses.CodeDeployResponse) -> ActionResult:
    tid = codedeploy_progress.target_id(_cd_deployment(self))
    return ActionResult({"targetIds": [tid] if tid else []})


def _cd_get_deployment_target(self: cd_responses.CodeDeployResponse) -> ActionResult:
    d = _cd_deployment(self)
    if self._get_param("targetId") != codedeploy_progress.target_id(d):
        raise JsonRESTError(
            "DeploymentTargetDoesNotExistException", "The deployment target does not exist."
        )
    target = codedeploy_progress.deployment_target(self.codedeploy_backend, d)
    return ActionResult({"deploymentTarget": target})


def _cd_batch_get_deployment_targets(self: cd_responses.CodeDeployResponse) -> ActionResult:
    d = _cd_deployment(self)
    wanted = set(self._get_param("targetIds") or [])
    targets = []
    if codedeploy_progress.target_id(d) in wanted:
        targets.append(codedeploy_progress.deployment_target(self.codedeploy_backend, d))
    return ActionResult({"deploymentTargets": targets})


def _cd_batch_get_deployment_groups(self: cd_responses.CodeDeployResponse) -> ActionResult:
    app = self._get_param("applicationName")
    infos, errors = [], []
    for name in self._get_param("deploymentGroupNames") or []:
        try:
            group = self.codedeploy_backend.get_deployment_group(app, name)
        except JsonRESTError:
            errors.append(f"Deployment group {name} does not exist.")
            continue
        infos.append(cd_responses._deployment_group_info(group))
    return ActionResult({"deploymentGroupsInfo": infos, "errorMessage": " ".join(errors) or None})


def _cd_active_deployment(self: cd_responses.CodeDeployResponse) -> DeploymentInfo:
    """The request's deployment, refused as CodeDeploy refuses one that has completed."""
    d = _cd_deployment(self)
    if d.status not in codedeploy_progress.ACTIVE_STATUSES:
        raise JsonRESTError(
            "DeploymentAlreadyCompletedException",
            f"The deployment {d.deployment_id} has already completed.",
        )
    return d
