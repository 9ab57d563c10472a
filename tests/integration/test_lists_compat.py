"""`revisions`, `tasks`, `deregister` and `delete` print and ask what ecspresso v2.6.0 does.

Each test runs the CLI against the sandbox (real HTTP) and compares stdout with the bytes
the cited Go code writes; where a value depends on the sandbox (task ids, times), the test
rebuilds the line from boto3's answer with the cited rule. Docs: docs/operations.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import Result, cli_argv, cli_env, run_sub
from test_ops_support import active_revisions, client, deployed, ecsplan, example

pytestmark = pytest.mark.integration


def json_objects(text: str) -> list[Any]:
    """Pretty-printed JSON objects back to back (ecspresso's and ecsta's JSON output)."""
    dec, out, i = json.JSONDecoder(), [], 0
    while i < len(text.rstrip()):
        obj, i = dec.raw_decode(text, i)
        out.append(obj)
        i += len(text[i:]) - len(text[i:].lstrip())
    return out


def _three_revisions(sandbox, tmp_path, env: dict[str, str] | None = None):
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    for tag in ("1.28", "1.29"):
        r = ecsplan([cfg], state, "deploy", env={"IMAGE_TAG": tag, **(env or {})})
        assert r.code == 0, r
    assert active_revisions(sandbox, "myservice") == [1, 2, 3]
    return cfg, state


def _one_off_task(sandbox, revision: int) -> str:
    """A task of myservice:<revision> that keeps running (the sandbox clock paused)."""
    sandbox.pause()
    ecs = client(sandbox, "ecs")
    arn = f"arn:aws:ecs:ap-northeast-1:123456789012:task-definition/myservice:{revision}"
    task = ecs.run_task(
        cluster="my-cluster",
        taskDefinition=arn,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-12345678"]}},
    )["tasks"][0]
    return str(task["taskArn"])


# --- revisions ---------------------------------------------------------------------------


def test_revisions_table_tsv_json_as_ecspresso(sandbox, tmp_path) -> None:
    """ecspresso v2.6.0 revisions.go OutputTable/OutputTSV/OutputJSON, in-use texts of
    deregister.go inUseRevisions: oldest first, `RUNNING task`, `PRIMARY deployment`, and ""
    for the rollback target ecsplan keeps (ecspresso does not know it)."""
    cfg, state = _three_revisions(sandbox, tmp_path)
    _one_off_task(sandbox, 1)
    status = client(sandbox, "ecs").describe_tasks(
        cluster="my-cluster",
        tasks=client(sandbox, "ecs").list_tasks(cluster="my-cluster", family="myservice")[
            "taskArns"
        ],
    )["tasks"]
    one = next(t["lastStatus"] for t in status if t["taskDefinitionArn"].endswith(":1"))
    table = ecsplan([cfg], state, "revisions", "--output", "table")
    tsv = ecsplan([cfg], state, "revisions", "--output", "tsv")
    js = ecsplan([cfg], state, "revisions", "--output", "json")
    sandbox.resume()
    cell = f"{one} task"
    assert table.code == 0, table
    assert table.stdout == (
        "|    NAME     |       IN USE       |\n"
        "+-------------+--------------------+\n"
        f"| myservice:1 | {cell:<18} |\n"
        "| myservice:2 |                    |\n"
        "| myservice:3 | PRIMARY deployment |\n"
    )
    assert tsv.stdout == (f"myservice:1\t{cell}\nmyservice:2\t\nmyservice:3\tPRIMARY deployment\n")
    assert js.stdout == (
        f'{{\n  "in_use": "{cell}",\n  "name": "myservice:1"\n}}\n'
        '{\n  "in_use": "",\n  "name": "myservice:2"\n}\n'
        '{\n  "in_use": "PRIMARY deployment",\n  "name": "myservice:3"\n}\n'
    )


def test_revisions_default_output_piped_is_numbers_and_detail_shows_ecsplans_reasons(
    sandbox, tmp_path
) -> None:
    """ecsplan's own outputs: not on a terminal and without --output, the revision numbers
    (the guide's `revisions | sort -n | head -n -5` needs them; ecspresso prints its table);
    `--output detail` names the last run's rollback target."""
    cfg, state = _three_revisions(sandbox, tmp_path)
    piped = ecsplan([cfg], state, "revisions")
    assert piped.stdout == "3\n2\n1\n"
    detail = ecsplan([cfg], state, "revisions", "--output", "detail").stdout
    line2 = next(ln for ln in detail.splitlines() if ln.startswith("2 "))
    assert "rollback target of the last run" in line2
    empty = ecsplan([cfg], state, "revisions", "--output", "")  # ecspresso v2.6.0: "" = table
    assert empty.stdout.startswith("|    NAME     |       IN USE       |\n")


def _with_secrets(cfg: Path) -> None:
    td_path = cfg.parent / "ecs-task-def.json"
    td = json.loads(td_path.read_text())
    td["containerDefinitions"][0]["environment"] += [
        {"name": "DB_PASSWORD", "value": "hunter2-not-for-eyes"},
        {"name": "DATABASE_URL", "value": "postgres://app:s3cr3t-pw@db.internal/app"},
    ]
    td["containerDefinitions"][0]["dockerLabels"] = {"Com.Example.Team": "a<b>&c"}
    td_path.write_text(json.dumps(td))


def test_revisions_revision_prints_the_task_definition_as_ecspresso(sandbox, tmp_path) -> None:
    """ecspresso v2.6.0 revisions.go dumpRevision + json.go MarshalJSONForAPI: the task
    definition alone (no tags), keys sorted, nulls and empty arrays gone, the SDK's unset
    enums as "", dockerLabels keys as written, <>& escaped, two spaces, a newline at the
    end; current/latest/N/family:N. Secrets are masked (ecsplan's rule, not ecspresso's)."""
    cfg = example("single-service", tmp_path)
    _with_secrets(cfg)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    r = ecsplan([cfg], state, "deploy", env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r

    current = ecsplan([cfg], state, "revisions", "--revision", "current")
    assert current.code == 0, current
    text = current.stdout
    td = json.loads(text)
    assert text.endswith("}\n") and text.startswith('{\n  "compatibilities": [\n    "EC2"')
    assert list(td) == sorted(td) and "tags" not in td
    assert td["revision"] == 2 and td["ipcMode"] == "" and td["pidMode"] == ""
    assert "null" not in text and "[]" not in text
    assert '"Com.Example.Team": "a\\u003cb\\u003e\\u0026c"' in text
    env = {e["name"]: e["value"] for e in td["containerDefinitions"][0]["environment"]}
    assert env["DB_PASSWORD"] == "(sensitive)"
    assert env["DATABASE_URL"] == "postgres://app:(sensitive)@db.internal/app"
    assert "hunter2" not in text and "s3cr3t" not in text

    assert json.loads(ecsplan([cfg], state, "revisions", "--revision", "latest").stdout) == td
    first = json.loads(ecsplan([cfg], state, "revisions", "--revision", "1").stdout)
    assert first["revision"] == 1 and first["containerDefinitions"][0]["image"] == "nginx:1.27"
    named = ecsplan([cfg], state, "revisions", "--revision", "myservice:1")
    assert json.loads(named.stdout) == first


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "other:x", ":3"])
def test_revisions_bad_revision_is_one_error_and_nothing_sent(sandbox, tmp_path, value) -> None:
    """ecspresso v2.6.0 revisions.go dumpRevision refuses a value strconv.ParseInt cannot
    read (`invalid revision: abc`); ecsplan says what it accepts, before any AWS call."""
    cfg = example("single-service", tmp_path)
    before = sandbox.stats()["total"]
    r = ecsplan([cfg], tmp_path / "state", "revisions", "--revision", value)
    assert r.code == 1 and r.stdout == ""
    assert r.stderr == (
        f"Error: --revision {value}: invalid revision "
        "(expected a revision number, family:N, current or latest)\n"
    )
    assert sandbox.stats()["total"] == before


# --- tasks -------------------------------------------------------------------------------


def _tasks_live(sandbox) -> list[dict[str, Any]]:
    ecs = client(sandbox, "ecs")
    arns = ecs.list_tasks(cluster="my-cluster", serviceName="myservice")["taskArns"]
    return ecs.describe_tasks(cluster="my-cluster", tasks=arns, include=["TAGS"])["tasks"]


def test_tasks_table_and_tsv_as_ecsta(sandbox, tmp_path) -> None:
    """ecsta v0.4.5 format.go (taskFormatterColumns, taskToColumns, table and TSV formatters)
    through ecspresso v2.6.0 tasks.go: CreatedAt in RFC 3339 in the local zone (TZ), the TSV
    header, tablewriter's centred upper-case headers."""
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    tokyo = {"TZ": "Asia/Tokyo"}
    tsv = run_sub(sandbox, [cfg], state, "tasks", "--output", "tsv", env=tokyo)
    assert tsv.code == 0, tsv
    header, *lines = tsv.stdout.splitlines()
    assert (
        header == "ID\tTaskDefinition\tInstance\tLastStatus\tDesiredStatus\tCreatedAt\tGroup\tType"
    )
    live = {t["taskArn"].rsplit("/", 1)[-1]: t for t in _tasks_live(sandbox)}
    assert len(lines) == 3
    for line in lines:
        cols = line.split("\t")
        task = live[cols[0]]
        created = task["createdAt"].astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
        assert cols[1:] == [
            "myservice:1",
            "",
            task["lastStatus"],
            task["desiredStatus"],
            created.strftime("%Y-%m-%dT%H:%M:%S+09:00"),
            "service:myservice",
            "FARGATE",
        ]
    table = run_sub(sandbox, [cfg], state, "tasks", env=tokyo).stdout.splitlines()
    gap = len(lines[0].split("\t")[0]) - len("ID")  # the ID column is as wide as an id
    id_head = " " * (gap // 2) + "ID" + " " * (gap - gap // 2)  # util.go Pad: odd space right
    assert table[0] == (
        f"| {id_head} | TASKDEFINITION | INSTANCE | LASTSTATUS | DESIREDSTATUS |"
        "         CREATEDAT         |       GROUP       |  TYPE   |"
    )
    assert table[1] == "+" + "+".join("-" * len(c) for c in table[0].split("|")[1:-1]) + "+"
    body = {ln.split(" | ")[0][2:]: ln for ln in table[2:]}
    assert len(body) == 3
    for line in lines:
        cols = line.split("\t")
        assert body[cols[0]] == (
            f"| {cols[0]} | {cols[1]:<14} | {'':<8} | {cols[3]:<10} | {cols[4]:<13} | "
            f"{cols[5]} | {cols[6]} | {cols[7]} |"
        )


def test_tasks_json_is_each_raw_task_with_ecstas_key_rules(sandbox, tmp_path) -> None:
    """ecsta v0.4.5 format.go taskFormatterJSON + MarshalJSONForAPI: every field of the SDK's
    Task (aws-sdk-go-v2 service/ecs v1.60.1), unset ones null/""/0/false, objects back to
    back; `--find --id` is the same object."""
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    r = ecsplan([cfg], state, "tasks", "--output", "json")
    assert r.code == 0, r
    tasks = json_objects(r.stdout)
    assert len(tasks) == 3 and r.stdout.count("\n}\n") == 3
    t = tasks[0]
    assert t["availabilityZone"] is None and t["connectivity"] == "" and t["version"] == 0
    assert t["enableExecuteCommand"] is False and "trustedExecutionSummary" not in t
    assert t["tags"] == [] and t["overrides"]["containerOverrides"] is None
    assert list(t) == sorted(t)
    found = ecsplan([cfg], state, "tasks", "--find", "--id", t["taskArn"].rsplit("/", 1)[-1])
    assert found.code == 0, found
    assert found.stdout == r.stdout[: r.stdout.index("\n}\n") + 3]


def test_tasks_find_with_one_task_prints_it(sandbox, tmp_path) -> None:
    """ecsta v0.4.5 ecsta.go findTask: a single task needs no choice."""
    cfg = example("single-service", tmp_path)
    svc = cfg.parent / "ecs-service-def.json"
    svc.write_text(json.dumps({**json.loads(svc.read_text()), "desiredCount": 1}))
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    r = ecsplan([cfg], state, "tasks", "--find")
    assert r.code == 0, r
    [task] = json_objects(r.stdout)
    assert task["group"] == "service:myservice" and task["lastStatus"] == "RUNNING"


def test_tasks_stop_prompt_as_ecsta(sandbox, tmp_path) -> None:
    """ecsta v0.4.5 stop.go + Songmu/prompter v0.5.1 YN: `(y/n) [n]: ` on stdout; not a
    terminal -> the default n -> `Aborted`, exit 1; GO_PROMPTER_USE_PIPE reads the answer
    (a bad one gets `# Enter `y` or `n``, then the pipe is at its end: n)."""
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    victim = _tasks_live(sandbox)[0]["taskArn"].rsplit("/", 1)[-1]
    ask = f"Do you request to stop a task {victim}? (y/n) [n]: "
    r = ecsplan([cfg], state, "tasks", "--stop", "--id", victim)
    assert (r.code, r.stdout, r.stderr) == (1, ask, "Error: Aborted\n")
    pipe = {"GO_PROMPTER_USE_PIPE": "1"}
    bad = run_inproc_stdin([cfg], state, "maybe\ny\n", pipe, "tasks", "--stop", "--id", victim)
    assert bad.code == 1 and bad.stdout == ask + "# Enter `y` or `n`\n" + ask
    assert sandbox.stats()["requests"].get("ecs:StopTask", 0) == 0
    ok = run_inproc_stdin([cfg], state, "Y\n", pipe, "tasks", "--stop", "--id", victim)
    assert ok.code == 0, ok
    assert ok.stdout == ask
    [task] = client(sandbox, "ecs").describe_tasks(cluster="my-cluster", tasks=[victim])["tasks"]
    assert task["desiredStatus"] == "STOPPED"
    assert task["stoppedReason"] == "Request stop task by user action."


def run_inproc_stdin(configs, state, stdin: str, env: dict[str, str], *args: str) -> Result:
    from helpers_cli import run_inproc

    return run_inproc(configs, state, *args, env={"NO_COLOR": "1", **env}, stdin=stdin)


def test_tasks_trace_prints_the_timeline(sandbox, tmp_path) -> None:
    """fujiwara/tracer v1.0.2 tracer.go (through ecsta v0.4.5 trace.go): `Tracer: <task ARN>
    on <cluster>`, then time, source and message, tab-separated, oldest first: the task's
    times, the service's events, the container's awslogs lines, the last statuses."""
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    task = _tasks_live(sandbox)[0]
    arn, tid = task["taskArn"], task["taskArn"].rsplit("/", 1)[-1]
    logs = client(sandbox, "logs")
    stream = f"web/web/{tid}"
    if not logs.describe_log_groups(logGroupNamePrefix="/ecs/myservice")["logGroups"]:
        logs.create_log_group(logGroupName="/ecs/myservice")
    logs.create_log_stream(logGroupName="/ecs/myservice", logStreamName=stream)
    at = int(task["startedAt"].timestamp() * 1000) + 5
    logs.put_log_events(
        logGroupName="/ecs/myservice",
        logStreamName=stream,
        logEvents=[{"timestamp": at, "message": "nginx ready"}],
    )
    r = run_sub(sandbox, [cfg], state, "tasks", "--trace", "--id", tid, env={"TZ": "UTC"})
    assert r.code == 0, r
    lines = r.stdout.splitlines()
    assert lines[0] == f"Tracer: {arn} on my-cluster"
    rows = [ln.split("\t") for ln in lines[1:]]
    assert all(len(row) == 3 and row[0].endswith("Z") and len(row[0]) == 24 for row in rows)
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)
    texts = [(src, msg) for _, src, msg in rows]
    assert ("TASK", "Created") in texts and ("TASK", "Started") in texts
    assert ("CONTAINER:web", "nginx ready") in texts
    assert ("CONTAINER:web", "LastStatus:RUNNING HealthStatus:HEALTHY") in texts
    assert texts[-1] == ("TASK", "LastStatus:RUNNING")
    assert any(src == "SERVICE" for src, _ in texts)


# --- confirmation prompts ------------------------------------------------------------------


def test_deregister_prompts_as_ecspresso(sandbox, tmp_path) -> None:
    """ecspresso v2.6.0 deregister.go deregiserRevision/deregisterKeeps + prompter v0.5.1
    YesNo: `Deregister myservice:1 ? (yes/no) [no]: ` / `Deregister 1 revisons? ...` on
    stdout without a newline; not a terminal -> no -> `confirmation failed`, exit 1;
    GO_PROMPTER_USE_PIPE reads the answer."""
    cfg, state = _three_revisions(sandbox, tmp_path)
    one = ecsplan([cfg], state, "deregister", "--revision", "1")
    assert one.code == 1 and one.stdout == "Deregister myservice:1 ? (yes/no) [no]: "
    assert one.stderr.endswith("Aborted\nError: confirmation failed\n")
    keeps = ecsplan([cfg], state, "deregister", "--keeps", "1")
    assert keeps.code == 1 and keeps.stdout == "Deregister 1 revisons? (yes/no) [no]: "
    assert active_revisions(sandbox, "myservice") == [1, 2, 3]
    default = {"GO_PROMPTER_USE_DEFAULT": "1", "GO_PROMPTER_USE_PIPE": "1"}
    still = run_inproc_stdin([cfg], state, "yes\n", default, "deregister", "--revision", "1")
    assert still.code == 1 and active_revisions(sandbox, "myservice") == [1, 2, 3]
    yes = run_inproc_stdin(
        [cfg], state, "YES\n", {"GO_PROMPTER_USE_PIPE": "1"}, "deregister", "--revision", "1"
    )
    assert yes.code == 0, yes
    assert yes.stdout == "Deregister myservice:1 ? (yes/no) [no]: "
    assert active_revisions(sandbox, "myservice") == [2, 3]


def test_deregister_asks_on_a_terminal(sandbox, tmp_path) -> None:
    """prompter v0.5.1 isPipe: with stdin AND stdout a terminal the answer is read; with
    stdout a pipe (stdin still a terminal) it is not, and the default `no` applies."""
    cfg, state = _three_revisions(sandbox, tmp_path)
    argv = cli_argv([cfg], state, "deregister", "--revision", "1")
    env = cli_env(sandbox)
    master, slave = os.openpty()
    os.write(master, b"yes\n")
    half = subprocess.run(argv, env=env, stdin=slave, capture_output=True, text=True, timeout=120)
    assert half.returncode == 1 and "confirmation failed" in half.stderr
    assert active_revisions(sandbox, "myservice") == [1, 2, 3]
    os.close(master)
    os.close(slave)

    master, slave = os.openpty()
    p = subprocess.Popen(argv, env=env, stdin=slave, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    seen = b""
    while b"[no]: " not in seen:
        seen += os.read(master, 4096)
    os.write(master, b"yes\n")
    assert p.wait(timeout=120) == 0
    assert b"Deregister myservice:1 ? (yes/no) [no]: " in seen
    assert active_revisions(sandbox, "myservice") == [2, 3]
    os.close(master)


def test_delete_prompt_as_ecspresso(sandbox, tmp_path) -> None:
    """ecspresso v2.6.0 delete.go + prompter v0.5.1 Prompt: `Enter the service name to
    DELETE: `; anything but the service's name (the default "" when not a terminal) is
    `confirmation failed`."""
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    pipe = {"GO_PROMPTER_USE_PIPE": "1"}
    wrong = run_inproc_stdin([cfg], state, "other\n", pipe, "delete")
    assert wrong.code == 1 and wrong.stdout.endswith("Enter the service name to DELETE: ")
    assert wrong.stderr.endswith("Error: confirmation failed\n")
    assert (
        client(sandbox, "ecs").describe_services(cluster="my-cluster", services=["myservice"])[
            "services"
        ][0]["status"]
        == "ACTIVE"
    )
    right = run_inproc_stdin([cfg], state, "myservice\n", pipe, "delete", "--no-wait")
    assert right.code == 0, right


def test_tasks_find_asks_for_the_task_id_on_a_terminal(sandbox, tmp_path) -> None:
    """ecsta v0.4.5 filter.go runInternalFilter (no filter command): the TSV lines, then
    `Enter task ID: ` until one id matches, exactly or as the only prefix (`no such item X`
    otherwise); `task ID=<id>`, then that task's JSON (ecsta describe.go)."""
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    ids = sorted(t["taskArn"].rsplit("/", 1)[-1] for t in _tasks_live(sandbox))
    prefix = next(
        ids[0][:n] for n in range(1, 37) if sum(i.startswith(ids[0][:n]) for i in ids) == 1
    )
    master, slave = os.openpty()
    argv = cli_argv([cfg], state, "tasks", "--find")
    p = subprocess.Popen(argv, env=cli_env(sandbox), stdin=slave, stdout=slave)
    os.close(slave)
    seen = b""
    for answer in (b"zzz\n", prefix.encode() + b"\n"):
        while not seen.endswith(b"Enter task ID: "):
            seen += os.read(master, 4096)
        os.write(master, answer)
        seen += os.read(master, 4096)
    assert p.wait(timeout=120) == 0
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    text = seen.decode().replace("\r\n", "\n")
    for i in ids:
        assert f"\n{i}\tmyservice:1\t\tRUNNING\tRUNNING\t" in "\n" + text
    assert "no such item zzz\n" in text
    assert f"task ID={ids[0]}\n" in text
    assert json.loads(text[text.index(f"task ID={ids[0]}\n") :].split("\n", 1)[1])[
        "taskArn"
    ].endswith(ids[0])
