"""Plan <-> JSON-ready dicts. Pure; the plan file's schema is schemas/plan.schema.json."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any

from planner.errors import EcsplanError
from planner.plan.model import (
    PLAN_FORMAT_VERSION,
    Action,
    Change,
    Document,
    Fingerprint,
    Identity,
    LiveState,
    Observed,
    Plan,
    PlanOptions,
    ServicePlan,
    Step,
    StepKind,
    Summary,
)


def to_data(obj: Any) -> Any:
    """Dataclasses, enums and tuples to plain JSON values (dict keys keep field order)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Mapping):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_data(v) for v in obj]
    return obj


def plan_to_data(plan: Plan) -> dict[str, Any]:
    data = to_data(plan)
    data["has_changes"] = plan.has_changes
    data["services"] = [_without_no_identity(s) for s in data["services"]]
    return data


def service_to_data(sp: ServicePlan) -> dict[str, Any]:
    """One service's plan as a plan file (and a journal's run_start) holds it."""
    return _without_no_identity(to_data(sp))


def _without_no_identity(data: dict[str, Any]) -> dict[str, Any]:
    """A service without an identity is written as before identities existed (issue 21),
    so plan files, journals and run records of single-identity runs keep their form."""
    if data.get("identity", 0) is None:
        del data["identity"]
    return data


def _tuple(v: Any) -> tuple[Any, ...]:
    return tuple(v or ())


def _change(d: Mapping[str, Any]) -> Change:
    return Change(path=d["path"], kind=d["kind"], before=d.get("before"), after=d.get("after"))


def _step(d: Mapping[str, Any]) -> Step:
    return Step(
        id=d["id"],
        kind=StepKind(d["kind"]),
        action=Action(d["action"]),
        description=d.get("description", ""),
        payload=d.get("payload") or {},
        inputs=d.get("inputs") or {},
        before=d.get("before"),
        after=d.get("after"),
        changes=tuple(_change(c) for c in d.get("changes") or ()),
        destructive=bool(d.get("destructive")),
        undo=d.get("undo"),
    )


def _fingerprint(d: Mapping[str, Any]) -> Fingerprint:
    mm = d.get("scaling_min_max")
    return Fingerprint(
        status=d["status"],
        task_definition=d.get("task_definition"),
        desired_count=d.get("desired_count"),
        deployment_ids=_tuple(d.get("deployment_ids")),
        scaling_suspended=d.get("scaling_suspended"),
        scaling_min_max=(int(mm[0]), int(mm[1])) if mm else None,
        latest_revision=d.get("latest_revision"),
        live=_live(d["live"]) if d.get("live") is not None else None,
    )


def _live(d: Mapping[str, Any]) -> LiveState:
    """The recorded live state; absent in plan files of older versions (apply refuses those)."""
    return LiveState(
        digests=dict(d["digests"]),
        fields=dict(d["fields"]),
        unmanaged=_tuple(d.get("unmanaged")),
        scaling_policies=bool(d.get("scaling_policies")),
        alarms=_tuple(d.get("alarms")),
    )


def _document(d: Mapping[str, Any]) -> Document:
    return Document(
        name=d["name"],
        before=d.get("before"),
        after=d.get("after"),
        changes=tuple(_change(c) for c in d.get("changes") or ()),
    )


def _summary(d: Mapping[str, Any]) -> Summary:
    return Summary(
        images_before=_tuple(d.get("images_before")),
        images_after=_tuple(d.get("images_after")),
        cpu_memory_before=d.get("cpu_memory_before"),
        cpu_memory_after=d.get("cpu_memory_after"),
        desired_before=d.get("desired_before"),
        desired_after=d.get("desired_after"),
        deployment=d.get("deployment", "rolling"),
    )


def _observed(d: Mapping[str, Any]) -> Observed:
    def many(v: Any) -> tuple[Any, ...] | None:
        return None if v is None else tuple(v)

    return Observed(
        service=d.get("service"),
        task_definition=d.get("task_definition"),
        scalable_target=d.get("scalable_target"),
        pinned_task_definition=d.get("pinned_task_definition"),
        latest_revision=d.get("latest_revision"),
        scaling_policies=many(d.get("scaling_policies")),
        alarms=many(d.get("alarms")),
        namespace_arns={str(k): tuple(v) for k, v in (d.get("namespace_arns") or {}).items()},
        codedeploy=d.get("codedeploy"),
        warnings=_tuple(d.get("warnings")),
    )


def _service(d: Mapping[str, Any]) -> ServicePlan:
    return ServicePlan(
        key=d["key"],
        config_path=d["config_path"],
        region=d["region"],
        cluster=d["cluster"],
        service=d["service"],
        controller=d["controller"],
        action=Action(d["action"]),
        fingerprint=_fingerprint(d["fingerprint"]),
        steps=tuple(_step(s) for s in d.get("steps") or ()),
        documents=tuple(_document(x) for x in d.get("documents") or ()),
        summary=_summary(d.get("summary") or {}),
        depends_on=_tuple(d.get("depends_on")),
        warnings=_tuple(d.get("warnings")),
        observed=_observed(d["observed"]) if d.get("observed") is not None else None,
        left_alone=_tuple(d.get("left_alone")),
        identity=_identity(d["identity"]) if d.get("identity") is not None else None,
    )


def _identity(d: Mapping[str, Any]) -> Identity:
    return Identity(
        account=str(d["account"]),
        profile=d.get("profile"),
        role_arn=d.get("role_arn"),
        scoped=bool(d.get("scoped")),
    )


def _options(d: Mapping[str, Any]) -> PlanOptions:
    known = {f.name for f in dataclasses.fields(PlanOptions)}
    kw = {k: v for k, v in d.items() if k in known}
    if "rollback_events" in kw:
        kw["rollback_events"] = _tuple(kw["rollback_events"])
    return PlanOptions(**kw)


def plan_from_data(data: Mapping[str, Any]) -> Plan:
    """Decode a plan file; a file of another format version is refused, not guessed at."""
    version = data.get("format_version")
    if version != PLAN_FORMAT_VERSION:
        raise EcsplanError(
            f"plan file format_version {version!r} is not supported "
            f"(this ecsplan reads version {PLAN_FORMAT_VERSION}); run plan again"
        )
    try:
        return Plan(
            services=tuple(_service(s) for s in data["services"]),
            options=_options(data.get("options") or {}),
            tool_version=data.get("tool_version", ""),
            created_at=data.get("created_at", ""),
            inputs_digest=data.get("inputs_digest", ""),
            workspace=data.get("workspace"),
            format_version=version,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise EcsplanError(f"plan file is malformed: {e}") from e
