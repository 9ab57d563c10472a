"""`tasks --trace`: a task's timeline as ecspresso v2.6.0 prints it through ecsta v0.4.5
(trace.go, Duration one minute) and github.com/fujiwara/tracer v1.0.2 (tracer.go).

The task's own times, its containers' states, the service's events and the containers'
awslogs lines around the task's start (head) and stop (tail) windows, oldest first, each
line once. The pure parts (windows, events, the timeline text) are apart from the reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from planner.aws.ops import OpsClient
from planner.canonical.units import go_local_time
from planner.errors import EcsplanError
from planner.ops.session import Session

DURATION = dt.timedelta(minutes=1)  # ecspresso tasks.go: RunTrace Duration time.Minute


@dataclass(frozen=True)
class Event:
    """tracer.go TimeLineEvent."""

    ts: dt.datetime
    source: str
    message: str

    def text(self) -> str:
        """One line: time (TimeFormat "2006-01-02T15:04:05.000Z07:00", local time zone),
        source and message, tab-separated."""
        stamp = go_local_time(self.ts, millis=True)
        return f"{stamp}\t{self.source}\t{self.message}\n"


@dataclass(frozen=True)
class Windows:
    """tracer.go setBoundaries: (head_begin, head_end) and (tail_begin, tail_end)."""

    head: tuple[dt.datetime, dt.datetime]
    tail: tuple[dt.datetime, dt.datetime]

    def covers(self, ts: dt.datetime) -> bool:
        """fetchServiceEvents: strictly inside the head or the tail window."""
        return any(begin < ts < end for begin, end in (self.head, self.tail))


def _ms(value: Any) -> dt.datetime | None:
    """A time at the millisecond precision the Go SDK parses."""
    if not isinstance(value, dt.datetime):
        return None
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def windows(task: Mapping[str, Any], now: dt.datetime, d: dt.timedelta = DURATION) -> Windows:
    created = _ms(task.get("createdAt")) or now
    started, pulled = _ms(task.get("startedAt")), _ms(task.get("pullStoppedAt"))
    head_end = (pulled or started or created) + d
    stopping, stopped = _ms(task.get("stoppingAt")), _ms(task.get("stoppedAt"))
    tail = ((stopping or now) - d, stopped + d if stopped else now)
    return Windows((created - d, head_end), tail)


def task_events(task: Mapping[str, Any], now: dt.datetime) -> list[Event]:
    """tracer.go traceTask: the task's times, its containers' states, its last status."""
    stopping = task.get("stoppingAt")
    marks = [
        (task.get("createdAt"), "Created"),
        (task.get("connectivityAt"), "Connected"),
        (task.get("startedAt"), "Started"),
        (task.get("pullStartedAt"), "Pull started"),
        (task.get("pullStoppedAt"), "Pull stopped"),
        (task.get("stoppedAt"), "Stopped"),
        (stopping, "Stopping"),
    ]
    if task.get("stoppedReason") is not None:
        marks.append((stopping, "StoppedReason:" + str(task["stoppedReason"])))
    marks.append((stopping, "StoppedCode:" + str(task.get("stopCode") or "")))
    marks.append((task.get("executionStoppedAt"), "Execution stopped"))
    out = [Event(ts, "TASK", msg) for when, msg in marks if (ts := _ms(when))]
    for c in task.get("containers") or ():
        msg = f"LastStatus:{c.get('lastStatus')} HealthStatus:{c.get('healthStatus') or ''}"
        if c.get("exitCode") is not None:
            msg += f" (exit code: {c['exitCode']})"
        if c.get("reason") is not None:
            msg += f" (reason: {c['reason']})"
        out.append(Event(now, f"CONTAINER:{c.get('name')}", msg))
    out.append(Event(now, "TASK", f"LastStatus:{task.get('lastStatus') or ''}"))
    return out


def timeline_text(events: Iterable[Event]) -> str:
    """tracer.go Timeline.Print: oldest first (stable), each distinct line once."""
    seen: set[str] = set()
    out = []
    for e in sorted(events, key=lambda e: e.ts):
        line = e.text()
        if line not in seen:
            seen.add(line)
            out.append(line)
    return "".join(out)


@dataclass(frozen=True)
class Trace:
    subject: str  # tracer.go subject(): "Tracer: <task ARN> on <cluster>"
    timeline: str


def trace_task(session: Session, key: str, task: Mapping[str, Any]) -> Trace:
    """Read what tracer reads for ``task`` (one of ``key``'s tasks) and lay out its timeline."""
    ref = session.refs()[key]
    ops = OpsClient(session.aws_for(ref), ref.region)
    now = dt.datetime.now(dt.timezone.utc)
    arn = str(task.get("taskArn"))
    [live] = ops.describe_tasks(ref.cluster, [arn]) or [None]
    if live is None:
        raise EcsplanError(f"task {arn.rsplit('/', 1)[-1]}: no tasks found")
    w = windows(live, now)
    events: list[Event] = []
    group, _, service = str(live.get("group") or "").partition(":")
    if group == "service" and service:
        svc = ops.describe_service(ref.cluster, service) or {}
        for e in svc.get("events") or ():
            ts = _ms(e.get("createdAt"))
            if ts and w.covers(ts):
                events.append(Event(ts, "SERVICE", str(e.get("message"))))
    events += task_events(live, now)
    td = ops.describe_task_definition(str(live.get("taskDefinitionArn")))
    events += _log_events(ops, td, arn.rsplit("/", 1)[-1], w)
    return Trace(f"Tracer: {arn} on {ref.cluster}", timeline_text(events))


def _log_events(ops: OpsClient, td: Mapping[str, Any], task_id: str, w: Windows) -> list[Event]:
    """tracer.go traceLogs/fetchLogs: each awslogs container's head and tail lines."""
    out = []
    for c in td.get("containerDefinitions") or ():
        conf = c.get("logConfiguration") or {}
        if conf.get("logDriver") != "awslogs":
            continue
        opts = conf.get("options") or {}
        group = opts.get("awslogs-group", "")
        stream = f"{opts.get('awslogs-stream-prefix', '')}/{c.get('name')}/{task_id}"
        for begin, end in ((w.head[0], w.head[1]), (w.tail[0], None)):
            end_ms = int(end.timestamp() * 1000) if end else None
            for e in ops.log_events(group, stream, int(begin.timestamp() * 1000), end_ms):
                ts = dt.datetime.fromtimestamp(int(e.get("timestamp", 0)) / 1000, dt.timezone.utc)
                out.append(Event(ts, f"CONTAINER:{c.get('name')}", str(e.get("message", ""))))
    return out
