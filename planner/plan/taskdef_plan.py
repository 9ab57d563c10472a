"""The task definition: register a new revision only when the canonical content differs
(ecspresso's rule), or deploy a pinned one (--revision, --latest-task-definition,
--skip-task-definition). Pure; secrets compare as placeholders (planner/plan/secrets.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from planner.canonical.taskdef import canonical_task_definition, task_definition_register_payload
from planner.errors import EcsplanError
from planner.plan.model import Action, Document, PlanOptions, StepKind, changes_between
from planner.plan.secrets import Secrets
from planner.plan.spec import StepSpec


@dataclass(frozen=True)
class TaskDefinitionPlan:
    """``register`` when a new revision is needed; else ``arn`` is the revision to run."""

    document: Document
    register: StepSpec | None = None
    arn: str | None = None
    live_arn: str | None = None

    @property
    def changes_revision(self) -> bool:
        """The service will run another revision than it runs now."""
        return self.register is not None or (self.arn is not None and self.arn != self.live_arn)


def pinned(options: PlanOptions) -> bool:
    return (
        options.skip_task_definition
        or options.revision is not None
        or options.latest_task_definition
    )


def plan_task_definition(
    key: str,
    desired: Mapping[str, Any] | None,
    live_td: Mapping[str, Any] | None,
    live_arn: str | None,
    pinned_td: Mapping[str, Any] | None,
    options: PlanOptions,
    *,
    ignore_tags: tuple[str, ...] = (),
    secrets: Secrets,
) -> TaskDefinitionPlan:
    """``live_td``/``pinned_td``: DescribeTaskDefinition answers (blinded); ``live_arn``: the
    revision the service runs (None for a new service)."""
    before = canonical_task_definition(live_td, ignore_tags=ignore_tags) if live_td else None
    if pinned(options):
        if pinned_td is None:
            which = (
                f"revision {options.revision} of the family was not found"
                if options.revision is not None
                else "the service does not exist and the family has no ACTIVE revision"
            )
            raise EcsplanError(f"{key}: no task definition to deploy: {which}")
        after = canonical_task_definition(pinned_td, ignore_tags=ignore_tags)
        doc = Document("task definition", before, after, changes_between(before, after))
        arn = str(pinned_td["taskDefinition"]["taskDefinitionArn"])
        return TaskDefinitionPlan(doc, arn=arn, live_arn=live_arn)
    if desired is None:
        raise EcsplanError(f"{key}: the config has no task_definition")
    after = secrets.blind(canonical_task_definition(desired, ignore_tags=ignore_tags))
    doc = Document("task definition", before, after, changes_between(before, after))
    if before is not None and after == before:
        return TaskDefinitionPlan(doc, arn=live_arn, live_arn=live_arn)
    payload = task_definition_register_payload(desired)
    register = StepSpec(
        StepKind.REGISTER_TASK_DEFINITION,
        Action.CREATE,
        f"register a new revision of task definition family {payload.get('family')}",
        payload=payload,
        before=before,
        after=after,
        changes=doc.changes,
        undo={"deregister": "new revision"},
    )
    return TaskDefinitionPlan(doc, register=register, live_arn=live_arn)
