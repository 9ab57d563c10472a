"""The documents `ecsplan diff` compares, labelled as ecspresso labels them. Pure.

ecspresso heads each diff with the live resource's ARN and the local definition file; its
``--external`` command gets the two sides as files. Both read this list, built from the
masked plan so that no secret reaches a terminal or a file handed to another program.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from planner.plan.model import Document, Plan, ServicePlan
from planner.render.common import masked_plan, service_name
from planner.render.secrets import changed_secret_names

NO_FILE = "/dev/null"


@dataclass(frozen=True)
class DefinitionDiff:
    """One changed document: its two sides (secrets masked) and their labels."""

    live_label: str  # the live ARN, or /dev/null when there is no live document
    local_label: str  # the local definition file, or /dev/null when it is to be deleted
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    secret_changes: tuple[str, ...] = ()  # secret entries whose (masked) value changed


def _live_label(sp: ServicePlan, doc: Document) -> str:
    td_arn = sp.fingerprint.task_definition or ""
    if doc.name == "task definition":
        return td_arn or f"{service_name(sp)} task definition"
    account = td_arn.split(":")[4] if td_arn.count(":") >= 5 else ""
    if account:
        return f"arn:aws:ecs:{sp.region}:{account}:service/{sp.cluster}/{sp.service}"
    return service_name(sp)


def definition_diffs(
    plan: Plan,
    sensitive: Iterable[str] = frozenset(),
    paths: Mapping[str, Mapping[str, str]] | None = None,
) -> list[DefinitionDiff]:
    """Every changed document, service first then task definition, per service in plan
    order; ``paths`` maps a service key and document name to its local file."""
    values = frozenset(sensitive)
    shown = masked_plan(plan, values)
    out = []
    for sp, raw_sp in zip(shown.services, plan.services, strict=True):
        pairs = sorted(
            zip(sp.documents, raw_sp.documents, strict=True), key=lambda d: d[0].name != "service"
        )
        for doc, raw_doc in pairs:
            if not doc.changed:
                continue
            local = (paths or {}).get(sp.key, {}).get(doc.name) or f"{service_name(sp)} {doc.name}"
            out.append(
                DefinitionDiff(
                    live_label=_live_label(sp, doc) if doc.before is not None else NO_FILE,
                    local_label=local if doc.after is not None else NO_FILE,
                    before=doc.before,
                    after=doc.after,
                    secret_changes=tuple(
                        changed_secret_names(raw_doc.before, raw_doc.after, values)
                    ),
                )
            )
    return out


def document_paths(entries: Iterable[Any]) -> dict[str, dict[str, str]]:
    """Service key -> document name -> the local file it comes from (the `+++` side)."""
    return {
        e.key: {
            name: str(path)
            for name, path in (
                ("task definition", e.config.task_definition_path),
                ("service", e.config.service_definition_path),
            )
            if path is not None
        }
        for e in entries
    }
