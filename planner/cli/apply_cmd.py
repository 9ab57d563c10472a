"""`ecsplan apply` and `ecsplan deploy`."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from planner import __version__
from planner.apply.executor import ApplyContext, ServiceResult
from planner.apply.resume import (
    RunProgress,
    check_same_workspace,
    run_to_resume,
)
from planner.apply.resume import (
    take_over_locks as release_dead_locks,
)
from planner.apply.run import FinishHook, RunRequest, run_plan
from planner.cli.context import Globals, pass_globals
from planner.cli.flags import options_from, plan_flags
from planner.cli.main import cli
from planner.cli.plan_cmd import apply_command_hint, emit, make_plan, with_config_timeout
from planner.cli.progress import Progress
from planner.cli.services import Selection, load_options, select, state_location
from planner.config import load_valid_config
from planner.config.schema import schema_problems
from planner.errors import EcsplanError, json_path
from planner.ops.narrow import without_service_update
from planner.plan.codec import plan_from_data
from planner.plan.model import Plan, PlanOptions
from planner.plan.secrets import FILE_PLACEHOLDER_RE
from planner.render.secrets import (
    sensitive_values,
)
from planner.state.backend import lazy_secret_key, open_backend
from planner.workspace.planning import ServiceEntry, region_of, secrets_of
from planner.workspace.rederive import rederive


@contextmanager
def stop_on_signals(stop: threading.Event, progress: Progress) -> Iterator[None]:
    """SIGINT/SIGTERM: stop scheduling new steps, abandon waits, keep the journal resumable."""

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        progress.message("Stopping: finishing the current call, then writing the journal...")

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _compatible(version: str) -> bool:
    return version.split(".")[:2] == __version__.split(".")[:2]


def read_plan_file(path: str) -> dict[str, Any]:
    """The file's JSON, if it is a plan of this format (checked against plan.schema.json):
    anything else is one located error line, never a traceback."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError as e:
        raise EcsplanError(f"{path}: plan file not found") from e
    except (OSError, UnicodeDecodeError) as e:
        raise EcsplanError(f"{path}: cannot read the plan file ({e})") from e
    except json.JSONDecodeError as e:
        raise EcsplanError(f"{path}:{e.lineno}: $: not a plan file ({e.msg})") from e
    if not isinstance(data, dict) or "format_version" not in data:
        raise EcsplanError(
            f"{path}: $: not a plan file (a JSON object with format_version and services, as "
            "`ecsplan plan --out` writes)"
        )
    plan_from_data({"format_version": data["format_version"], "services": []})  # the version
    problems = schema_problems("plan", data)
    if problems:
        where, message = problems[0]
        raise EcsplanError(f"{path}: {json_path(where)}: {message} (not a valid plan file)")
    version = str(data.get("tool_version"))
    if not _compatible(version):
        raise EcsplanError(
            f"{path}: plan was made by ecsplan {version}, this is {__version__}; "
            "run plan again with this version"
        )
    return data


def verified_plan(
    g: Globals, source: str, data: dict[str, Any], options: PlanOptions | None
) -> tuple[Plan, Selection]:
    """The plan the configs (and flags) give for saved plan data, if the data is exactly it
    (planner/workspace/rederive.py); ``options`` None: the saved ones (a run's record)."""
    saved = plan_from_data(data)
    sel = reload_inputs(g, saved)
    aws = g.aws(sel.entries[0].config.region if sel.entries else None)
    options = with_config_timeout(saved.options if options is None else options, sel)
    key = open_backend(state_location(g, sel), aws).secret_key(create=False)
    if key is None and FILE_PLACEHOLDER_RE.search(json.dumps(data)):
        raise EcsplanError(
            f"{source}: the plan holds secret placeholders made with a state's key, and the "
            f"state {state_location(g, sel)} has none: apply with the state it was planned with"
        )
    regions = {e.key: region_of(e.config, aws) for e in sel.entries}
    secrets = secrets_of(sel.entries, key or b"")
    plan = rederive(source, data, sel.entries, regions, options, secrets)
    return plan, sel


def reload_inputs(g: Globals, plan: Plan) -> Selection:
    """Load the configs the plan was made from, to check the inputs and restore secrets.

    With -w/-c the selection (and so the workspace's state location and parallelism) comes
    from them and must name the plan's services; without, from the paths the plan records."""
    keys = [sp.key for sp in plan.services]
    if plan.workspace and not (g.workspace or g.configs):
        g.workspace = plan.workspace  # a workspace plan: its state location and parallelism
    if g.workspace or g.configs:
        sel = select(g)
        by_key = {e.key: e for e in sel.entries}
        missing = [k for k in keys if k not in by_key]
        if missing:
            raise EcsplanError(
                f"the plan covers {', '.join(keys)} but -w/-c select {', '.join(by_key)}; "
                "apply it with the -w/-c it was made with"
            )
        return replace(sel, entries=tuple(by_key[k] for k in keys))
    options = load_options(g)
    entries = tuple(
        ServiceEntry(sp.key, load_valid_config(sp.config_path, options), sp.depends_on)
        for sp in plan.services
    )
    return Selection(entries, 10, entries[0].config.state if len(entries) == 1 else None, options)


MARKS = {
    "succeeded": "ok",
    "unchanged": "unchanged",
    "failed": "FAILED",
    "interrupted": "INTERRUPTED",
    "skipped": "skipped",
}


def _print_results(results: list[ServiceResult], g: Globals, verb: str = "Apply") -> int:
    """Success: a line per service on stdout. Failure: raise, so the first stderr line is the
    cause; the per-service lines and what to do next follow as details."""
    lines = []
    for r in results:
        line = f"{r.key}: {MARKS.get(r.outcome, r.outcome)}"
        if r.message:
            line += f" - {_without_key(r)}"
        lines.append(line)
    retries = g.aws().retries
    if retries:
        lines.append(f"AWS calls retried: {retries} (throttling or server errors, bounded)")
    failed = [r for r in results if not r.ok]
    if not failed:
        click.echo("\n".join(lines))
        click.echo(f"{verb} complete: {len(results)} service(s).")
        return 0
    sel = f"-w {g.workspace}" if g.workspace else " ".join(f"-c {c}" for c in g.config_paths)
    if any(r.outcome in ("interrupted", "skipped") for r in failed):
        lines.append(f"To continue: ecsplan {sel} apply --resume")
    if any(r.outcome == "failed" for r in failed):
        lines.append(
            f"To undo what the run changed: ecsplan {sel} rollback; or fix the cause and "
            "plan again (apply --resume retries the failed step, e.g. after a transient error)"
        )
    first = failed[0]
    cause = f": {_without_key(first)}" if first.message else ""
    raise EcsplanError(f"{first.key} {first.outcome}{cause}", "\n".join(lines))


def _without_key(r: ServiceResult) -> str:
    """Messages raised deep down start with the service key; say it once."""
    prefix = f"{r.key}: "
    return r.message[len(prefix) :] if r.message.startswith(prefix) else r.message


def run_journaled(
    g: Globals,
    plan: Plan,
    sel: Selection,
    *,
    operation: str = "apply",
    stale_check: bool = True,
    on_finish: FinishHook | None = None,
    resume: RunProgress | None = None,
    undoes: str | None = None,
) -> list[ServiceResult]:
    """Run a plan through locks and journals with the progress view; Ctrl-C stops cleanly.
    Shared by apply, deploy, rollback, scale, refresh and delete. ``resume`` continues that
    recorded run: its finished services are reported, its unstarted ones stale-checked."""
    aws = g.aws(sel.entries[0].config.region if sel.entries else None)
    progress = Progress(color=g.color)
    stop = threading.Event()
    backend = open_backend(state_location(g, sel), aws)
    req = RunRequest(
        plan=plan,
        aws=aws,
        backend=backend,
        secrets=secrets_of(sel.entries, lazy_secret_key(backend)),
        ctx=ApplyContext(aws=aws, observer=progress, stop=stop),
        parallelism=sel.parallelism,
        operation=operation,
        check_staleness=stale_check,
        on_start=lambda sp: progress.message(f"{sp.key}: {len(sp.steps)} step(s) to {operation}"),
        sensitive=sensitive_values(plan, sel.sensitive),
        on_finish=on_finish,
        workspace=g.workspace,
        undoes=undoes,
    )
    if resume is not None:
        rid = resume.record.run_id
        req.run_id = rid
        req.finished = {
            k: ServiceResult(k, o, rid, "done before the interruption" if o == "succeeded" else "")
            for k, o in resume.done.items()
        }
        req.stale_keys = frozenset(sp.key for sp in plan.services if sp.key not in resume.started)
    with stop_on_signals(stop, progress), progress:
        return run_plan(req)


def execute(g: Globals, plan: Plan, sel: Selection, *, stale_check: bool = True) -> int:
    results = run_journaled(g, plan, sel, stale_check=stale_check)
    return _print_results(results, g)


def resume_run(g: Globals, other_hosts: bool) -> int:
    """`apply --resume`: continue the newest unfinished run of the selected services, all of
    it, with the plan it recorded; take over the dead run's locks."""
    sel = select(g)
    backend = open_backend(state_location(g, sel), g.aws(sel.entries[0].config.region))
    by_state = {f"{e.config.cluster}/{e.config.service}": e for e in sel.entries}
    progress = run_to_resume(backend, list(by_state), apply_command_hint(g, None))
    record = progress.record
    check_same_workspace(record, g.workspace)
    plan, sel = verified_plan(g, f"run {record.run_id}", dict(record.plan), None)
    for w in release_dead_locks(
        backend, [record.run_id], record.state_keys, other_hosts=other_hosts
    ):
        click.echo(f"warning: {w}", err=True)
    todo = [k for k in progress.outcomes if k not in progress.done]
    click.echo(
        f"Resuming run {record.run_id} ({record.operation} by {record.who}, {record.created}): "
        f"{', '.join(todo)} to finish"
        + (f"; {', '.join(progress.done)} done" if progress.done else ""),
        err=True,
    )
    results = run_journaled(g, plan, sel, resume=progress)
    return _print_results(results, g)


@cli.command()
@click.argument("planfile", required=False)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--resume", is_flag=True, help="Continue the last unfinished run, all of it, from the state."
)
@click.option(
    "--take-over-locks",
    is_flag=True,
    help="With --resume: take over the interrupted run's locks also when they were taken on "
    "another host (that runner is gone).",
)
@plan_flags
@pass_globals
def apply(
    g: Globals,
    planfile: str | None,
    auto_approve: bool,
    resume: bool,
    take_over_locks: bool,
    **flags: Any,
) -> int:
    """Apply a saved plan exactly (no prompt), or plan, show and ask first."""
    if take_over_locks and not resume:
        raise EcsplanError("--take-over-locks goes with --resume")
    if resume:
        if planfile:
            raise EcsplanError("--resume continues the recorded run; give no plan file")
        return resume_run(g, take_over_locks)
    if planfile:
        data = read_plan_file(planfile)
        plan, sel = verified_plan(g, planfile, data, options_from(flags))
        emit(plan, "text", g, sensitive_values(plan, sel.sensitive), None, None)
        if not plan.has_changes:
            return 0
        return execute(g, plan, sel)
    options = options_from(flags)
    plan, sel = make_plan(g, options)
    emit(plan, "text", g, sensitive_values(plan, sel.sensitive), None, None)
    if not plan.has_changes:
        return 0
    if not auto_approve:
        if not sys.stdin.isatty():
            raise EcsplanError("apply needs confirmation: pass --auto-approve or a plan file")
        click.confirm("Apply?", default=False, abort=True)
    return execute(g, plan, sel, stale_check=True)  # the prompt may have sat open a while


@cli.command()
@click.option("--dry-run", is_flag=True, help="Plan only; change nothing.")
@click.option(
    "--update-service/--no-update-service",
    default=True,
    show_default=True,
    help="Apply the service definition's attributes; with --no-update-service only the task "
    "definition, --tasks and --force-new-deployment reach UpdateService (as in ecspresso).",
)
@click.option("--wait", "wait_flag", is_flag=True, help="Wait for the rollout (the default).")
@plan_flags
@pass_globals
def deploy(g: Globals, dry_run: bool, update_service: bool, wait_flag: bool, **flags: Any) -> int:
    """Plan and apply in one go (ecspresso's deploy), no prompt."""
    if wait_flag and flags.get("no_wait"):
        raise EcsplanError("--wait and --no-wait: both forms given; give one")
    options = options_from(flags)
    plan, sel = make_plan(g, options)
    if not update_service:
        plan = without_service_update(plan)
    emit(plan, "text", g, sensitive_values(plan, sel.sensitive), None, None)
    if dry_run or not plan.has_changes:
        return 0
    return execute(g, plan, sel, stale_check=False)
