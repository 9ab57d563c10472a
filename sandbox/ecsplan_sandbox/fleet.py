"""Tasks the sandbox starts and stops for services, deployments and task sets.

Each unit (an ECS deployment id or a task set id) owns a list of live tasks stored on the moto
Service object (`sb_fleet`), so a moto reset forgets them together with the service. The tasks
are real moto Task objects, so list_tasks / describe_tasks show them.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from moto.core.utils import utcnow
from moto.ecs.models import Container, EC2ContainerServiceBackend, Service, Task, TaskDefinition

log = logging.getLogger("ecsplan_sandbox")

MAX_EVENTS = 100
MAX_STOPPED_TASKS = 50
FAIL_SUFFIX = "-fail"


class ServiceTask(Task):
    """A service task whose status changes only when the sandbox says so.

    moto's Task moves one status further on each describe_tasks (a managed state machine);
    service tasks must stay RUNNING until the service stops them.
    """

    @property  # type: ignore[override]
    def status(self) -> str | None:
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        self._status = value


class _WithoutAwsvpc:
    """A task definition view that makes moto skip ENI creation (subnets may not exist)."""

    network_mode = "bridge"

    def __init__(self, td: TaskDefinition) -> None:
        self._td = td

    def __getattr__(self, name: str) -> Any:
        return getattr(self._td, name)


def image_fails(td: TaskDefinition | None) -> bool:
    """The sandbox convention: an image whose tag ends in `-fail` never gets healthy."""
    if td is None:
        return False
    for c in td.container_definitions:
        image = str(c.get("image", ""))
        tag = image.rsplit("/", 1)[-1].partition(":")[2].split("@")[0]
        if tag.endswith(FAIL_SUFFIX):
            return True
    return False


def task_definition(backend: EC2ContainerServiceBackend, arn: str | None) -> TaskDefinition | None:
    if not arn:
        return None
    family, _, rev = arn.rsplit("/", 1)[-1].partition(":")
    try:
        return backend.task_definitions[family][int(rev)]
    except (KeyError, ValueError):
        return None


def live(service: Service, unit: str) -> list[ServiceTask]:
    """The unit's tasks that are not stopped. A task stopped by a user's StopTask leaves the
    fleet here, so the service replaces it as ECS does."""
    fleet: dict[str, list[ServiceTask]] = service.__dict__.setdefault("sb_fleet", {})
    tasks = fleet.setdefault(unit, [])
    gone = [t for t in tasks if t.status == "STOPPED"]
    if gone:
        stopped: list[ServiceTask] = service.__dict__.setdefault("sb_stopped", [])
        for t in gone:
            tasks.remove(t)
            stopped.append(t)
    return tasks


def running(service: Service, unit: str) -> int:
    return sum(1 for t in live(service, unit) if t.status == "RUNNING")


def containers_of(td: TaskDefinition, task_arn: str) -> list[Container]:
    """One container per container definition, each with a runtimeId (moto makes one)."""
    out = []
    for cdef in td.container_definitions:
        c = Container(td)
        c.task_arn = task_arn
        c.name = cdef.get("name")
        c.image = cdef.get("image")
        c.cpu = cdef.get("cpu", 0)
        c.memory = cdef.get("memory")
        c.environment = cdef.get("environment")
        c.command = cdef.get("command")
        c.exitCode = None
        c.runtime_id = uuid.uuid4().hex
        c.sb_essential = cdef.get("essential", True) is not False
        out.append(c)
    return out


def set_status(task: Task, status: str, exit_code: int | None = None) -> None:
    """Every container of ``task`` in ``status`` (and exited with ``exit_code``)."""
    for c in task.containers:
        c.last_status = status
        if exit_code is not None:
            c.exitCode = exit_code


def pending(service: Service, unit: str) -> int:
    return sum(1 for t in live(service, unit) if t.status == "PENDING")


def launch(
    backend: EC2ContainerServiceBackend,
    service: Service,
    unit: str,
    td_arn: str,
    count: int,
    network: dict[str, Any] | None,
    launch_type: str | None,
    platform_version: str | None,
) -> list[ServiceTask]:
    """Start `count` PENDING tasks for a unit; they settle on the next tick."""
    td = task_definition(backend, td_arn)
    if td is None or count <= 0:
        return []
    cluster = backend.clusters[service.cluster_name]
    started: list[ServiceTask] = []
    for _ in range(count):
        task = ServiceTask(
            cluster=cluster,
            task_definition=_WithoutAwsvpc(td),  # type: ignore[arg-type]
            container_instance_arn=None,
            resource_requirements=None,
            backend=backend,
            group=f"service:{service.name}",
            launch_type=launch_type or "",
            started_by=unit,
            tags=[],
            networking_configuration=None,
            platform_version=platform_version,
        )
        task.task_definition_arn = td.arn
        task.status = "PENDING"
        task.containers = containers_of(td, task.task_arn)
        set_status(task, "PENDING")
        task.created_at = utcnow()
        if network:
            task.network_configuration = network
            subnets = network.get("awsvpcConfiguration", {}).get("subnets") or ["subnet-sandbox"]
            task.attachments = [
                {
                    "id": str(uuid.uuid4()),
                    "type": "ElasticNetworkInterface",
                    "status": "ATTACHED",
                    "details": [
                        {"name": "subnetId", "value": subnets[0]},
                        {"name": "networkInterfaceId", "value": f"eni-{uuid.uuid4().hex[:17]}"},
                        {"name": "privateIPv4Address", "value": "10.0.0.1"},
                    ],
                }
            ]
        backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
        started.append(task)
    live(service, unit).extend(started)
    return started


def settle(service: Service, unit: str, fails: bool) -> list[ServiceTask]:
    """Move PENDING tasks on: RUNNING, or STOPPED when the image fails. Returns the failed."""
    failed: list[ServiceTask] = []
    for t in list(live(service, unit)):
        if t.status != "PENDING":
            continue
        if fails:
            failed.append(t)
        else:
            t.status = "RUNNING"
            set_status(t, "RUNNING")
            t.started_at = utcnow()
    if failed:
        stop(service, unit, failed, "Essential container in task exited", exit_code=1)
    return failed


def stop(
    service: Service, unit: str, tasks: list[ServiceTask], reason: str, exit_code: int = 0
) -> None:
    """Stop tasks of a unit and keep only the most recent stopped tasks around."""
    fleet = live(service, unit)
    stopped: list[ServiceTask] = service.__dict__.setdefault("sb_stopped", [])
    for t in tasks:
        if t in fleet:
            fleet.remove(t)
        t.status = "STOPPED"
        t.desired_status = "STOPPED"
        t.stopped_reason = reason
        set_status(t, "STOPPED", exit_code)
        stopped.append(t)
    backend = service._backend
    while len(stopped) > MAX_STOPPED_TASKS:
        old = stopped.pop(0)
        backend.tasks.get(old.cluster_name, {}).pop(old.task_arn, None)


def stop_unit(service: Service, unit: str, reason: str) -> None:
    stop(service, unit, list(live(service, unit)), reason)
    service.__dict__.setdefault("sb_fleet", {}).pop(unit, None)


def task_ids(tasks: list[ServiceTask]) -> str:
    return " ".join(f"(task {t.id})" for t in tasks)


def add_event(service: Service, message: str) -> None:
    """Prepend a service event, newest first, as ECS lists them."""
    service.events.insert(
        0,
        {
            "id": str(uuid.uuid4()),
            "createdAt": utcnow(),
            "message": f"(service {service.name}) {message}",
        },
    )
    del service.events[MAX_EVENTS:]
