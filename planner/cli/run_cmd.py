"""`ecsplan run`: a one-off task with the service's network settings (ecspresso run).

The exit code is the essential container's: CI jobs such as database migrations run this way
and must fail when the task fails. A task that never started (TaskFailedToStart, e.g. an
image that cannot be pulled) is an error naming ECS's reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import click

from planner.apply.wait import poll_interval
from planner.aws.checks import TaskCalls
from planner.aws.reads import LiveReader, ServiceRef
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.services import select
from planner.config.model import ServiceConfig
from planner.errors import EcsplanError

STARTED_BY = "ecsplan"


@cli.command()
@click.option("--overrides", metavar="JSON", help="RunTask overrides (containerOverrides...).")
@click.option("--count", default=1, show_default=True, type=click.IntRange(1, 10))
@click.option(
    "--wait-until",
    type=click.Choice(["running", "stopped"]),
    default="stopped",
    show_default=True,
    help="Return when the tasks run, or when they have stopped (exit code follows theirs).",
)
@click.option(
    "--task-definition",
    "which",
    default="current",
    show_default=True,
    metavar="current|latest|ARN",
    help="The service's task definition, the family's newest revision, or an ARN.",
)
@click.option("--wait/--no-wait", default=True, help="Wait for the tasks (default).")
@click.option("--overrides-file", metavar="FILE", help="RunTask overrides from a JSON file.")
@click.option(
    "--skip-task-definition", is_flag=True, help="ecspresso's name of --task-definition current."
)
@click.option(
    "--latest-task-definition", is_flag=True, help="ecspresso's name of --task-definition latest."
)
@click.option("--revision", type=int, help="Run this revision of the family.")
@click.option("--watch-container", metavar="NAME", help="The container whose exit code counts.")
@click.option("--tags", metavar="K=V[,K=V]", help="Tags for the task.")
@click.option("--dry-run", is_flag=True, help="Show the task definition to run; start nothing.")
@pass_globals
def run(
    g: Globals,
    overrides: str | None,
    count: int,
    wait_until: str,
    which: str,
    wait: bool,
    overrides_file: str | None,
    skip_task_definition: bool,
    latest_task_definition: bool,
    revision: int | None,
    watch_container: str | None,
    tags: str | None,
    dry_run: bool,
) -> int:
    """Run a task with the service's network configuration, launch type or capacity
    provider strategy and platform version; wait and exit with the essential container's
    exit code."""
    no_wait = not wait
    pins = [skip_task_definition, latest_task_definition, revision is not None]
    if sum(pins) > 1:
        raise EcsplanError(
            "--skip-task-definition, --latest-task-definition and --revision exclude each other"
        )
    if latest_task_definition:
        which = "latest"
    if overrides and overrides_file:
        raise EcsplanError("--overrides and --overrides-file exclude each other")
    if overrides_file:
        overrides = _read_file(overrides_file)
    entries = select(g).entries
    if len(entries) != 1:
        raise EcsplanError("run works on one service; name one config with -c")
    cfg = entries[0].config
    aws = g.aws(cfg.region)
    region = aws.region or cfg.region or aws.resolved_region()
    reader = LiveReader(aws)
    ref = ServiceRef(region, cfg.cluster, cfg.service)
    live = reader.services([ref]).get(ref)
    if live is not None and live.get("status") == "INACTIVE":
        live = None
    if revision is not None:
        family = (cfg.task_definition or {}).get("family")
        name = f"{family}:{revision}"
        try:
            found = reader.task_definitions([(region, name)])[name]
        except EcsplanError as e:
            raise EcsplanError(f"--revision {revision}: {name} not found ({e})") from e
        which = str(found["taskDefinition"]["taskDefinitionArn"])
    td_arn = _task_definition(which, cfg, live, reader, region)
    kw = run_task_params(live or cfg.service_definition or {}, cfg.cluster, td_arn, count)
    if overrides:
        kw["overrides"] = _overrides(overrides)
    if tags:
        kw["tags"] = _tags(tags)
    if dry_run:
        click.echo(f"Dry run: would run {count} task(s) of {td_arn.rsplit('/', 1)[-1]}")
        return 0

    calls = TaskCalls(aws, region)
    tasks = calls.run_task(**kw)
    arns = [str(t["taskArn"]) for t in tasks]
    for arn in arns:
        click.echo(f"started task {_id(arn)} ({td_arn.rsplit('/', 1)[-1]})")
    if no_wait:
        return 0
    final = _wait(calls, cfg, arns, wait_until)
    if wait_until == "running":
        return 0
    td = reader.task_definitions([(region, td_arn)])[td_arn]["taskDefinition"]
    if watch_container:
        names = [c.get("name") for c in td.get("containerDefinitions") or []]
        if watch_container not in names:
            raise EcsplanError(f"--watch-container {watch_container}: not in {', '.join(names)}")
        td = {"containerDefinitions": [{"name": watch_container, "essential": True}]}
    return exit_code(final, td)


def _read_file(path: str) -> str:
    try:
        return open(path, encoding="utf-8").read()
    except OSError as e:
        raise EcsplanError(f"--overrides-file {path}: {e.strerror}") from e


def _tags(text: str) -> list[dict[str, str]]:
    """ecspresso's ``--tags K=V,K2=V2`` as RunTask tags."""
    out = []
    for item in filter(None, text.split(",")):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise EcsplanError(f"--tags {item}: expected KEY=VALUE")
        out.append({"key": key, "value": value})
    return out


def _id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _task_definition(
    which: str,
    cfg: ServiceConfig,
    live: Mapping[str, Any] | None,
    reader: LiveReader,
    region: str,
) -> str:
    if which == "current":
        if live is None:
            raise EcsplanError(
                f"service {cfg.cluster}/{cfg.service} not found; "
                "use --task-definition latest or an ARN"
            )
        return str(live["taskDefinition"])
    if which == "latest":
        family = (cfg.task_definition or {}).get("family")
        arn = reader.latest_task_definition(region, str(family)) if family else None
        if arn is None:
            raise EcsplanError(f"no ACTIVE revision of task definition family {family}")
        return arn
    return which


def run_task_params(
    source: Mapping[str, Any], cluster: str, td_arn: str, count: int
) -> dict[str, Any]:
    """RunTask kwargs from the live service (or the service definition when there is none)."""
    kw: dict[str, Any] = {
        "cluster": cluster,
        "taskDefinition": td_arn,
        "count": count,
        "startedBy": STARTED_BY,
    }
    if source.get("networkConfiguration"):
        kw["networkConfiguration"] = source["networkConfiguration"]
    if source.get("capacityProviderStrategy"):
        kw["capacityProviderStrategy"] = [
            {k: v for k, v in item.items() if k in ("capacityProvider", "weight", "base")}
            for item in source["capacityProviderStrategy"]
        ]
    elif source.get("launchType"):
        kw["launchType"] = source["launchType"]
    if source.get("platformVersion"):
        kw["platformVersion"] = source["platformVersion"]
    if source.get("enableExecuteCommand"):
        kw["enableExecuteCommand"] = True
    return kw


def _overrides(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise EcsplanError(f"--overrides is not valid JSON: {e.msg} at column {e.colno}") from e
    if not isinstance(value, dict):
        raise EcsplanError("--overrides must be a JSON object (RunTask's overrides)")
    return value


def _wait(
    calls: TaskCalls, cfg: ServiceConfig, arns: list[str], until: str
) -> list[dict[str, Any]]:
    """Poll until every task is RUNNING (or stopped after running) / STOPPED."""
    deadline = time.monotonic() + cfg.timeout_seconds
    seen: dict[str, str] = {}
    while True:
        tasks = calls.describe_tasks(cfg.cluster, arns)
        for t in tasks:
            status = str(t.get("lastStatus"))
            if seen.get(t["taskArn"]) != status:
                seen[t["taskArn"]] = status
                click.echo(f"task {_id(t['taskArn'])}: {status}")
            if status == "STOPPED" and failed_to_start(t):
                raise EcsplanError(
                    f"task {_id(t['taskArn'])} failed to start (TaskFailedToStart): "
                    f"{t.get('stoppedReason') or 'no reason given'}"
                )
        stopped = all(t.get("lastStatus") == "STOPPED" for t in tasks)
        running = all(t.get("lastStatus") == "RUNNING" or t.get("startedAt") for t in tasks)
        if tasks and (stopped or (until == "running" and running)):
            return tasks
        if time.monotonic() > deadline:
            raise EcsplanError(
                f"timed out after {cfg.timeout_seconds:g}s waiting for the task to be {until}"
            )
        time.sleep(poll_interval())


def failed_to_start(task: Mapping[str, Any]) -> bool:
    return task.get("stopCode") == "TaskFailedToStart" or not task.get("startedAt")


def exit_code(tasks: list[dict[str, Any]], td: Mapping[str, Any]) -> int:
    """The first non-zero exit code of an essential container (0 when all exited 0)."""
    essential = {
        c["name"] for c in td.get("containerDefinitions") or [] if c.get("essential", True)
    }
    for t in tasks:
        for c in t.get("containers") or []:
            if c.get("name") not in essential:
                continue
            code = c.get("exitCode")
            if code is None:
                raise EcsplanError(
                    f"task {_id(t['taskArn'])}: container {c.get('name')} stopped without an "
                    f"exit code: {c.get('reason') or t.get('stoppedReason') or 'unknown reason'}"
                )
            if code != 0:
                click.echo(
                    f"task {_id(t['taskArn'])}: essential container {c.get('name')} exited "
                    f"with code {code} ({t.get('stoppedReason', '')})",
                    err=True,
                )
                return int(code)
    for t in tasks:
        click.echo(f"task {_id(t['taskArn'])}: essential containers exited with code 0")
    return 0
