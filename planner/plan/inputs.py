"""The planner's inputs: a service as the config describes it and as AWS reports it, and
the record of those reads a plan keeps (so apply can plan again from it). Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from planner.plan.codedeploy_plan import CodeDeployTarget
from planner.plan.model import Observed
from planner.plan.secrets import Secrets

__all__ = [
    "CodeDeployTarget",
    "DesiredService",
    "LiveService",
    "blinded",
    "codedeploy_of",
    "is_missing",
    "live_of",
    "observed_of",
]


@dataclass(frozen=True)
class DesiredService:
    """One service as the config describes it (templates already rendered)."""

    key: str
    config_path: str
    region: str
    cluster: str
    service: str
    task_definition: Mapping[str, Any] | None
    service_definition: Mapping[str, Any] | None
    ignore_tags: tuple[str, ...] = ()
    codedeploy: CodeDeployTarget | None = None
    appspec: Mapping[str, Any] | None = None
    depends_on: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    extras: Mapping[str, Any] = field(default_factory=dict)  # the config's `ecsplan:` section


@dataclass(frozen=True)
class LiveService:
    """What AWS says about one service; ``None`` members were not found (or not read)."""

    service: Mapping[str, Any] | None = None
    task_definition: Mapping[str, Any] | None = None  # {"taskDefinition": ..., "tags": [...]}
    scalable_target: Mapping[str, Any] | None = None
    pinned_task_definition: Mapping[str, Any] | None = None  # for --revision / --latest / skip
    latest_revision: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    scaling_policies: tuple[Mapping[str, Any], ...] | None = None  # read when declared
    alarms: tuple[Mapping[str, Any], ...] | None = None
    namespace_arns: Mapping[str, set[str]] = field(default_factory=dict)  # name -> ARNs


def observed_of(
    live: LiveService, codedeploy: CodeDeployTarget | None, warnings: Sequence[str]
) -> Observed:
    """What a plan records of its reads (see :class:`Observed`); ``live`` blinded."""
    return Observed(
        service=live.service,
        task_definition=live.task_definition,
        scalable_target=live.scalable_target,
        pinned_task_definition=live.pinned_task_definition,
        latest_revision=live.latest_revision,
        scaling_policies=live.scaling_policies,
        alarms=live.alarms,
        namespace_arns={k: tuple(sorted(v)) for k, v in sorted(live.namespace_arns.items())},
        codedeploy=None if codedeploy is None else asdict(codedeploy),
        warnings=tuple(warnings),
    )


def live_of(observed: Observed) -> LiveService:
    """The planner's live input again, from what a plan recorded."""
    return LiveService(
        service=observed.service,
        task_definition=observed.task_definition,
        scalable_target=observed.scalable_target,
        pinned_task_definition=observed.pinned_task_definition,
        latest_revision=observed.latest_revision,
        scaling_policies=observed.scaling_policies,
        alarms=observed.alarms,
        namespace_arns={k: set(v) for k, v in observed.namespace_arns.items()},
    )


def codedeploy_of(observed: Observed) -> CodeDeployTarget | None:
    cd = observed.codedeploy
    return None if cd is None else CodeDeployTarget(**cd)


def is_missing(live: LiveService) -> bool:
    return live.service is None or live.service.get("status") == "INACTIVE"


def blinded(live: LiveService, secrets: Secrets) -> LiveService:
    """``live`` with its task definitions' secret values as placeholders (see
    planner/plan/secrets.py): what the planner compares and the plan records."""
    td, pinned = live.task_definition, live.pinned_task_definition
    return replace(
        live,
        task_definition=secrets.blind(td) if td is not None else None,
        pinned_task_definition=secrets.blind(pinned) if pinned is not None else None,
    )
