"""Declarative extras under `ecsplan:` — the seed leaves these to shell scripts:
the scalable target's min/max with its target-tracking policies, and CloudWatch alarms.

Pure: desired (the config's section) + live (read by aws/) -> step specs. Policies are owned
once `scaling.policies` is declared (unlisted ones on the target are deleted); alarms are
created or updated by name and never deleted by ecsplan (it cannot tell which are its own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from planner.canonical.fields import SCALABLE_DIMENSION
from planner.plan.model import Action, StepKind, field_changes
from planner.plan.spec import StepSpec

METRICS = {
    "cpu": "ECSServiceAverageCPUUtilization",
    "memory": "ECSServiceAverageMemoryUtilization",
    "requests": "ALBRequestCountPerTarget",
}


def policy_form(p: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable form of a target-tracking policy, from config or from AWS."""
    if "PolicyName" in p:  # live DescribeScalingPolicies item
        cfg = p.get("TargetTrackingScalingPolicyConfiguration") or {}
        spec = cfg.get("PredefinedMetricSpecification") or {}
        return {
            "name": p["PolicyName"],
            "metric": spec.get("PredefinedMetricType"),
            "resource_label": spec.get("ResourceLabel"),
            "target_value": float(cfg.get("TargetValue", 0)),
            "scale_in_cooldown": cfg.get("ScaleInCooldown"),
            "scale_out_cooldown": cfg.get("ScaleOutCooldown"),
            "disable_scale_in": bool(cfg.get("DisableScaleIn", False)),
        }
    metric = str(p.get("metric", "cpu"))
    return {
        "name": str(p["name"]),
        "metric": METRICS.get(metric, metric),
        "resource_label": p.get("resource_label"),
        "target_value": float(p["target_value"]),
        "scale_in_cooldown": p.get("scale_in_cooldown"),
        "scale_out_cooldown": p.get("scale_out_cooldown"),
        "disable_scale_in": bool(p.get("disable_scale_in", False)),
    }


def policy_payload(resource_id: str, form: Mapping[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"PredefinedMetricType": form["metric"]}
    if form.get("resource_label"):
        spec["ResourceLabel"] = form["resource_label"]
    cfg: dict[str, Any] = {
        "TargetValue": form["target_value"],
        "PredefinedMetricSpecification": spec,
        "DisableScaleIn": form["disable_scale_in"],
    }
    for key, api in (
        ("scale_in_cooldown", "ScaleInCooldown"),
        ("scale_out_cooldown", "ScaleOutCooldown"),
    ):
        if form.get(key) is not None:
            cfg[api] = int(form[key])
    return {
        "PolicyName": form["name"],
        "ServiceNamespace": "ecs",
        "ResourceId": resource_id,
        "ScalableDimension": SCALABLE_DIMENSION,
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": cfg,
    }


def alarm_form(a: Mapping[str, Any], cluster: str, service: str) -> dict[str, Any]:
    """Comparable alarm: config keys (snake_case) or DescribeAlarms output (CamelCase)."""
    if "AlarmName" in a:
        return {
            "name": a["AlarmName"],
            "description": a.get("AlarmDescription") or "",
            "metric": a.get("MetricName"),
            "namespace": a.get("Namespace"),
            "statistic": a.get("Statistic"),
            "period": a.get("Period"),
            "evaluation_periods": a.get("EvaluationPeriods"),
            "threshold": float(a.get("Threshold", 0)),
            "comparison": a.get("ComparisonOperator"),
            "dimensions": sorted(
                ({"Name": d["Name"], "Value": d["Value"]} for d in a.get("Dimensions", [])),
                key=lambda d: d["Name"],
            ),
            "actions": sorted(a.get("AlarmActions", [])),
            "ok_actions": sorted(a.get("OKActions", [])),
        }
    dims = a.get("dimensions") or {"ClusterName": cluster, "ServiceName": service}
    return {
        "name": str(a["name"]),
        "description": str(a.get("description", "")),
        "metric": str(a.get("metric", "CPUUtilization")),
        "namespace": str(a.get("namespace", "AWS/ECS")),
        "statistic": str(a.get("statistic", "Average")),
        "period": int(a.get("period", 60)),
        "evaluation_periods": int(a.get("evaluation_periods", 3)),
        "threshold": float(a["threshold"]),
        "comparison": str(a.get("comparison", "GreaterThanThreshold")),
        "dimensions": sorted(
            ({"Name": k, "Value": str(v)} for k, v in dims.items()), key=lambda d: d["Name"]
        ),
        "actions": sorted(a.get("actions", [])),
        "ok_actions": sorted(a.get("ok_actions", [])),
    }


def alarm_payload(form: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "AlarmName": form["name"],
        "AlarmDescription": form["description"],
        "MetricName": form["metric"],
        "Namespace": form["namespace"],
        "Statistic": form["statistic"],
        "Period": form["period"],
        "EvaluationPeriods": form["evaluation_periods"],
        "Threshold": form["threshold"],
        "ComparisonOperator": form["comparison"],
        "Dimensions": list(form["dimensions"]),
        "AlarmActions": list(form["actions"]),
        "OKActions": list(form["ok_actions"]),
    }


def extras_steps(
    *,
    cluster: str,
    service: str,
    extras: Mapping[str, Any],
    target: Mapping[str, Any] | None,
    policies: Sequence[Mapping[str, Any]] | None,
    alarms: Sequence[Mapping[str, Any]] | None,
    capacity_from_flags: bool = False,
) -> list[StepSpec]:
    """Steps that bring scaling target, policies and alarms to what `ecsplan:` declares."""
    rid = f"service/{cluster}/{service}"
    scaling = extras.get("scaling") or {}
    out: list[StepSpec] = []
    if scaling and ("min" in scaling or "max" in scaling) and not capacity_from_flags:
        out.extend(_target_steps(rid, scaling, target))
    if "policies" in scaling:
        out.extend(_policy_steps(rid, scaling.get("policies") or [], policies or []))
    out.extend(_alarm_steps(cluster, service, extras.get("alarms") or [], alarms or []))
    return out


def _base(rid: str) -> dict[str, str]:
    return {"ServiceNamespace": "ecs", "ResourceId": rid, "ScalableDimension": SCALABLE_DIMENSION}


def _target_steps(
    rid: str, scaling: Mapping[str, Any], target: Mapping[str, Any] | None
) -> list[StepSpec]:
    want = {
        "MinCapacity": int(scaling.get("min", (target or {}).get("MinCapacity", 1))),
        "MaxCapacity": int(scaling.get("max", (target or {}).get("MaxCapacity", 1))),
    }
    have = (
        {"MinCapacity": target["MinCapacity"], "MaxCapacity": target["MaxCapacity"]}
        if target
        else None
    )
    if want == have:
        return []
    return [
        StepSpec(
            StepKind.SET_SCALING_CAPACITY,
            Action.UPDATE if target else Action.CREATE,
            f"{'set' if target else 'create'} scalable target {rid}: "
            f"min {want['MinCapacity']}, max {want['MaxCapacity']}",
            {**_base(rid), **want},
            have,
            want,
            field_changes(have, want),
            undo=have or {"deregister": True},
        )
    ]


def _policy_steps(
    rid: str, declared: Sequence[Mapping[str, Any]], policies: Sequence[Mapping[str, Any]]
) -> list[StepSpec]:
    """Once declared, the policies are owned: one not listed is deleted."""
    live = {p["PolicyName"]: policy_form(p) for p in policies}
    wanted = [policy_form(p) for p in declared]
    out = []
    for form in wanted:
        old = live.get(form["name"])
        if old != form:
            out.append(
                StepSpec(
                    StepKind.PUT_SCALING_POLICY,
                    Action.UPDATE if old else Action.CREATE,
                    f"{'update' if old else 'create'} scaling policy {form['name']}",
                    policy_payload(rid, form),
                    old,
                    form,
                    field_changes(old, form),
                    undo={"previous": old},
                )
            )
    for name in sorted(set(live) - {f["name"] for f in wanted}):
        out.append(
            StepSpec(
                StepKind.DELETE_SCALING_POLICY,
                Action.DELETE,
                f"delete scaling policy {name} (not in ecsplan.scaling.policies)",
                {"PolicyName": name, **_base(rid)},
                live[name],
                None,
                field_changes(live[name], None),
                destructive=True,
                undo={"previous": live[name]},
            )
        )
    return out


def _alarm_steps(
    cluster: str,
    service: str,
    declared: Sequence[Mapping[str, Any]],
    alarms: Sequence[Mapping[str, Any]],
) -> list[StepSpec]:
    """Alarms are created or updated by name, never deleted (ecsplan cannot tell its own)."""
    live = {a["AlarmName"]: alarm_form(a, cluster, service) for a in alarms}
    out = []
    for a in declared:
        form = alarm_form(a, cluster, service)
        old = live.get(form["name"])
        if old != form:
            out.append(
                StepSpec(
                    StepKind.PUT_METRIC_ALARM,
                    Action.UPDATE if old else Action.CREATE,
                    f"{'update' if old else 'create'} CloudWatch alarm {form['name']}",
                    alarm_payload(form),
                    old,
                    form,
                    field_changes(old, form),
                    undo={"previous": old},
                )
            )
    return out


def alarm_names(extras: Mapping[str, Any]) -> list[str]:
    return [
        str(a["name"]) for a in extras.get("alarms") or [] if isinstance(a, Mapping) and "name" in a
    ]
