"""`ecsplan refresh` (a new deployment, journaled) and `ecsplan delete`."""

from __future__ import annotations

import json

from test_ops_support import deployed, describe, ecsplan, example


def test_refresh_creates_a_new_deployment_of_the_same_revision(sandbox, tmp_path) -> None:
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    before = describe(sandbox, "my-cluster", "myservice")

    r = ecsplan([cfg], state, "refresh")
    assert r.code == 0, r
    assert "forceNewDeployment" in r.stdout
    after = describe(sandbox, "my-cluster", "myservice")
    [dep] = after["deployments"]
    assert dep["id"] != before["deployments"][0]["id"]
    assert dep["rolloutState"] == "COMPLETED"
    assert after["taskDefinition"] == before["taskDefinition"]

    runs = json.loads(
        ecsplan([cfg], state, "state", "show", "myservice", "--format", "json").stdout
    )["runs"]
    assert runs[0]["outcome"] == "succeeded"
    assert [s["kind"] for s in runs[0]["steps"]] == ["update_service", "wait_rollout"]


def test_delete_asks_then_deletes_with_force(sandbox, tmp_path) -> None:
    """delete.go Delete @v2.6.0: without --force prompter asks `Enter the service name to DELETE: `
    (a pipe: the empty default, `confirmation failed`, exit 1); with --force DeleteService runs
    without asking."""
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)

    refused = ecsplan([cfg], state, "delete")  # stdin is not a TTY
    assert refused.code == 1 and "Error: confirmation failed" in refused.stderr
    assert "Will DELETE" in refused.stdout
    assert refused.stdout.endswith("Enter the service name to DELETE: ")
    assert describe(sandbox, "my-cluster", "myservice")["status"] == "ACTIVE"

    r = ecsplan([cfg], state, "delete", "--force")
    assert r.code == 0, r
    assert describe(sandbox, "my-cluster", "myservice")["status"] in ("DRAINING", "INACTIVE")
    runs = json.loads(
        ecsplan([cfg], state, "state", "show", "myservice", "--format", "json").stdout
    )["runs"]
    assert runs[0]["operation"] == "delete" and runs[0]["outcome"] == "succeeded"

    again = ecsplan([cfg], state, "delete", "--force")
    assert again.code == 1 and "does not exist" in again.stderr
