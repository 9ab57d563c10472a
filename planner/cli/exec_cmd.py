"""`ecsplan exec`: ECS Exec into a task of the service through session-manager-plugin.

As the AWS CLI does: ExecuteCommand opens an SSM session, then session-manager-plugin is run
with the session, the region and the target `ecs:<cluster>_<task id>_<container runtime id>`.
The plugin is checked first, so a missing one costs no AWS call.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import threading
from collections.abc import Mapping
from typing import Any

import click

from planner.aws.checks import TaskCalls
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.picker import choose, choose_task, task_id_of, task_row
from planner.cli.services import select
from planner.errors import EcsplanError

PLUGIN = "session-manager-plugin"
INSTALL_URL = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
    "session-manager-working-with-install-plugin.html"
)


def _task(
    calls: TaskCalls, cluster: str, service: str, task_id: str | None, filter_command: str | None
) -> Mapping[str, Any]:
    """The task named, else the one the filter command chooses, else the first running."""
    if task_id is None:
        arns = calls.running_task_arns(cluster, service)
        if not arns:
            raise EcsplanError(f"no running task in service {cluster}/{service}")
        if len(arns) > 1 and filter_command:
            found = calls.describe_tasks(cluster, arns)
            chosen = choose_task(filter_command, [task_row("", t) for t in found])
            return next(t for t in found if task_id_of(str(t["taskArn"])) == chosen)
        task_id = arns[0]
        more = f" (1 of {len(arns)}; choose one with --task)" if len(arns) > 1 else ""
        click.echo(f"task {task_id_of(task_id)}{more}", err=True)
    found = calls.describe_tasks(cluster, [task_id])
    if not found:
        raise EcsplanError(f"task {task_id} not found in cluster {cluster}")
    return found[0]


def _container(
    task: Mapping[str, Any], name: str | None, filter_command: str | None
) -> Mapping[str, Any]:
    """The container named, else the one the filter command chooses among several, else
    the first."""
    containers = task.get("containers") or []
    names = [str(c.get("name")) for c in containers]
    if name is None and len(containers) > 1 and filter_command:
        lines = [
            f"{c.get('name')}\t{c.get('lastStatus', '-')}\t{c.get('image', '-')}"
            for c in containers
        ]
        name = choose(filter_command, names, lines, "container")
    chosen = next((c for c in containers if name in (None, c.get("name"))), None)
    if chosen is None:
        raise EcsplanError(f"task has no container {name} (it has: {', '.join(names)})")
    return chosen


@cli.command(name="exec")
@click.option(
    "--task",
    "--id",
    "task_id",
    metavar="ID",
    help="Task ID or ARN (default: a running task); --id as in ecspresso.",
)
@click.option(
    "--port-forward",
    is_flag=True,
    hidden=True,
    help="ecspresso's port forwarding (not supported).",
)
@click.option("--local-port", type=int, hidden=True)
@click.option("--port", type=int, hidden=True)
@click.option("--host", hidden=True)
@click.option(
    "--container",
    metavar="NAME",
    help="Container (default: chosen with --filter-command when several, else the first).",
)
@click.option("--command", default="sh", show_default=True, help="Command to run.")
@pass_globals
def exec_(
    g: Globals,
    task_id: str | None,
    port_forward: bool,
    local_port: int | None,
    port: int | None,
    host: str | None,
    container: str | None,
    command: str,
) -> int:
    """Open an interactive ECS Exec session in a task of the service (needs
    session-manager-plugin on PATH and enableExecuteCommand on the service)."""
    if (
        port_forward or local_port or port or host
    ):  # named, so an ecspresso script gets the reason, not "no such option"
        raise EcsplanError(
            "exec --port-forward is not supported: it needs an SSM port-forwarding session "
            "(AWS-StartPortForwardingSessionToRemoteHost); use `aws ssm start-session` with "
            "target ecs:<cluster>_<task id>_<container runtime id>"
        )
    plugin = shutil.which(PLUGIN)
    if plugin is None:
        raise EcsplanError(
            f"exec needs {PLUGIN}, which is not on PATH; install the Session Manager plugin "
            f"for the AWS CLI: {INSTALL_URL}"
        )
    entries = select(g, definitions=False).entries
    if len(entries) != 1:
        raise EcsplanError("exec works on one service; name one config with -c")
    cfg = entries[0].config
    aws = g.aws(cfg.region)
    region = aws.region or cfg.region or aws.resolved_region()
    calls = TaskCalls(aws, region)
    filter_command = g.filter_for(cfg.filter_command)
    task = _task(calls, cfg.cluster, cfg.service, task_id, filter_command)
    chosen = _container(task, container, filter_command)
    session = calls.execute_command(cfg.cluster, task["taskArn"], chosen["name"], command)
    cluster_name = str(task.get("clusterArn", cfg.cluster)).rsplit("/", 1)[-1]
    target = f"ecs:{cluster_name}_{task['taskArn'].rsplit('/', 1)[-1]}_{chosen.get('runtimeId')}"
    argv = [
        plugin,
        json.dumps(session["session"]),
        region,
        "StartSession",
        aws.profile or "",
        json.dumps({"Target": target}),
        calls.endpoint_url,
    ]
    if threading.current_thread() is not threading.main_thread():
        return subprocess.call(argv)
    # Ctrl-C belongs to the remote shell, as with `aws ecs execute-command`.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.call(argv)
    finally:
        signal.signal(signal.SIGINT, previous)
