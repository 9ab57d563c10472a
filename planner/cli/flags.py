"""The plan/deploy flags of the CLI contract (ecspresso names), shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from planner.config.duration import parse_duration
from planner.config.limits import INT32_MAX
from planner.errors import EcsplanError
from planner.plan.model import PlanOptions

WAIT_UNTIL_HELP = (
    "stable | deployed | paused | ecs:<LifecycleStage> | codedeploy:<LifecycleEvent> "
    "(default deployed)"
)


class WaitUntil(click.ParamType):
    """``stable``, ``deployed``, ``paused`` (at a PAUSE lifecycle hook), ``ecs:<stage>`` of
    an ECS-native deployment or ``codedeploy:<event>`` of a CodeDeploy one; anything else is
    one error line naming the flag and what it accepts, before any AWS call."""

    name = "stable|deployed|paused|ecs:STAGE|codedeploy:EVENT"

    def __init__(self, lifecycle: bool = True) -> None:
        """``lifecycle=False``: only stable, deployed and paused (ecspresso's continue enum)."""
        self.lifecycle = lifecycle
        if not lifecycle:
            self.name = "stable|deployed|paused"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from planner.apply.wait import ECS_STAGES
        from planner.plan.codedeploy_plan import CODEDEPLOY_EVENTS

        text = str(value)
        kind, _, name = text.partition(":")
        if text in ("stable", "deployed", "paused"):
            return text
        if not self.lifecycle:
            self.fail(f"{text!r} is not stable, deployed or paused", param, ctx)
        if (kind, name in ECS_STAGES) == ("ecs", True):
            return text
        if (kind, name in CODEDEPLOY_EVENTS) == ("codedeploy", True):
            return text
        stages = ", ".join(f"ecs:{s}" for s in ECS_STAGES)
        events = ", ".join(f"codedeploy:{e}" for e in CODEDEPLOY_EVENTS)
        self.fail(
            f"{text!r} is not stable, deployed, paused or one of {stages}, {events}", param, ctx
        )


class RollbackEvents(click.ParamType):
    """``DEPLOYMENT_FAILURE,DEPLOYMENT_STOP_ON_ALARM``: checked before anything is read."""

    name = "EV[,EV]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from planner.plan.codedeploy_plan import ROLLBACK_EVENTS

        for event in (e.strip() for e in str(value).split(",") if e.strip()):
            if event not in ROLLBACK_EVENTS:
                # ecspresso deploy.go: "invalid rollback event: %s"
                self.fail(
                    f"invalid rollback event: {event} (one of {', '.join(ROLLBACK_EVENTS)})",
                    param,
                    ctx,
                )
        return str(value)


# A desired count is an int32 in the API; the tasks-per-service quota is checked per service
# when planning (it may be raised per account: ecsplan.tasks_per_service).
TASKS = click.IntRange(0, INT32_MAX)


def comment_target_flags(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--pr`` and ``--comment-key``: which pull request, and which plan comment in it
    (`plan --github-comment` and `comment` must find the same one; `plan --github-issue`
    finds its drift issue by the key too)."""
    fn = click.option(
        "--comment-key",
        metavar="KEY",
        help="Tells this plan's comment apart from other plans in the same PR, or its drift "
        "issue from other drift checks in the repository (default: the -w or -c paths).",
    )(fn)
    return click.option(
        "--pr",
        type=click.IntRange(min=1),
        metavar="N",
        help="Pull request number (default: from the event file, GITHUB_EVENT_PATH).",
    )(fn)


def plan_flags(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a command with every flag that shapes a plan."""
    opts = [
        click.option(
            "--skip-task-definition", is_flag=True, help="Keep the running task definition."
        ),
        click.option("--revision", type=int, help="Deploy this revision of the family."),
        click.option(
            "--latest-task-definition", is_flag=True, help="Deploy the newest ACTIVE revision."
        ),
        click.option(
            "--force-new-deployment",
            is_flag=True,
            help="Start a new deployment even without changes.",
        ),
        click.option("--tasks", type=TASKS, help="Desired count (overrides the definition)."),
        click.option(
            "--suspend-auto-scaling", is_flag=True, help="Suspend auto scaling before deploying."
        ),
        click.option(
            "--resume-auto-scaling", is_flag=True, help="Resume auto scaling after deploying."
        ),
        click.option("--auto-scaling-min", type=int, help="Scalable target MinCapacity."),
        click.option("--auto-scaling-max", type=int, help="Scalable target MaxCapacity."),
        click.option(
            "--rollback-events",
            type=RollbackEvents(),
            help="CodeDeploy auto rollback events.",
        ),
        click.option("--deployment-config", help="CodeDeploy deployment config name."),
        click.option(
            "--no-wait/--wait", "no_wait", default=False, help="Do not wait for the rollout."
        ),
        click.option(
            "--wait-until",
            type=WaitUntil(),
            default="deployed",
            show_default=True,
            help=WAIT_UNTIL_HELP,
        ),
        click.option("--timeout", metavar="DURATION", help="Rollout wait timeout (e.g. 10m)."),
    ]
    for o in reversed(opts):
        fn = o(fn)
    return fn


PLAN_FLAG_NAMES = (
    "skip_task_definition",
    "revision",
    "latest_task_definition",
    "force_new_deployment",
    "tasks",
    "suspend_auto_scaling",
    "resume_auto_scaling",
    "auto_scaling_min",
    "auto_scaling_max",
    "rollback_events",
    "deployment_config",
    "no_wait",
    "wait_until",
    "timeout",
)


def pin_task_definition(skip: Any, revision: int | None, latest: Any) -> dict[str, Any]:
    """ecspresso v2.6.0 deploy.go taskDefinitionArnForDeploy (and run.go
    resolveTaskDefinitionForRun): --revision wins, then --latest-task-definition, then
    --skip-task-definition; only --revision with --latest-task-definition is an error."""
    if revision is not None and latest:
        raise EcsplanError("revision and latest-task-definition are exclusive")
    return {
        "skip_task_definition": bool(skip) and revision is None and not latest,
        "revision": revision,
        "latest_task_definition": bool(latest),
    }


def options_from(kw: dict[str, Any], default_timeout: float | None = None) -> PlanOptions:
    """PlanOptions from the flags (popped from ``kw``), checked for contradictions."""
    f = {k: kw.pop(k, None) for k in PLAN_FLAG_NAMES}
    f.update(
        pin_task_definition(f["skip_task_definition"], f["revision"], f["latest_task_definition"])
    )
    until = f["wait_until"] or "deployed"
    events = tuple(e.strip() for e in (f["rollback_events"] or "").split(",") if e.strip())
    try:
        timeout = parse_duration(f["timeout"]) if f["timeout"] else default_timeout
    except ValueError as e:
        raise EcsplanError(f"--timeout: {e}") from e
    return PlanOptions(
        skip_task_definition=bool(f["skip_task_definition"]),
        revision=f["revision"],
        latest_task_definition=bool(f["latest_task_definition"]),
        force_new_deployment=bool(f["force_new_deployment"]),
        tasks=f["tasks"],
        suspend_auto_scaling=bool(f["suspend_auto_scaling"]),
        resume_auto_scaling=bool(f["resume_auto_scaling"]),
        auto_scaling_min=f["auto_scaling_min"],
        auto_scaling_max=f["auto_scaling_max"],
        rollback_events=events,
        deployment_config=f["deployment_config"],
        wait=not f["no_wait"],
        wait_until=until,
        timeout_seconds=timeout,
    )


def timeout_of(value: str | None) -> float | None:
    """A command's own --timeout (a Go duration), None when not given."""
    try:
        return parse_duration(value) if value else None
    except ValueError as e:
        raise EcsplanError(f"--timeout: {e}") from e
