"""A saved plan is applied only as the configs make it: every step is derived again.

A plan file is untrusted input: a CI artifact that anyone with read access can download
and that a pull request's own code produced. So apply never runs the file's steps. It
plans again, with the pure planner, from the configs it is given (checked out from the
reviewed branch), the flags it is given, and the reads the plan recorded
(:class:`planner.plan.model.Observed`); the file must equal that plan exactly, or it is
refused naming the first difference, before any write. The stale check then holds the
recorded reads to live AWS. Whatever a file says, apply does what these configs say.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from planner.errors import EcsplanError
from planner.plan.codec import plan_from_data, plan_to_data
from planner.plan.inputs import codedeploy_of, live_of
from planner.plan.model import Identity, Plan, PlanOptions, ServicePlan
from planner.plan.secrets import Secrets, secret_values_in
from planner.workspace.planning import ServiceEntry, inputs_digest, plan_for

# PlanOptions field -> the flag a user gives for it
FLAGS = {
    "skip_task_definition": "--skip-task-definition",
    "revision": "--revision",
    "latest_task_definition": "--latest-task-definition",
    "force_new_deployment": "--force-new-deployment",
    "tasks": "--tasks",
    "suspend_auto_scaling": "--suspend-auto-scaling",
    "resume_auto_scaling": "--resume-auto-scaling",
    "auto_scaling_min": "--auto-scaling-min",
    "auto_scaling_max": "--auto-scaling-max",
    "rollback_events": "--rollback-events",
    "deployment_config": "--deployment-config",
    "wait": "--no-wait",
    "wait_until": "--wait-until",
}
# Not a reviewed input: how long this apply waits changes no write (its own --timeout, else
# the config's timeout, as for any apply).
UNBOUND = ("timeout_seconds",)
_NOT_COMPARED = ("config_path",)  # a path as typed; the configs' content is compared


class PlanMismatch(EcsplanError):
    """The plan file says something the configs do not: nothing is applied."""


def rederive(
    source: str,
    data: Mapping[str, Any],
    entries: Sequence[ServiceEntry],
    regions: Mapping[str, str],
    options: PlanOptions,
    secrets: Secrets,
    identities: Mapping[str, Identity] | None = None,
) -> Plan:
    """The plan these configs, flags and recorded reads give, if ``data`` (a plan file's,
    or a run record's, content) is exactly it; else PlanMismatch naming the first
    difference. ``regions`` and ``identities``: each entry's region and identity (account,
    profile, role), as this invocation resolves them. The rollout timeout is this apply's
    own (``options.timeout_seconds``)."""
    saved = plan_from_data(data)
    given = options
    options = dataclasses.replace(options, timeout_seconds=saved.options.timeout_seconds)
    identities = identities or {}
    _same_services(source, saved, entries)
    _same_identities(source, saved, regions, identities)
    _same_inputs(source, saved, entries)
    _same_options(source, saved.options, options)
    by_key = {e.key: e for e in entries}

    def derive(sp: ServicePlan, opts: PlanOptions) -> ServicePlan:
        entry, region = by_key[sp.key], regions[sp.key]
        derived = _service(source, sp, entry, region, opts, secrets)
        return dataclasses.replace(derived, identity=identities.get(sp.key))

    services = tuple(derive(sp, options) for sp in saved.services)
    derived = Plan(
        services=services,
        options=options,
        tool_version=saved.tool_version,
        created_at=saved.created_at,
        inputs_digest=saved.inputs_digest,
        workspace=saved.workspace,
    )
    _same_data(source, data, derived, secrets)
    if given.timeout_seconds == options.timeout_seconds:
        return derived
    return dataclasses.replace(
        derived,
        options=given,
        services=tuple(derive(sp, given) for sp in saved.services),
    )


def _same_identities(
    source: str, saved: Plan, regions: Mapping[str, str], identities: Mapping[str, Identity]
) -> None:
    """Each service acts as the account, region, profile and role the configs give: a plan
    made for one account is never applied to another."""
    for sp in saved.services:
        was = _where(sp.identity, sp.region)
        now = _where(identities.get(sp.key), regions[sp.key])
        if was != now:
            raise PlanMismatch(
                f"{source}: {sp.key}: the plan acts as {was}, these configs and credentials "
                f"give {now}; nothing was applied",
                "apply a plan with the workspace, configs and credentials it was made with, "
                "or run plan again",
            )


def _where(identity: Identity | None, region: str) -> str:
    if identity is None:
        return f"the invocation's identity in {region}"
    who = [f"account {identity.account}"]
    who += [f"profile {identity.profile}"] if identity.profile else []
    who += [f"role {identity.role_arn}"] if identity.role_arn else []
    return f"{', '.join(who)} in {region}"


def _same_inputs(source: str, saved: Plan, entries: Sequence[ServiceEntry]) -> None:
    if saved.inputs_digest == inputs_digest(entries):
        return
    again = (
        "restore them to resume it, or plan and apply afresh"
        if source.startswith("run ")
        else "run plan again"
    )
    raise PlanMismatch(
        f"{source}: the plan was made for other inputs (configs, definitions or their "
        f"variables changed since); {again}"
    )


def _same_data(source: str, data: Mapping[str, Any], derived: Plan, secrets: Secrets) -> None:
    """``data`` is the derived plan as a file holds it (secrets masked), or PlanMismatch."""
    masked = secrets.mask(plan_to_data(derived), secret_values_in(derived, secrets.marked))
    diff = first_difference(_compared(data), _compared(masked))
    if diff is None:
        return
    path, was, now = diff
    raise PlanMismatch(
        f"{source}: the plan does not match what the configs give: at {path} it has "
        f"{_short(was)} where these configs and the plan's recorded reads give "
        f"{_short(now)}; nothing was applied",
        "a plan file is applied only as the configs make it: run plan again from the "
        "reviewed configs",
    )


def _service(
    source: str,
    sp: ServicePlan,
    entry: ServiceEntry,
    region: str,
    options: PlanOptions,
    secrets: Secrets,
) -> ServicePlan:
    obs = sp.observed
    if obs is None:
        raise PlanMismatch(
            f"{source}: {sp.key}: the plan records no reads (made by an older ecsplan?); "
            "run plan again"
        )
    derived = plan_for(
        entry, region, live_of(obs), codedeploy_of(obs), obs.warnings, options, secrets
    )
    return dataclasses.replace(derived, config_path=sp.config_path)


def _same_services(source: str, saved: Plan, entries: Sequence[ServiceEntry]) -> None:
    keys = [sp.key for sp in saved.services]
    selected = [e.key for e in entries]
    if keys != selected:
        raise PlanMismatch(
            f"{source}: the plan covers {', '.join(keys) or 'no service'} but -w/-c select "
            f"{', '.join(selected) or 'none'}; apply it with the -w/-c it was made with"
        )


def _same_options(source: str, saved: PlanOptions, given: PlanOptions) -> None:
    """The flags are reviewed inputs as the configs are: apply is given them again."""
    for f in dataclasses.fields(PlanOptions):
        if f.name in UNBOUND:
            continue
        was, now = getattr(saved, f.name), getattr(given, f.name)
        if was != now:
            flag = FLAGS.get(f.name, f.name)
            raise PlanMismatch(
                f"{source}: the plan was made with {flag} {_flag_value(was)}, this apply "
                f"has {flag} {_flag_value(now)}; give apply the flags the plan was made with "
                "(they are reviewed inputs, as the configs are)"
            )


def _flag_value(v: Any) -> str:
    if isinstance(v, tuple):
        return ",".join(map(str, v)) or "(none)"
    return "(not given)" if v is None else str(v)


def _compared(data: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k != "has_changes"}
    out["services"] = [
        {k: v for k, v in s.items() if k not in _NOT_COMPARED} if isinstance(s, Mapping) else s
        for s in data.get("services") or ()
    ]
    return out


def _label(item: Any, index: int) -> str:
    """``[api]`` for a service, ``[api/02-update_service]`` for a step, else ``[2]``."""
    if isinstance(item, Mapping):
        for k in ("key", "id", "name"):
            if isinstance(item.get(k), str):
                return f"[{item[k]}]"
    return f"[{index}]"


def first_difference(a: Any, b: Any, path: str = "$") -> tuple[str, Any, Any] | None:
    """The first place two JSON values differ: (path, a's value, b's value), else None."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return f"{path}.{k}", a.get(k, "(absent)"), b.get(k, "(absent)")
            found = first_difference(a[k], b[k], f"{path}.{k}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = first_difference(x, y, f"{path}{_label(x, i)}")
            if found:
                return found
        if len(a) != len(b):
            return f"{path}", f"{len(a)} item(s)", f"{len(b)} item(s)"
        return None
    return None if a == b and type(a) is type(b) else (path, a, b)


def _short(value: Any, limit: int = 100) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
