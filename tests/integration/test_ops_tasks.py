"""`ecsplan tasks`: list, --find for scripts, --stop with confirmation."""

from __future__ import annotations

from test_lists_compat import json_objects
from test_ops_support import client, deployed, ecsplan, example


def test_tasks_lists_finds_and_stops(sandbox, tmp_path) -> None:
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)

    r = ecsplan([cfg], state, "tasks")
    assert r.code == 0, r
    rows = [ln.split("|")[1:-1] for ln in r.stdout.splitlines()[2:]]
    assert len(rows) == 3
    assert all(row[1].strip() == "myservice:1" for row in rows)
    assert all([c.strip() for c in row[3:5]] == ["RUNNING", "RUNNING"] for row in rows)

    found = ecsplan([cfg], state, "tasks", "--find").stdout.split()
    assert len(found) == 3 and all(":task/my-cluster/" in a for a in found)

    j = json_objects(ecsplan([cfg], state, "tasks", "--format", "json").stdout)
    assert {t["taskArn"] for t in j} == set(found)

    victim = found[0].rsplit("/", 1)[-1]
    refused = ecsplan([cfg], state, "tasks", "--stop", victim)
    assert refused.code == 1 and refused.stderr.startswith("Error: Aborted")
    assert refused.stdout == f"Do you request to stop a task {victim}? (y/n) [n]: "

    stopped = ecsplan([cfg], state, "tasks", "--stop", victim, "--force")
    assert stopped.code == 0, stopped
    assert f"stopping task {victim}" in stopped.stderr
    [task] = client(sandbox, "ecs").describe_tasks(cluster="my-cluster", tasks=[found[0]])["tasks"]
    assert task["desiredStatus"] == "STOPPED"

    unknown = ecsplan([cfg], state, "tasks", "--stop", "nope", "--force")
    assert unknown.code == 1 and "not a task of the selected service" in unknown.stderr
