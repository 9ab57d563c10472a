"""`run`: a one-off task with the service's network settings (ecspresso run).

The exit code is the essential container's: CI jobs such as database migrations run this way
and must fail when the task fails. A task that never started (TaskFailedToStart, e.g. an
image that cannot be pulled) is an error naming ECS's reason. ``note(line, err)`` is how the
caller shows progress (``err``: on stderr).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from planner.apply.wait import poll_interval
from planner.aws.checks import TaskCalls
from planner.aws.reads import LiveReader
from planner.config.model import ServiceConfig
from planner.errors import EcsplanError
from planner.ops.session import Session
from planner.plan.model import Principal

STARTED_BY = "ecsplan"
Note = Callable[[str, bool], None]


@dataclass(frozen=True)
class RunOptions:
    count: int = 1
    which: str = "current"  # current | latest | an ARN
    revision: int | None = None
    overrides: str | None = None  # JSON
    tags: str | None = None  # K=V[,K=V]
    until: str = "stopped"  # running | stopped
    watch_container: str | None = None
    propagate_tags: str = ""  # SERVICE | TASK_DEFINITION | NONE | ""
    client_token: str | None = None
    ebs_delete_on_termination: bool = True


@dataclass(frozen=True)
class Prepared:
    """A RunTask call ready to go, for one service."""

    cfg: ServiceConfig
    region: str
    td_arn: str
    params: Mapping[str, Any]
    principal: Principal | None = None  # who runs it: the service's own identity


def prepare(session: Session, opts: RunOptions) -> Prepared:
    """The task definition to run and the RunTask parameters (from the live service, or the
    definition when there is none)."""
    if len(session.entries) != 1:
        raise EcsplanError("run works on one service; name one config with -c")
    cfg = session.entries[0].config
    ref = session.refs()[session.entries[0].key]
    reader = LiveReader(session.aws_for(ref))
    live = reader.services([ref]).get(ref)
    if live is not None and live.get("status") == "INACTIVE":
        live = None
    which = opts.which
    if opts.revision is not None:
        family = (cfg.task_definition or {}).get("family")
        name = f"{family}:{opts.revision}"
        try:
            found = reader.task_definitions([(ref.region, name)])[name]
        except EcsplanError as e:
            raise EcsplanError(f"--revision {opts.revision}: {name} not found ({e})") from e
        which = str(found["taskDefinition"]["taskDefinitionArn"])
    td_arn = _task_definition(which, cfg, live, reader, ref.region)
    kw = run_task_params(live or cfg.service_definition or {}, cfg.cluster, td_arn, opts.count)
    kw.update(_volumes(cfg.service_definition or {}, opts.ebs_delete_on_termination))
    if opts.overrides:
        kw["overrides"] = _overrides(opts.overrides)
    kw.update(_tagging(opts, live))
    if opts.client_token:
        kw["clientToken"] = opts.client_token
    return Prepared(cfg, ref.region, td_arn, kw, ref.principal)


def check_options(opts: RunOptions) -> None:
    """Refuse bad --tags / --overrides before anything is registered or started."""
    if opts.tags:
        _tags(opts.tags)
    if opts.overrides:
        _overrides(opts.overrides)


def run_tasks(session: Session, ready: Prepared, opts: RunOptions, wait: bool, note: Note) -> int:
    """Start the tasks; with ``wait``, until they run or stop: the exit code to return."""
    aws = session.aws.scoped(ready.principal)
    calls = TaskCalls(aws, ready.region)
    arns = [str(t["taskArn"]) for t in calls.run_task(**ready.params)]
    for arn in arns:
        note(f"started task {_id(arn)} ({ready.td_arn.rsplit('/', 1)[-1]})", False)
    if not wait:
        return 0
    final = wait_tasks(calls, ready.cfg, arns, opts.until, note)
    if opts.until == "running":
        return 0
    reader = LiveReader(aws)
    td = reader.task_definitions([(ready.region, ready.td_arn)])[ready.td_arn]["taskDefinition"]
    if opts.watch_container:
        names = [c.get("name") for c in td.get("containerDefinitions") or []]
        if opts.watch_container not in names:
            raise EcsplanError(
                f"--watch-container {opts.watch_container}: not in {', '.join(names)}"
            )
        td = {"containerDefinitions": [{"name": opts.watch_container, "essential": True}]}
    return exit_code(final, td, note)


def _tags(text: str) -> list[dict[str, str]]:
    """ecspresso's ``--tags K=V,K2=V2`` as RunTask tags."""
    out = []
    for item in filter(None, text.split(",")):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise EcsplanError(f"--tags {item}: expected KEY=VALUE")
        out.append({"key": key, "value": value})
    return out


def _tagging(opts: RunOptions, live: Mapping[str, Any] | None) -> dict[str, Any]:
    """``--tags`` and ``--propagate-tags`` as ecspresso run.go sends them: SERVICE adds the
    service's own tags (RunTask cannot propagate from a service), NONE or nothing sends no
    propagateTags (ECS refuses NONE there), anything else is TASK_DEFINITION."""
    tags = _tags(opts.tags) if opts.tags else []
    out: dict[str, Any] = {}
    if opts.propagate_tags == "SERVICE":
        tags += [{"key": t["key"], "value": t["value"]} for t in (live or {}).get("tags") or []]
    elif opts.propagate_tags not in ("", "NONE"):
        out["propagateTags"] = "TASK_DEFINITION"
    if tags:
        out["tags"] = tags
    return out


def _volumes(service_def: Mapping[str, Any], delete_on_termination: bool) -> dict[str, Any]:
    """The service definition's managed EBS volumes for the task (ecspresso util.go
    serviceVolumeConfigurationsToTask): SERVICE tag propagation, which RunTask does not take,
    left out; the termination policy from ``--[no-]ebs-delete-on-termination``."""
    out = []
    for vc in service_def.get("volumeConfigurations") or []:
        ebs = vc.get("managedEBSVolume")
        if not ebs:
            continue
        volume = {k: v for k, v in ebs.items() if k in _TASK_EBS_FIELDS}
        specs = [
            t for t in ebs.get("tagSpecifications") or [] if t.get("propagateTags") != "SERVICE"
        ]
        if specs:
            volume["tagSpecifications"] = specs
        volume["terminationPolicy"] = {"deleteOnTermination": delete_on_termination}
        out.append({"name": vc.get("name"), "managedEBSVolume": volume})
    return {"volumeConfigurations": out} if out else {}


_TASK_EBS_FIELDS = (
    "roleArn",
    "encrypted",
    "filesystemType",
    "iops",
    "kmsKeyId",
    "sizeInGiB",
    "snapshotId",
    "throughput",
    "volumeType",
)


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
    for key in ("placementConstraints", "placementStrategy"):
        if source.get(key):
            kw[key] = source[key]
    for key in ("enableExecuteCommand", "enableECSManagedTags"):
        if source.get(key):
            kw[key] = True
    return kw


def _overrides(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise EcsplanError(f"--overrides is not valid JSON: {e.msg} at column {e.colno}") from e
    if not isinstance(value, dict):
        raise EcsplanError("--overrides must be a JSON object (RunTask's overrides)")
    return value


def wait_tasks(
    calls: TaskCalls, cfg: ServiceConfig, arns: list[str], until: str, note: Note
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
                note(f"task {_id(t['taskArn'])}: {status}", False)
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


def exit_code(tasks: list[dict[str, Any]], td: Mapping[str, Any], note: Note) -> int:
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
                note(
                    f"task {_id(t['taskArn'])}: essential container {c.get('name')} exited "
                    f"with code {code} ({t.get('stoppedReason', '')})",
                    True,
                )
                return int(code)
    for t in tasks:
        note(f"task {_id(t['taskArn'])}: essential containers exited with code 0", False)
    return 0
