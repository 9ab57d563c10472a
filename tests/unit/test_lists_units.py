"""Pure parts of revisions, tasks and their prompts, on plain data: ecspresso's in-use texts,
the revisions and tasks views, tracer's timeline and Songmu/prompter's prompt rules."""

from __future__ import annotations

import datetime as dt
import io
import sys
import time

import pytest

from planner.cli import prompter
from planner.ops.revisions import FamilyRevisions, Revision, ecspresso_in_use
from planner.ops.trace import Event, task_events, timeline_text, windows
from planner.render.revisions_view import revisions_text
from planner.render.tasks_view import task_columns, tasks_text

UTC = dt.timezone.utc
TD = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:{}"


def test_ecspresso_in_use_texts_and_precedence() -> None:
    """ecspresso v2.6.0 deregister.go inUseRevisions: `<LastStatus> task` (DesiredStatus when
    LastStatus is empty) for tasks not STOPPED, the last task listed wins; deployments
    (`<Status> deployment`) overwrite tasks."""
    tasks = [
        {"taskDefinitionArn": TD.format(1), "lastStatus": "RUNNING"},
        {"taskDefinitionArn": TD.format(1), "lastStatus": "DEPROVISIONING"},
        {"taskDefinitionArn": TD.format(2), "lastStatus": "STOPPED"},
        {"taskDefinitionArn": TD.format(3), "desiredStatus": "RUNNING"},
        {"taskDefinitionArn": TD.format(4), "lastStatus": "RUNNING"},
    ]
    service = {
        "status": "ACTIVE",
        "deployments": [
            {"taskDefinition": TD.format(4), "status": "PRIMARY"},
            {"taskDefinition": TD.format(5), "status": "ACTIVE"},
        ],
    }
    assert ecspresso_in_use(tasks, service) == {
        "app:1": "DEPROVISIONING task",
        "app:3": "RUNNING task",
        "app:4": "PRIMARY deployment",
        "app:5": "ACTIVE deployment",
    }


def _family(n: int, in_use: dict[str, str]) -> FamilyRevisions:
    revs = tuple(Revision(arn=TD.format(i), revision=i) for i in range(n, 0, -1))
    return FamilyRevisions("app", None, "app", revs, in_use)  # type: ignore[arg-type]


def test_revisions_views_follow_ecspresso() -> None:
    """ecspresso v2.6.0 revisions.go OutputTSV/OutputJSON/OutputTable, oldest first; a limit
    keeps the newest N (ecsplan's --limit)."""
    fam = _family(3, {"app:3": "PRIMARY deployment"})
    assert revisions_text(fam, "tsv") == "app:1\t\napp:2\t\napp:3\tPRIMARY deployment\n"
    assert revisions_text(fam, "json", limit=1) == (
        '{\n  "in_use": "PRIMARY deployment",\n  "name": "app:3"\n}\n'
    )
    assert revisions_text(fam, "table", limit=2) == (
        "| NAME  |       IN USE       |\n"
        "+-------+--------------------+\n"
        "| app:2 |                    |\n"
        "| app:3 | PRIMARY deployment |\n"
    )


def test_tasks_columns_and_tsv(monkeypatch) -> None:
    """ecsta v0.4.5 format.go taskToColumns (CreatedAt in the local zone, RFC 3339) and the
    TSV formatter (header first)."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    task = {
        "taskArn": "arn:aws:ecs:r:1:task/c/0123abcd",
        "taskDefinitionArn": TD.format(7),
        "containerInstanceArn": "arn:aws:ecs:r:1:container-instance/c/ci-1",
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "createdAt": dt.datetime(2024, 1, 19, 14, 41, 40, 999000, tzinfo=UTC),
        "group": "service:web",
        "launchType": "EC2",
    }
    try:
        cols = task_columns(task)
        tsv = tasks_text([task], "tsv")
    finally:
        monkeypatch.undo()  # TZ as it was, and the time zone read again
        time.tzset()
    assert cols == [
        "0123abcd",
        "app:7",
        "ci-1",
        "RUNNING",
        "RUNNING",
        "2024-01-19T23:41:40+09:00",
        "service:web",
        "EC2",
    ]
    head = "ID\tTaskDefinition\tInstance\tLastStatus\tDesiredStatus\tCreatedAt\tGroup\tType\n"
    assert tsv == head + "\t".join(cols) + "\n"
    assert tasks_text([], "table") == (
        "| ID | TASKDEFINITION | INSTANCE | LASTSTATUS | DESIREDSTATUS | CREATEDAT | GROUP | TYPE |\n"
        "+----+----------------+----------+------------+---------------+-----------+-------+------+\n"
    )


def test_trace_windows_events_and_timeline() -> None:
    """fujiwara/tracer v1.0.2 tracer.go setBoundaries, traceTask and Timeline.Print."""
    t0 = dt.datetime(2025, 1, 1, 0, 0, 0, tzinfo=UTC)
    now = t0 + dt.timedelta(minutes=10)
    task = {
        "createdAt": t0,
        "startedAt": t0 + dt.timedelta(seconds=20),
        "pullStoppedAt": t0 + dt.timedelta(seconds=10),
        "lastStatus": "RUNNING",
        "containers": [{"name": "web", "lastStatus": "RUNNING", "healthStatus": "UNKNOWN"}],
    }
    w = windows(task, now)
    minute = dt.timedelta(minutes=1)
    assert w.head == (t0 - minute, t0 + dt.timedelta(seconds=10) + minute)  # pull stopped wins
    assert w.tail == (now - minute, now)
    assert w.covers(t0) and not w.covers(t0 - minute) and not w.covers(now - 2 * minute)
    events = task_events(task, now)
    assert [(e.source, e.message) for e in events] == [
        ("TASK", "Created"),
        ("TASK", "Started"),
        ("TASK", "Pull stopped"),
        ("CONTAINER:web", "LastStatus:RUNNING HealthStatus:UNKNOWN"),
        ("TASK", "LastStatus:RUNNING"),
    ]
    later = Event(t0 + dt.timedelta(seconds=1), "SERVICE", "x")
    text = timeline_text([later, *events, later])
    lines = text.splitlines()
    assert len(lines) == 6 and lines[1].endswith("\tSERVICE\tx")
    assert lines == sorted(lines, key=lambda ln: ln.split("\t")[0])


def test_prompt_text_and_non_terminal_default(monkeypatch, capsys) -> None:
    """Songmu/prompter v0.5.1 prompter.go msg() and skip(): not a terminal -> the default,
    stdin not read; GO_PROMPTER_USE_DEFAULT likewise."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"yes\n")))
    monkeypatch.delenv("GO_PROMPTER_USE_PIPE", raising=False)
    assert prompter.yes_no("Deregister app:3 ?") is False
    assert capsys.readouterr().out == "Deregister app:3 ? (yes/no) [no]: "
    assert prompter.prompt("Enter the service name to DELETE") == ""
    assert capsys.readouterr().out == "Enter the service name to DELETE: "
    assert sys.stdin.read() == "yes\n"  # nothing was read


@pytest.mark.parametrize(
    ("data", "answer", "shown"),
    [
        (b"y\n", True, 1),
        (b"N\r\n", False, 1),
        (b"\n", False, 1),
        (b"", False, 1),
        (b"maybe\ny\n", False, 2),  # the one read took both lines: the re-prompt meets EOF
    ],
)
def test_prompt_reads_one_line_from_a_pipe(monkeypatch, capsys, data, answer, shown) -> None:
    """Songmu/prompter v0.5.1 prompter.go Prompt: GO_PROMPTER_USE_PIPE: one bufio.Scanner line per
    prompt; a bad answer prints ``# Enter `y` or `n``` and asks again."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    monkeypatch.setenv("GO_PROMPTER_USE_PIPE", "1")
    monkeypatch.delenv("GO_PROMPTER_USE_DEFAULT", raising=False)
    assert prompter.yn("Do you request to stop a task t1?") is answer
    out = capsys.readouterr().out
    assert out.count("Do you request to stop a task t1? (y/n) [n]: ") == shown
    assert ("# Enter `y` or `n`\n" in out) is (shown == 2)
