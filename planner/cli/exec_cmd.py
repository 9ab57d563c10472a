"""`ecsplan exec`: ECS Exec into a task of the service through session-manager-plugin
(planner/ops/exec.py opens the session; the plugin is checked first, so a missing one costs
no AWS call; Ctrl-C belongs to the remote shell)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import threading

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.picker import choose, choose_task
from planner.errors import EcsplanError

PLUGIN = "session-manager-plugin"
INSTALL_URL = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
    "session-manager-working-with-install-plugin.html"
)


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
    from planner.ops.exec import plugin_argv

    session = g.session(definitions=False)
    cfg_filter = session.entries[0].config.filter_command if session.entries else None
    filter_command = g.filter_for(cfg_filter)
    argv = plugin_argv(
        session,
        plugin,
        task_id=task_id,
        container=container,
        command=command,
        choose_task=(lambda rows: choose_task(filter_command, rows)) if filter_command else None,
        choose_container=(
            (lambda names, lines: choose(filter_command, names, lines, "container"))
            if filter_command
            else None
        ),
        note=lambda line: click.echo(line, err=True),
    )
    if threading.current_thread() is not threading.main_thread():
        return subprocess.call(argv)
    # Ctrl-C belongs to the remote shell, as with `aws ecs execute-command`.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.call(argv)
    finally:
        signal.signal(signal.SIGINT, previous)
