"""`exec`: which task and container to open an ECS Exec session in, and the
session-manager-plugin command line that opens it (as the AWS CLI does: ExecuteCommand opens
an SSM session; the plugin is run with the session, the region and the target
`ecs:<cluster>_<task id>_<container runtime id>`). Choosing among several is the caller's
(a filter command, planner/cli/picker.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from planner.aws.checks import TaskCalls
from planner.errors import EcsplanError
from planner.ops.session import Session
from planner.ops.tasks import task_id_of, task_row

#: choose(rows) -> the chosen row's id; None when there is nothing to choose with
TaskChooser = Callable[[Sequence[Mapping[str, Any]]], str] | None
#: choose(names, lines) -> the chosen name
ContainerChooser = Callable[[Sequence[str], Sequence[str]], str] | None


def _task(
    calls: TaskCalls,
    cluster: str,
    service: str,
    task_id: str | None,
    choose: TaskChooser,
    note: Callable[[str], None],
) -> Mapping[str, Any]:
    """The task named, else the one ``choose`` picks, else the first running."""
    if task_id is None:
        arns = calls.running_task_arns(cluster, service)
        if not arns:
            raise EcsplanError(f"no running task in service {cluster}/{service}")
        if len(arns) > 1 and choose is not None:
            found = calls.describe_tasks(cluster, arns)
            chosen = choose([task_row("", t) for t in found])
            return next(t for t in found if task_id_of(str(t["taskArn"])) == chosen)
        task_id = arns[0]
        more = f" (1 of {len(arns)}; choose one with --task)" if len(arns) > 1 else ""
        note(f"task {task_id_of(task_id)}{more}")
    found = calls.describe_tasks(cluster, [task_id])
    if not found:
        raise EcsplanError(f"task {task_id} not found in cluster {cluster}")
    return found[0]


def _container(
    task: Mapping[str, Any], name: str | None, choose: ContainerChooser
) -> Mapping[str, Any]:
    """The container named, else the one ``choose`` picks among several, else the first."""
    containers = task.get("containers") or []
    names = [str(c.get("name")) for c in containers]
    if name is None and len(containers) > 1 and choose is not None:
        lines = [
            f"{c.get('name')}\t{c.get('lastStatus', '-')}\t{c.get('image', '-')}"
            for c in containers
        ]
        name = choose(names, lines)
    chosen = next((c for c in containers if name in (None, c.get("name"))), None)
    if chosen is None:
        raise EcsplanError(f"task has no container {name} (it has: {', '.join(names)})")
    return chosen


def plugin_argv(
    session: Session,
    plugin: str,
    *,
    task_id: str | None,
    container: str | None,
    command: str,
    choose_task: TaskChooser,
    choose_container: ContainerChooser,
    note: Callable[[str], None],
) -> list[str]:
    """Open the ECS Exec session; the command line that attaches to it."""
    if len(session.entries) != 1:
        raise EcsplanError("exec works on one service; name one config with -c")
    cfg = session.entries[0].config
    ref = session.refs()[session.entries[0].key]
    aws = session.aws_for(ref)
    calls = TaskCalls(aws, ref.region)
    task = _task(calls, cfg.cluster, cfg.service, task_id, choose_task, note)
    chosen = _container(task, container, choose_container)
    opened = calls.execute_command(cfg.cluster, task["taskArn"], chosen["name"], command)
    cluster_name = str(task.get("clusterArn", cfg.cluster)).rsplit("/", 1)[-1]
    target = f"ecs:{cluster_name}_{task['taskArn'].rsplit('/', 1)[-1]}_{chosen.get('runtimeId')}"
    return [
        plugin,
        json.dumps(opened["session"]),
        ref.region,
        "StartSession",
        aws.profile or "",
        json.dumps({"Target": target}),
        calls.endpoint_url,
    ]
