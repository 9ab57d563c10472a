"""Details of single steps that reviewers need besides the document diffs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from planner.plan.model import Document, Step, StepKind


def appspec_lines(step: Step) -> list[str]:
    """The AppSpec a CodeDeploy step will send, pretty-printed; [] for other steps.

    Accepts the CreateDeployment shape (``revision.appSpecContent.content``) and a bare
    ``appSpecContent`` or ``appspec`` key; a content string that is not JSON is shown as is.
    """
    if step.kind is not StepKind.CREATE_CODEDEPLOY_DEPLOYMENT:
        return []
    p: Mapping[str, Any] = step.payload
    content: Any = None
    revision = p.get("revision")
    if isinstance(revision, Mapping):
        content = (revision.get("appSpecContent") or {}).get("content")
    if content is None and isinstance(p.get("appSpecContent"), Mapping):
        content = p["appSpecContent"].get("content")
    if content is None:
        content = p.get("appspec")
    if content is None:
        return []
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            return content.splitlines()
    return json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


# Steps whose changes a document diff shows (task definition, service) or the AppSpec does.
_IN_DOCUMENTS = frozenset(
    {
        StepKind.REGISTER_TASK_DEFINITION,
        StepKind.CREATE_SERVICE,
        StepKind.UPDATE_SERVICE,
        StepKind.CREATE_CODEDEPLOY_DEPLOYMENT,
    }
)


def change_lines(step: Step) -> list[str]:
    """``field: before -> after`` for every step whose changes no document diff shows:
    scaling, policies, alarms; so a reviewer sees each changed field, not only a name."""
    if step.kind in _IN_DOCUMENTS:
        return []
    return [f"{c.path}: {_short(c.before)} -> {_short(c.after)}" for c in step.changes]


def document_symbol(doc: Document) -> str:
    """+ for a new document, - for a removed one, ~ for a changed one."""
    if doc.before is None and doc.after is not None:
        return "+"
    if doc.after is None and doc.before is not None:
        return "-"
    return "~"
