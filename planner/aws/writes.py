"""Every AWS write ecsplan makes, one function each, so the executor never touches boto3.

A write whose repetition would do something twice (a second revision, a second deployment,
deleting what is gone) is sent through planner/aws/guarded.py: after a 5xx or a timeout it
looks whether AWS did it before sending it again (CreateService also carries a clientToken).
Idempotent writes (scalable targets, policies, alarms, tags) keep botocore's own retries.
Beyond that, a write journaled without an outcome, or as a failure, is reconciled by the
executor against live state before any second attempt.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from planner.aws.clients import AwsContext
from planner.aws.errors import aws_call, error_code
from planner.aws.guarded import send_once
from planner.canonical.fields import SCALABLE_DIMENSION
from planner.errors import AwsError

RUN_TAG = "ecsplan:run-id"
STEP_TAG = "ecsplan:step-id"
CLOCK_SKEW = 60.0  # seconds: how far AWS's timestamps may lag ours when looking for a write
T = TypeVar("T")


def deployment_description(run_id: str, step_id: str) -> str:
    """How a CodeDeploy deployment names the run and step that created it."""
    return f"ecsplan run {run_id} step {step_id}"


class Writer:
    """ECS / Application Auto Scaling / CodeDeploy writes for one region."""

    def __init__(self, aws: AwsContext, region: str) -> None:
        self.aws = aws
        self.region = region

    def _c(self, name: str) -> Any:
        return self.aws.client(name, self.region)

    def _once(
        self,
        action: str,
        service: str,
        send: Callable[[Any], T],
        look: Callable[[], T | None] | None,
        gone: tuple[str, ...] = (),
    ) -> T | None:
        """A write sent at most once per attempt, looked for after a lost answer."""
        client = self.aws.client(service, self.region, retries=False)
        return send_once(
            action,
            lambda: send(client),
            look,
            attempts=self.aws.max_attempts,
            gone=gone,
            on_retry=self.aws.count_retry,
        )

    # --- ECS --------------------------------------------------------------------------
    def register_task_definition(
        self, payload: Mapping[str, Any], run_id: str, step_id: str
    ) -> dict[str, Any]:
        """Register with run/step tags, so a crash after this call can be reconciled."""
        kw = dict(payload)
        tags = [t for t in kw.pop("tags", []) if t.get("key") not in (RUN_TAG, STEP_TAG)]
        tags += [{"key": RUN_TAG, "value": run_id}, {"key": STEP_TAG, "value": step_id}]
        family = str(kw.get("family"))

        def send(ecs: Any) -> dict[str, Any]:
            td = ecs.register_task_definition(**kw, tags=tags)["taskDefinition"]
            return {"taskDefinitionArn": td["taskDefinitionArn"], "revision": td["revision"]}

        def look() -> dict[str, Any] | None:
            arn = self.find_tagged_task_definition(family, run_id, step_id)
            return (
                {"taskDefinitionArn": arn, "revision": int(arn.rsplit(":", 1)[-1])} if arn else None
            )

        out = self._once(f"ecs:RegisterTaskDefinition {family}", "ecs", send, look)
        assert out is not None
        return out

    def deregister_task_definition(self, arn: str) -> None:
        with aws_call(f"ecs:DeregisterTaskDefinition {arn}"):
            self._c("ecs").deregister_task_definition(taskDefinition=arn)

    def delete_task_definitions(self, arns: Sequence[str]) -> list[str]:
        """DeleteTaskDefinitions 10 at a time; returns the failures as readable lines."""
        problems: list[str] = []
        for i in range(0, len(arns), 10):
            with aws_call("ecs:DeleteTaskDefinitions"):
                resp = self._c("ecs").delete_task_definitions(
                    taskDefinitions=list(arns[i : i + 10])
                )
            for f in resp.get("failures", []) or []:
                problems.append(
                    f"{f.get('arn')}: {f.get('reason')} {f.get('detail') or ''}".strip()
                )
        return problems

    def create_service(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        cluster, name = str(payload.get("cluster", "default")), str(payload.get("serviceName"))

        def look() -> dict[str, Any] | None:
            svc = self.describe_service(cluster, name)
            return _service_outputs(svc) if svc and svc.get("status") == "ACTIVE" else None

        out = self._once(
            f"ecs:CreateService {name}",
            "ecs",
            lambda ecs: _service_outputs(ecs.create_service(**payload)["service"]),
            look,
        )
        assert out is not None
        return out

    def update_service(
        self, cluster: str, service: str, payload: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A lost answer is looked for only where resending would do more: a new revision
        (the service runs it already) or a forced deployment (one started since)."""
        started = time.time()
        td, forced = payload.get("taskDefinition"), bool(payload.get("forceNewDeployment"))

        def look() -> dict[str, Any] | None:
            svc = self.describe_service(cluster, service) or {}
            if td and svc.get("taskDefinition") != td:
                return None
            if forced and not _deployed_since(svc, started - CLOCK_SKEW):
                return None
            return _service_outputs(svc) if (td or forced) else None

        out = self._once(
            f"ecs:UpdateService {cluster}/{service}",
            "ecs",
            lambda ecs: _service_outputs(
                ecs.update_service(cluster=cluster, service=service, **payload)["service"]
            ),
            look,
        )
        assert out is not None
        return out

    def delete_service(self, cluster: str, service: str) -> dict[str, Any]:
        def look() -> dict[str, Any] | None:
            svc = self.describe_service(cluster, service)
            return dict(svc) if svc is None or svc.get("status") != "ACTIVE" else None

        out = self._once(
            f"ecs:DeleteService {cluster}/{service}",
            "ecs",
            lambda ecs: dict(
                ecs.delete_service(cluster=cluster, service=service, force=True).get("service")
                or {}
            ),
            look,
            gone=("ServiceNotActiveException", "ServiceNotFoundException"),
        )
        return out or {}

    def tag_service(
        self, service_arn: str, add: Sequence[Mapping[str, str]], remove: Sequence[str]
    ) -> None:
        ecs = self._c("ecs")
        if add:
            with aws_call(f"ecs:TagResource {service_arn}"):
                ecs.tag_resource(resourceArn=service_arn, tags=list(add))
        if remove:
            with aws_call(f"ecs:UntagResource {service_arn}"):
                ecs.untag_resource(resourceArn=service_arn, tagKeys=list(remove))

    def describe_service(self, cluster: str, service: str) -> dict[str, Any] | None:
        """The service in any status (ACTIVE, DRAINING, INACTIVE), with tags, or None."""
        try:
            with aws_call(f"ecs:DescribeServices {cluster}/{service}"):
                resp = self._c("ecs").describe_services(
                    cluster=cluster, services=[service], include=["TAGS"]
                )
        except AwsError as e:
            if e.__cause__ is not None and "ClusterNotFound" in error_code(e.__cause__):
                raise AwsError(f"cluster {cluster!r} not found in {self.region}") from e.__cause__
            raise
        found = resp.get("services", [])
        return dict(found[0]) if found else None

    def find_tagged_task_definition(
        self, family: str, run_id: str, step_id: str, look_back: int = 5
    ) -> str | None:
        """The revision a run registered (by its tags) among the newest few of the family."""
        ecs = self._c("ecs")
        with aws_call(f"ecs:ListTaskDefinitions {family}"):
            arns = ecs.list_task_definitions(
                familyPrefix=family, sort="DESC", maxResults=look_back
            ).get("taskDefinitionArns", [])
        for arn in arns:
            if arn.rsplit("/", 1)[-1].rsplit(":", 1)[0] != family:
                continue
            with aws_call(f"ecs:DescribeTaskDefinition {arn}"):
                resp = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
            tags = {t["key"]: t["value"] for t in resp.get("tags", [])}
            if tags.get(RUN_TAG) == run_id and tags.get(STEP_TAG) == step_id:
                return str(arn)
        return None

    # --- Application Auto Scaling -----------------------------------------------------
    def register_scalable_target(self, payload: Mapping[str, Any]) -> None:
        with aws_call(f"application-autoscaling:RegisterScalableTarget {payload['ResourceId']}"):
            self._c("application-autoscaling").register_scalable_target(**payload)

    def deregister_scalable_target(self, resource_id: str) -> None:
        self._once(
            f"application-autoscaling:DeregisterScalableTarget {resource_id}",
            "application-autoscaling",
            lambda aas: aas.deregister_scalable_target(
                ServiceNamespace="ecs",
                ResourceId=resource_id,
                ScalableDimension=SCALABLE_DIMENSION,
            ),
            None,
            gone=("ObjectNotFoundException",),
        )

    def put_scaling_policy(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        with aws_call(f"application-autoscaling:PutScalingPolicy {payload['PolicyName']}"):
            resp = self._c("application-autoscaling").put_scaling_policy(**payload)
        return {"PolicyARN": resp.get("PolicyARN")}

    def delete_scaling_policy(self, payload: Mapping[str, Any]) -> None:
        self._once(
            f"application-autoscaling:DeleteScalingPolicy {payload['PolicyName']}",
            "application-autoscaling",
            lambda aas: aas.delete_scaling_policy(**payload),
            None,
            gone=("ObjectNotFoundException",),
        )

    def put_metric_alarm(self, payload: Mapping[str, Any]) -> None:
        with aws_call(f"cloudwatch:PutMetricAlarm {payload['AlarmName']}"):
            self._c("cloudwatch").put_metric_alarm(**payload)

    def delete_alarm(self, name: str) -> None:
        self._once(
            f"cloudwatch:DeleteAlarms {name}",
            "cloudwatch",
            lambda cw: cw.delete_alarms(AlarmNames=[name]),
            None,
            gone=("ResourceNotFound",),
        )

    def scalable_target(self, resource_id: str) -> dict[str, Any] | None:
        with aws_call("application-autoscaling:DescribeScalableTargets"):
            resp = self._c("application-autoscaling").describe_scalable_targets(
                ServiceNamespace="ecs",
                ResourceIds=[resource_id],
                ScalableDimension=SCALABLE_DIMENSION,
            )
        found = resp.get("ScalableTargets", [])
        return found[0] if found else None

    # --- CodeDeploy ---------------------------------------------------------------------
    def create_deployment(
        self, payload: Mapping[str, Any], task_definition: str, run_id: str, step_id: str
    ) -> str:
        """CreateDeployment with the AppSpec serialized after the ARN is known, described as
        this run's step (CreateDeployment has no idempotency token: that is how a lost answer
        is found again)."""
        kw = {k: v for k, v in payload.items() if k != "appspec"}
        spec = json.loads(json.dumps(payload["appspec"]))
        spec["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"] = task_definition
        kw["revision"] = {
            "revisionType": "AppSpecContent",
            "appSpecContent": {"content": json.dumps(spec)},
        }
        kw["description"] = deployment_description(run_id, step_id)
        app, group = str(payload.get("applicationName")), str(payload.get("deploymentGroupName"))
        out = self._once(
            f"codedeploy:CreateDeployment {app}",
            "codedeploy",
            lambda cd: str(cd.create_deployment(**kw)["deploymentId"]),
            lambda: self.find_deployment(app, group, run_id, step_id),
        )
        assert out is not None
        return out

    def find_deployment(self, app: str, group: str, run_id: str, step_id: str) -> str | None:
        """The deployment this run's step created, by its description (newest first)."""
        wanted = deployment_description(run_id, step_id)
        for dep_id in reversed(self.list_deployments(app, group)):
            if self.get_deployment(dep_id).get("description") == wanted:
                return dep_id
        return None

    def get_deployment(self, deployment_id: str) -> dict[str, Any]:
        with aws_call(f"codedeploy:GetDeployment {deployment_id}"):
            return dict(
                self._c("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"]
            )

    def deployment_lifecycle(self, deployment_id: str) -> list[dict[str, Any]]:
        """The ECS target's lifecycle events: GetDeployment does not report them for ECS."""
        cd = self._c("codedeploy")
        with aws_call(f"codedeploy:GetDeploymentTarget {deployment_id}"):
            ids = cd.list_deployment_targets(deploymentId=deployment_id).get("targetIds", [])
            if not ids:
                return []
            target = cd.get_deployment_target(deploymentId=deployment_id, targetId=ids[0])
        ecs = (target.get("deploymentTarget") or {}).get("ecsTarget") or {}
        return list(ecs.get("lifecycleEvents") or [])

    def stop_deployment(self, deployment_id: str, auto_rollback: bool) -> None:
        self._once(
            f"codedeploy:StopDeployment {deployment_id}",
            "codedeploy",
            lambda cd: cd.stop_deployment(
                deploymentId=deployment_id, autoRollbackEnabled=auto_rollback
            ),
            None,
            gone=("DeploymentAlreadyCompletedException",),
        )

    # --- ECS service deployments (lifecycle hooks) ---------------------------------------
    def active_service_deployment(self, cluster: str, service: str) -> str | None:
        """The newest IN_PROGRESS service deployment's ARN, as ecspresso's
        findActiveECSDeploymentArn picks it (rollback.go)."""
        with aws_call(f"ecs:ListServiceDeployments {cluster}/{service}"):
            found = (
                self._c("ecs")
                .list_service_deployments(cluster=cluster, service=service, status=["IN_PROGRESS"])
                .get("serviceDeployments", [])
            )
        if not found:
            return None
        newest = max(found, key=lambda d: str(d.get("createdAt", "")))
        return str(newest["serviceDeploymentArn"])

    def service_deployment(self, arn: str) -> dict[str, Any] | None:
        with aws_call(f"ecs:DescribeServiceDeployments {arn}"):
            found = (
                self._c("ecs")
                .describe_service_deployments(serviceDeploymentArns=[arn])
                .get("serviceDeployments", [])
            )
        return dict(found[0]) if found else None

    def continue_service_deployment(self, arn: str, hook_id: str, action: str) -> None:
        """CONTINUE or ROLLBACK a paused hook; after a lost answer, a hook no longer
        awaiting action means the first call did it."""

        def look() -> str | None:
            sd = self.service_deployment(arn) or {}
            return None if paused_hook(sd) == hook_id else arn

        self._once(
            f"ecs:ContinueServiceDeployment {arn}",
            "ecs",
            lambda ecs: ecs.continue_service_deployment(
                serviceDeploymentArn=arn, hookId=hook_id, action=action
            ),
            look,
        )

    def list_deployments(self, application: str, group: str) -> list[str]:
        pages = self._c("codedeploy").get_paginator("list_deployments")
        with aws_call(f"codedeploy:ListDeployments {application}/{group}"):
            return [
                d
                for page in pages.paginate(applicationName=application, deploymentGroupName=group)
                for d in page.get("deployments", [])
            ]


def paused_hook(deployment: Mapping[str, Any]) -> str | None:
    """The hookId of a PAUSE hook awaiting action (ecspresso's findPausedLifecycleHook)."""
    for hook in deployment.get("lifecycleHookDetails") or ():
        if hook.get("targetType") == "PAUSE" and hook.get("status") == "AWAITING_ACTION":
            return str(hook.get("hookId"))
    return None


def _deployed_since(svc: Mapping[str, Any], since: float) -> bool:
    """The service's PRIMARY deployment was created at or after ``since`` (epoch seconds)."""
    for d in svc.get("deployments") or ():
        created = d.get("createdAt")
        if d.get("status") == "PRIMARY" and hasattr(created, "timestamp"):
            return bool(created.timestamp() >= since)
    return False


def _service_outputs(svc: Mapping[str, Any]) -> dict[str, Any]:
    deployments = svc.get("deployments") or []
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    return {
        "serviceArn": svc.get("serviceArn"),
        "taskDefinition": svc.get("taskDefinition"),
        "desiredCount": svc.get("desiredCount"),
        "deploymentId": (primary or {}).get("id"),
    }
