"""`ecsplan revisions` and `ecsplan deregister`: never touch a revision in use."""

from __future__ import annotations

from test_lists_compat import json_objects
from test_ops_support import active_revisions, client, deployed, ecsplan, example


def _five_revisions(sandbox, tmp_path):
    """myservice:1..5 deployed one after the other: 5 runs the service, 4 is the rollback
    target of the last run."""
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    for tag in ("1.28", "1.29", "1.30", "1.31"):
        r = ecsplan([cfg], state, "deploy", env={"IMAGE_TAG": tag})
        assert r.code == 0, r
    assert active_revisions(sandbox, "myservice") == [1, 2, 3, 4, 5]
    return cfg, state


def test_revisions_marks_what_is_in_use(sandbox, tmp_path) -> None:
    """ecspresso's formats carry ecspresso's in-use texts; `--output detail` (ecsplan's)
    names every reason ecsplan keeps a revision, the last run's rollback target included."""
    cfg, state = _five_revisions(sandbox, tmp_path)

    r = ecsplan([cfg], state, "revisions", "--output", "detail")
    assert r.code == 0, r
    rows = {ln.split()[0]: ln for ln in r.stdout.splitlines() if ln[:1].isdigit()}
    assert list(rows) == ["5", "4", "3", "2", "1"]
    assert "service" in rows["5"] and "running task" in rows["5"]
    assert "rollback target of the last run" in rows["4"]
    assert rows["3"].split()[2] == "-"

    j = ecsplan([cfg], state, "revisions", "--output", "json").stdout
    assert json_objects(j)[-1] == {"in_use": "PRIMARY deployment", "name": "myservice:5"}
    tsv = ecsplan([cfg], state, "revisions", "--output", "tsv").stdout.splitlines()
    assert [ln.split("\t") for ln in tsv] == [
        ["myservice:1", ""],
        ["myservice:2", ""],
        ["myservice:3", ""],
        ["myservice:4", ""],
        ["myservice:5", "PRIMARY deployment"],
    ]
    limited = ecsplan([cfg], state, "revisions", "--limit", "2", "--output", "tsv").stdout
    assert [ln.split("\t")[0] for ln in limited.splitlines()] == ["myservice:4", "myservice:5"]
    every = ecsplan([cfg], state, "revisions", "--limit", "2", "--all", "--output", "tsv")
    assert len(every.stdout.splitlines()) == 5


def test_deregister_keep_removes_only_old_unused_revisions(sandbox, tmp_path) -> None:
    """deregister.go deregisterKeeps @v2.6.0: --dry-run changes nothing and prints nothing on
    stdout; without --force the
    `Deregister N revisons? (yes/no) [no]: ` prompt takes its default on a pipe and fails;
    in-use revisions are kept (ecsplan also counts them among the N kept: docs, different)."""
    cfg, state = _five_revisions(sandbox, tmp_path)

    dry = ecsplan([cfg], state, "deregister", "--keep", "1", "--dry-run")
    assert dry.code == 0, dry
    assert dry.stdout == ""  # ecspresso logs the dry run; stdout stays empty
    assert "would deregister 3 revision(s)" in dry.stderr
    assert active_revisions(sandbox, "myservice") == [1, 2, 3, 4, 5]

    refused = ecsplan([cfg], state, "deregister", "--keep", "1")  # stdin is not a TTY
    assert refused.code == 1
    assert refused.stdout == "Deregister 3 revisons? (yes/no) [no]: "
    assert "Error: confirmation failed" in refused.stderr
    assert active_revisions(sandbox, "myservice") == [1, 2, 3, 4, 5]

    r = ecsplan([cfg], state, "deregister", "--keep", "2", "--force")
    assert r.code == 0, r
    assert "Deregistered 3 revision(s)." in r.stderr
    assert "keep (in use: service" in r.stderr
    assert r.stdout == ""
    # 5 runs, 4 is the rollback target (also among the 2 newest): 1..3 go
    assert active_revisions(sandbox, "myservice") == [4, 5]

    again = ecsplan([cfg], state, "deregister", "--keep", "0", "--force")
    assert again.code == 0, again
    assert "Nothing to deregister." in again.stderr
    assert active_revisions(sandbox, "myservice") == [4, 5]


def test_deregister_revision_refuses_one_in_use(sandbox, tmp_path) -> None:
    """deregister.go deregiserRevision @v2.6.0: a revision in use is refused, exit 1; `--delete`
    also calls DeleteTaskDefinitions."""
    cfg, state = _five_revisions(sandbox, tmp_path)

    r = ecsplan([cfg], state, "deregister", "--revision", "5", "--force")
    assert r.code == 1
    assert r.stderr.startswith("Error: myservice:5 is in use (service")
    r4 = ecsplan([cfg], state, "deregister", "--revision", "4", "--force")
    assert r4.code == 1
    assert "rollback target of the last run" in r4.stderr
    assert active_revisions(sandbox, "myservice") == [1, 2, 3, 4, 5]

    ok = ecsplan([cfg], state, "deregister", "--revision", "2", "--force", "--delete")
    assert ok.code == 0, ok
    assert active_revisions(sandbox, "myservice") == [1, 3, 4, 5]
    inactive = client(sandbox, "ecs").list_task_definitions(
        familyPrefix="myservice", status="INACTIVE"
    )["taskDefinitionArns"]
    assert not any(a.endswith(":2") for a in inactive)  # deleted, not only deregistered


def test_a_running_task_keeps_its_revision(sandbox, tmp_path) -> None:
    cfg, state = _five_revisions(sandbox, tmp_path)
    ecs = client(sandbox, "ecs")
    arn3 = next(
        a
        for a in ecs.list_task_definitions(familyPrefix="myservice")["taskDefinitionArns"]
        if a.endswith(":3")
    )
    sandbox.pause()  # one-off tasks stop after a few ticks on the sandbox; keep it running
    ecs.run_task(
        cluster="my-cluster",
        taskDefinition=arn3,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-12345678"]}},
    )

    r = ecsplan([cfg], state, "deregister", "--revision", "3", "--force")
    sandbox.resume()
    assert r.code == 1
    assert "running task" in r.stderr
    assert 3 in active_revisions(sandbox, "myservice")
