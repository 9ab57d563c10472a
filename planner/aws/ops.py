"""AWS reads and writes of the day-to-day operations (status, tasks, revisions, delete).

Kept apart from the planning reads so operations can grow without touching the apply path.
Reads that can be many (tasks, revisions) are paginated and batched at the API limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from planner.aws.errors import aws_call
from planner.aws.reads import LiveReader, chunks
from planner.aws.writes import Writer
from planner.errors import AwsError

TASKS_BATCH = 100
#: CodeDeploy statuses of a deployment that is still going (the one `wait` follows).
ACTIVE_CODEDEPLOY = ["Created", "Queued", "InProgress", "Ready", "Baking"]


def family_of(arn: str) -> str:
    """``arn:...:task-definition/web:12`` -> ``web``."""
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def revision_of(arn: str) -> int:
    return int(arn.rsplit(":", 1)[-1])


class OpsClient(Writer):
    """Operations' calls for one region: the Writer's, plus the reads the ops commands need."""

    # --- task definitions -----------------------------------------------------------------
    def task_definition_arns(self, family: str, status: str = "ACTIVE") -> list[str]:
        """Every revision ARN of exactly this family (prefix matches dropped), newest first."""
        ecs = self._c("ecs")
        out: list[str] = []
        token: str | None = None
        with aws_call(f"ecs:ListTaskDefinitions family {family}"):
            while True:
                kw: dict[str, Any] = {"familyPrefix": family, "status": status, "sort": "DESC"}
                if token:
                    kw["nextToken"] = token
                resp = ecs.list_task_definitions(**kw)
                out += [a for a in resp.get("taskDefinitionArns", []) if family_of(a) == family]
                token = resp.get("nextToken")
                if not token:
                    break
        return sorted(set(out), key=revision_of, reverse=True)

    def describe_task_definition(self, arn: str) -> dict[str, Any]:
        with aws_call(f"ecs:DescribeTaskDefinition {arn}"):
            return dict(
                self._c("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]
            )

    # --- tasks ----------------------------------------------------------------------------
    def task_arns(
        self,
        cluster: str,
        service: str | None = None,
        desired_status: str = "RUNNING",
        family: str | None = None,
    ) -> list[str]:
        """Task ARNs of a service (or of a task definition family) in the cluster."""
        ecs = self._c("ecs")
        out: list[str] = []
        token: str | None = None
        with aws_call(f"ecs:ListTasks {cluster}/{service or family}"):
            while True:
                kw: dict[str, Any] = {"cluster": cluster, "desiredStatus": desired_status}
                if service:
                    kw["serviceName"] = service
                if family:
                    kw["family"] = family
                if token:
                    kw["nextToken"] = token
                resp = ecs.list_tasks(**kw)
                out += resp.get("taskArns", [])
                token = resp.get("nextToken")
                if not token:
                    return out

    def describe_tasks(
        self, cluster: str, arns: Sequence[str], tags: bool = False
    ) -> list[dict[str, Any]]:
        """The tasks in the order DescribeTasks returns them (``tags``: Include TAGS)."""
        out: list[dict[str, Any]] = []
        extra: dict[str, Any] = {"include": ["TAGS"]} if tags else {}
        for batch in chunks(list(arns), TASKS_BATCH):
            with aws_call(f"ecs:DescribeTasks on cluster {cluster}"):
                resp = self._c("ecs").describe_tasks(cluster=cluster, tasks=list(batch), **extra)
            out += resp.get("tasks", [])
        return out

    def listed_tasks(
        self, cluster: str, *, family: str | None = None, service: str | None = None
    ) -> list[dict[str, Any]]:
        """ListTasks (desired RUNNING, then STOPPED) of a family or a service, described
        with tags: the order ecspresso's listTasks and ecsta's listTasks read them in."""
        out: list[dict[str, Any]] = []
        for status in ("RUNNING", "STOPPED"):
            arns = self.task_arns(cluster, service, status, family)
            out += self.describe_tasks(cluster, arns, tags=True) if arns else []
        return out

    def service_tasks(self, cluster: str, service: str) -> list[dict[str, Any]]:
        """The service's running and recently stopped tasks, described."""
        arns = self.task_arns(cluster, service, "RUNNING")
        arns += [a for a in self.task_arns(cluster, service, "STOPPED") if a not in arns]
        return self.describe_tasks(cluster, arns) if arns else []

    def stop_task(self, cluster: str, task: str, reason: str) -> dict[str, Any]:
        with aws_call(f"ecs:StopTask {task}"):
            return dict(self._c("ecs").stop_task(cluster=cluster, task=task, reason=reason)["task"])

    # --- logs -----------------------------------------------------------------------------
    def log_events(
        self, group: str, stream: str, start_ms: int, end_ms: int | None = None
    ) -> list[dict[str, Any]]:
        """GetLogEvents from ``start_ms`` (to ``end_ms``) as fujiwara/tracer v1.0.2 fetchLogs
        reads them: 100 a page, forward tokens until one repeats, at most 100 pages. A
        missing group or stream gives what was read (tracer ignores the error)."""
        logs = self._c("logs")
        kw: dict[str, Any] = {"logGroupName": group, "logStreamName": stream, "limit": 100}
        kw["startTime"] = start_ms
        if end_ms is not None:
            kw["endTime"] = end_ms
        out: list[dict[str, Any]] = []
        token: str | None = None
        try:
            for _ in range(100):
                with aws_call(f"logs:GetLogEvents {group} {stream}"):
                    resp = logs.get_log_events(**kw, **({"nextToken": token} if token else {}))
                out += resp.get("events", [])
                if (token or "") == (resp.get("nextForwardToken") or ""):
                    break
                token = resp.get("nextForwardToken")
        except AwsError:
            pass
        return out

    # --- services -------------------------------------------------------------------------
    # --- Application Auto Scaling -----------------------------------------------------------
    def scaling_policies(self, resource_id: str) -> list[dict[str, Any]]:
        return LiveReader(self.aws).scaling_policies(self.region, resource_id)

    # --- CodeDeploy -------------------------------------------------------------------------
    def active_codedeploy_deployment(self, application: str, group: str) -> str | None:
        """The group's newest deployment that has not finished, if any."""
        cd = self._c("codedeploy")
        with aws_call(f"codedeploy:ListDeployments {application}/{group}"):
            ids = cd.list_deployments(
                applicationName=application,
                deploymentGroupName=group,
                includeOnlyStatuses=ACTIVE_CODEDEPLOY,
            ).get("deployments", [])
        if not ids:
            return None
        if len(ids) == 1:
            return str(ids[0])
        with aws_call("codedeploy:BatchGetDeployments"):
            infos = cd.batch_get_deployments(deploymentIds=ids[:25]).get("deploymentsInfo", [])
        infos.sort(key=lambda i: str(i.get("createTime", "")), reverse=True)
        return str(infos[0]["deploymentId"]) if infos else str(ids[0])
