"""One-off tasks (RunTask) with a lifecycle, for `ecsplan run` on the sandbox.

moto starts RunTask tasks RUNNING, with one container, and moves them on each describe_tasks;
Fargate tasks also need subnets that exist in moto's EC2. Here a run task is created
PROVISIONING and moves one status per tick: PROVISIONING -> PENDING -> RUNNING -> (a few ticks
later) STOPPED, every container exiting 0. Conventions, by container image tag:

- `-fail` (`app:1.2-fail`): the container runs, then exits with code 1.
- `-nostart` (`app:1.2-nostart`): the task never runs: STOPPED from PENDING with stopCode
  TaskFailedToStart and stoppedReason "CannotPullContainerError: ...".

A task stops when an essential container exits (stoppedReason "Essential container in task
exited"). Subnets and security groups are not checked, as for service tasks.

ExecuteCommand (which moto lacks) answers for a RUNNING task with a session whose token is
not usable: enough for `ecsplan exec` to hand it to session-manager-plugin. Containers of
every task get a runtimeId, as ECS reports one for started containers.
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend
from moto.ecs.responses import EC2ContainerServiceResponse

from ecsplan_sandbox import fleet

RUNNING_TICKS = 3
FAIL_EXIT_CODE = 1
NOSTART_SUFFIX = "-nostart"
_LAUNCH_TYPES = ("EC2", "FARGATE", "EXTERNAL")
_NEXT = {"PROVISIONING": "PENDING", "PENDING": "RUNNING"}

_installed = False


class RunTask(fleet.ServiceTask):
    """A RunTask task whose status only the ticker changes (see module docstring)."""


def _tag(image: str) -> str:
    return image.rsplit("/", 1)[-1].partition(":")[2].split("@")[0]


def run_task(
    self: EC2ContainerServiceBackend,
    cluster_str: str,
    task_definition_str: str,
    count: int,
    overrides: dict[str, Any] | None,
    started_by: str,
    tags: list[dict[str, str]] | None,
    launch_type: str | None,
    networking_configuration: dict[str, Any] | None = None,
    group: str | None = None,
    platform_version: str | None = None,
    capacity_provider_strategy: list[dict[str, Any]] | None = None,
) -> list[RunTask]:
    """moto's run_task validation, then PROVISIONING tasks the ticker moves on."""
    if launch_type and launch_type not in _LAUNCH_TYPES:
        raise InvalidParameterException("launch type should be one of [EC2,FARGATE,EXTERNAL]")
    if launch_type and capacity_provider_strategy:
        raise InvalidParameterException(
            "Specify either Launch Type or Capacity Provider Strategy, but not both."
        )
    cluster = self._get_cluster(cluster_str)
    td = self.describe_task_definition(task_definition_str)
    if td.network_mode == "awsvpc" and not networking_configuration:
        raise InvalidParameterException(
            "Network Configuration must be provided when networkMode 'awsvpc' is specified."
        )
    strategy = capacity_provider_strategy or (
        None if launch_type else cluster.default_capacity_provider_strategy
    )
    tasks: list[RunTask] = []
    for _ in range(count):
        task = RunTask(
            cluster=cluster,
            task_definition=fleet._WithoutAwsvpc(td),  # type: ignore[arg-type]
            container_instance_arn=None,
            resource_requirements=None,
            backend=self,
            group=group or f"family:{td.family}",
            launch_type=launch_type or "",
            overrides=overrides or {},
            started_by=started_by or "",
            tags=tags or [],
            networking_configuration=None,
            platform_version=platform_version,
            capacity_provider_name=strategy[0]["capacityProvider"] if strategy else None,
        )
        task.task_definition_arn = td.arn
        task.containers = fleet.containers_of(td, task.task_arn)
        task.status = "PROVISIONING"
        task.created_at = utcnow()
        task.sb_run_ticks = 0
        if networking_configuration:
            task.network_configuration = networking_configuration
            vpc = networking_configuration.get("awsvpcConfiguration") or {}
            task.attachments = [_eni((vpc.get("subnets") or ["subnet-sandbox"])[0])]
        self.tasks.setdefault(cluster.name, {})[task.task_arn] = task
        tasks.append(task)
    return tasks


def _eni(subnet: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": "ElasticNetworkInterface",
        "status": "ATTACHED",
        "details": [
            {"name": "subnetId", "value": subnet},
            {"name": "networkInterfaceId", "value": f"eni-{uuid.uuid4().hex[:17]}"},
            {"name": "privateIPv4Address", "value": "10.0.0.2"},
        ],
    }


def tick(backend: EC2ContainerServiceBackend) -> None:
    """Move every live run task one step along its lifecycle."""
    for tasks in list(backend.tasks.values()):
        for task in list(tasks.values()):
            for c in task.containers:
                if getattr(c, "runtime_id", None) is None:
                    c.runtime_id = uuid.uuid4().hex
            if isinstance(task, RunTask) and task.status != "STOPPED":
                _advance(task)


def _advance(task: RunTask) -> None:
    images = [str(c.image or "") for c in task.containers]
    if task.status == "PENDING" and any(_tag(i).endswith(NOSTART_SUFFIX) for i in images):
        _fail_to_start(task, next(i for i in images if _tag(i).endswith(NOSTART_SUFFIX)))
        return
    if task.status in _NEXT:
        task.status = _NEXT[task.status]
        for c in task.containers:
            c.last_status = task.status
        if task.status == "RUNNING":
            task.started_at = utcnow()
        return
    task.sb_run_ticks += 1
    if task.sb_run_ticks >= RUNNING_TICKS:
        _exit(task)


def _exit(task: RunTask) -> None:
    for c in task.containers:
        c.last_status = "STOPPED"
        c.exitCode = FAIL_EXIT_CODE if _tag(str(c.image or "")).endswith(fleet.FAIL_SUFFIX) else 0
    _stopped(task, "EssentialContainerExited", "Essential container in task exited")


def _fail_to_start(task: RunTask, image: str) -> None:
    reason = (
        f"CannotPullContainerError: pull image manifest has been retried 1 time(s): "
        f"failed to resolve ref {image}: not found"
    )
    for c in task.containers:
        c.last_status = "STOPPED"
        if c.image == image:
            c.reason = reason
    _stopped(task, "TaskFailedToStart", reason)


def _stopped(task: RunTask, code: str, reason: str) -> None:
    task.status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stop_code = code
    task.stopped_reason = reason
    task.stopped_at = utcnow()


def execute_command(self: EC2ContainerServiceResponse) -> ActionResult:
    """ExecuteCommand for a RUNNING task: a session (not usable for a real connection)."""
    backend = self.ecs_backend
    cluster = backend._get_cluster(self._get_param("cluster", "default"))
    task_id = str(self._get_param("task")).rsplit("/", 1)[-1]
    task = next(
        (t for arn, t in backend.tasks.get(cluster.name, {}).items() if arn.endswith(task_id)),
        None,
    )
    if task is None:
        raise InvalidParameterException("The specified task is not found.")
    if task.status != "RUNNING":
        raise InvalidParameterException(
            "The execute command failed because the task is not RUNNING."
        )
    name = self._get_param("container")
    container = next((c for c in task.containers if name in (None, c.name)), None)
    if container is None:
        raise InvalidParameterException(f"The container {name} does not exist in the task.")
    session_id = f"ecs-execute-command-{uuid.uuid4().hex[:17]}"
    return ActionResult(
        {
            "clusterArn": cluster.arn,
            "containerArn": container.container_arn,
            "containerName": container.name,
            "interactive": True,
            "taskArn": task.task_arn,
            "session": {
                "sessionId": session_id,
                "streamUrl": f"wss://ssmmessages.{cluster.region_name}.amazonaws.com/v1/"
                f"data-channel/{session_id}?role=publish_subscribe",
                "tokenValue": "sandbox-session-token",
            },
        }
    )


def install() -> None:
    """Replace moto's run_task and add ExecuteCommand, once per process (idempotent)."""
    global _installed
    if not _installed:
        run_task.__qualname__ = "EC2ContainerServiceBackend.run_task"
        EC2ContainerServiceBackend.run_task = run_task  # type: ignore[method-assign]
        execute_command.__qualname__ = "EC2ContainerServiceResponse.execute_command"
        EC2ContainerServiceResponse.execute_command = execute_command  # type: ignore[attr-defined]
        _installed = True
