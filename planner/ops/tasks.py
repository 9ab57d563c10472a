"""`tasks` and `exec`: the selected services' tasks as rows a user reads, and stopping one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.aws.ops import OpsClient, family_of
from planner.errors import EcsplanError
from planner.ops.session import Session


def task_id_of(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _time(v: Any) -> str | None:
    return v.isoformat(timespec="seconds") if hasattr(v, "isoformat") else (str(v) if v else None)


def task_row(key: str, t: Mapping[str, Any]) -> dict[str, Any]:
    """The facts of one task a user looks at (``tasks`` prints them), JSON-ready."""
    return {
        "service": key,
        "id": task_id_of(str(t.get("taskArn", ""))),
        "taskArn": t.get("taskArn"),
        "revision": str(t.get("taskDefinitionArn", "-")).rsplit("/", 1)[-1],
        "lastStatus": t.get("lastStatus"),
        "desiredStatus": t.get("desiredStatus"),
        "healthStatus": t.get("healthStatus") or "UNKNOWN",
        "startedAt": _time(t.get("startedAt")),
        "stoppedReason": t.get("stoppedReason"),
        "launchType": t.get("launchType") or t.get("capacityProviderName"),
    }


@dataclass
class Tasks:
    """The tasks of the selected services: rows (by service, in order) and the raw tasks."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    def only(self, ref: str) -> Tasks:
        """The task with this id or ARN (one of the selected services')."""
        rows = [r for r in self.rows if ref in (r["id"], r["taskArn"])]
        if not rows:
            raise EcsplanError(f"task {ref} is not a task of the selected service(s)")
        return Tasks(rows, self.raw)


def list_tasks(session: Session) -> Tasks:
    """The selected services' tasks as ecspresso v2.6.0 `tasks` lists them (tasks.go, ecsta
    v0.4.5 ecsta.go ``listTasks``): by the family of the service's task definition, then by
    the service; each desired RUNNING then STOPPED; the first of each ARN kept."""
    out = Tasks()
    refs = session.refs()
    for e in session.entries:
        ref = refs[e.key]
        ops = OpsClient(session.aws_for(ref), ref.region)
        svc = ops.describe_service(ref.cluster, ref.service)
        if not svc or svc.get("status") == "INACTIVE":
            raise EcsplanError(f"{e.key}: service {ref.service} is not found")
        listed = []
        if svc.get("taskDefinition"):
            listed += ops.listed_tasks(ref.cluster, family=family_of(str(svc["taskDefinition"])))
        listed += ops.listed_tasks(ref.cluster, service=ref.service)
        for t in listed:
            arn = str(t.get("taskArn"))
            if arn not in out.raw:
                out.rows.append(task_row(e.key, t))
                out.raw[arn] = t
    return out


def stoppable(tasks: Tasks, wanted: str) -> dict[str, Any]:
    row = tasks.only(wanted).rows[0]
    if row["lastStatus"] == "STOPPED":
        raise EcsplanError(f"task {row['id']} is already stopped")
    return row


def stop_task(session: Session, row: Mapping[str, Any], reason: str) -> dict[str, Any]:
    ref = session.refs()[row["service"]]
    return OpsClient(session.aws_for(ref), ref.region).stop_task(
        ref.cluster, row["taskArn"], reason
    )
