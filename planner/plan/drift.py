"""What the planner compared, field by field, and which of those fields moved since. Pure.

A saved plan is only true while the live state it was made against holds. The planner stores
that state in the plan (:class:`LiveState`): every field of the canonical live service, task
definition, scalable target and, where read, scaling policies and alarms. Canonical forms
(planner/canonical/) keep AWS noise out (defaults, order, describe-only members, deployments), so
what is recorded is exactly what the diff looked at, no more: a field the config leaves
unmanaged is never recorded, and so never makes a plan stale.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from planner.canonical.service import canonical_service
from planner.canonical.taskdef import canonical_task_definition
from planner.plan.extras import alarm_form, policy_form
from planner.plan.model import LiveState

SERVICE = "service"
TASK_DEFINITION = "task definition"
SCALABLE_TARGET = "scalable target"
SCALING_POLICY = "scaling policy"
ALARM = "alarm"

MAX_VALUE_LENGTH = 120  # longer strings are recorded as a digest (plan files stay small)
_FIELD_DIGEST_HEX = 16  # enough to tell a change; the document digests are full sha256


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _hash_env_values(value: Any) -> Any:
    """Environment values replaced by a hash prefix (as the plan file's secret placeholders
    are), so a digest over a container never covers a raw secret value."""
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if k == "environment" and isinstance(v, list):
                v = [
                    {**e, "value": "sha256:" + _sha(str(e["value"]))[:12]}
                    if isinstance(e, Mapping) and "value" in e
                    else e
                    for e in v
                ]
            out[k] = _hash_env_values(v)
        return out
    if isinstance(value, list):
        return [_hash_env_values(v) for v in value]
    return value


def _mark(value: Any, key: str) -> Any:
    """A short scalar as it is (the stale message shows it), anything else as a digest."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str) and len(value) <= MAX_VALUE_LENGTH:
        return value
    if key == "environment" and isinstance(value, list):
        value = _hash_env_values({"environment": value})["environment"]
    return {"digest": "sha256:" + _sha(_json(_hash_env_values(value)))[:_FIELD_DIGEST_HEX]}


def _flatten(prefix: str, value: Any, out: dict[str, Any], key: str = "") -> None:
    """Dicts into dotted paths; containers by name; tags as ``tags.<key>``; other lists whole."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            path = f"{prefix}.{k}" if not prefix.endswith(":") else f"{prefix}{k}"
            if k == "containerDefinitions" and isinstance(v, list):
                for c in v:
                    name = c.get("name", "?") if isinstance(c, Mapping) else "?"
                    _flatten(f"{path}[{name}]", c, out)
            elif k == "tags" and isinstance(v, list) and all(isinstance(t, Mapping) for t in v):
                for t in v:
                    out[f"{path}.{t.get('key')}"] = _mark(t.get("value"), "value")
            else:
                _flatten(path, v, out, k)
        return
    out[prefix] = _mark(value, key)


def _is_unmanaged(path: str, unmanaged: Iterable[str]) -> bool:
    return any(path == u or path.startswith(u + ".") or path.startswith(u + "[") for u in unmanaged)


def live_state(
    *,
    service: Mapping[str, Any] | None,
    task_definition: Mapping[str, Any] | None,
    scalable_target: Mapping[str, Any] | None,
    scaling_policies: Sequence[Mapping[str, Any]] | None,
    alarms: Sequence[Mapping[str, Any]] | None,
    alarm_names: Sequence[str] = (),
    controller: str = "ECS",
    unmanaged: Sequence[str] = (),
) -> LiveState:
    """The recorded form of what was read. ``service`` is None (or INACTIVE) when missing;
    ``scaling_policies`` / ``alarms`` None when they were not read."""
    fields: dict[str, Any] = {}
    active = service is not None and service.get("status") != "INACTIVE"
    if active:
        assert service is not None
        doc = canonical_service(service, controller=controller)
        _flatten(f"{SERVICE}:", doc, fields)
        if task_definition is not None:
            _flatten(f"{TASK_DEFINITION}:", canonical_task_definition(task_definition), fields)
    if scalable_target is not None:
        suspended = {
            "DynamicScalingInSuspended": False,
            "DynamicScalingOutSuspended": False,
            "ScheduledScalingSuspended": False,
            **(scalable_target.get("SuspendedState") or {}),
        }
        target = {
            "MinCapacity": scalable_target.get("MinCapacity"),
            "MaxCapacity": scalable_target.get("MaxCapacity"),
            "SuspendedState": suspended,
        }
        _flatten(f"{SCALABLE_TARGET}:", target, fields)
    for p in scaling_policies or ():
        form = policy_form(p)
        _flatten(f"{SCALING_POLICY} {form['name']}:", {k: v for k, v in form.items()}, fields)
    for a in alarms or ():
        form = alarm_form(a, "", "")
        _flatten(f"{ALARM} {form['name']}:", form, fields)
    fields = {k: v for k, v in fields.items() if not _is_unmanaged(k, unmanaged)}
    by_doc: dict[str, dict[str, Any]] = {}
    for k, v in fields.items():
        by_doc.setdefault(k.partition(":")[0], {})[k] = v
    return LiveState(
        digests={doc: "sha256:" + _sha(_json(f)) for doc, f in sorted(by_doc.items())},
        fields=dict(sorted(fields.items())),
        unmanaged=tuple(unmanaged),
        scaling_policies=scaling_policies is not None,
        alarms=tuple(alarm_names),
    )


def _show(value: Any) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, Mapping):
        return "(digest)"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _label(path: str) -> str:
    doc, _, rest = path.partition(":")
    return rest if doc == SERVICE else f"{doc} {rest}"


def moved_fields(was: LiveState, now: LiveState) -> list[str]:
    """Each field that differs, as ``<field> <before> -> <after>`` (``<field> changed`` for a
    digest); a whole scaling policy or alarm that appeared or went is one entry."""
    if dict(was.digests) == dict(now.digests):
        return []
    keys = sorted(set(was.fields) | set(now.fields))
    changed = [k for k in keys if was.fields.get(k, _MISSING) != now.fields.get(k, _MISSING)]
    out: list[str] = []
    done: set[str] = set()
    for k in changed:
        doc = k.partition(":")[0]
        if doc in done:
            continue
        if doc.startswith((SCALING_POLICY + " ", ALARM + " ")):
            had = any(f.startswith(doc + ":") for f in was.fields)
            has = any(f.startswith(doc + ":") for f in now.fields)
            if had != has:
                out.append(f"{doc} {'added' if has else 'removed'}")
                done.add(doc)
                continue
        before, after = was.fields.get(k), now.fields.get(k)
        if isinstance(before, Mapping) or isinstance(after, Mapping):
            out.append(f"{_label(k)} changed")
        else:
            out.append(f"{_label(k)} {_show(before)} -> {_show(after)}")
    if not out:  # digests differ but no field does: a plan file edited by hand
        out.append("live state digest differs")
    return out


_MISSING = object()
