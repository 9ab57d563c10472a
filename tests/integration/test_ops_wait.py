"""`ecsplan wait`: follows the rollout in progress; fails as apply does on a rollback.

The sandbox clock is paused while the test starts a deployment with plain boto3, so `wait`
always finds it in progress; the clock resumes once `wait` runs.
"""

from __future__ import annotations

import json

from test_ops_support import client, deployed, describe, ecsplan, example, popen, register_revision


def _start_update(sandbox, image: str) -> str:
    svc = describe(sandbox, "my-cluster", "myservice")
    arn = register_revision(sandbox, svc["taskDefinition"], image)
    client(sandbox, "ecs").update_service(
        cluster="my-cluster", service="myservice", taskDefinition=arn
    )
    return arn


def _wait_in_subprocess(sandbox, cfg, state, *args: str) -> tuple[int, str, str]:
    proc = popen(sandbox, [cfg], state, "wait", *args)
    # the subprocess reads the in-progress deployment before the clock moves on; if it
    # starts late the outcome is the same (completed / failed), only sooner
    sandbox.resume()
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def test_wait_follows_an_in_progress_deployment(sandbox, tmp_path) -> None:
    """wait.go WaitOption @v2.6.0: `WaitUntil ... default:"stable"`: wait follows the deployment in
    progress until the service is stable."""
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    sandbox.pause()
    new_arn = _start_update(sandbox, "nginx:1.28")
    assert describe(sandbox, "my-cluster", "myservice")["deployments"][0]["rolloutState"] == (
        "IN_PROGRESS"
    )

    code, out, err = _wait_in_subprocess(sandbox, cfg, state)
    assert code == 0, err
    assert "myservice: stable" in out  # ecspresso wait.go: --wait-until defaults to stable
    svc = describe(sandbox, "my-cluster", "myservice")
    assert [d["rolloutState"] for d in svc["deployments"]] == ["COMPLETED"]
    assert svc["deployments"][0]["taskDefinition"] == new_arn


def test_wait_fails_naming_the_revision_when_the_circuit_breaker_rolls_back(
    sandbox, tmp_path
) -> None:
    """wait.go / deploy.go confirmPrimaryTD @v2.6.0 (CHANGELOG v2.4.0 #733): a deployment rolled
    back by the circuit breaker is an error, exit 1."""
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    sandbox.pause()
    _start_update(sandbox, "nginx:1.27-fail")

    code, _, err = _wait_in_subprocess(sandbox, cfg, state)
    assert code == 1, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("Error: myservice:")
    assert "myservice:1" in last  # the revision ECS went back to
    assert "circuit breaker" in last or "rolled back" in last


def test_wait_with_nothing_in_progress_returns_at_once(sandbox, tmp_path) -> None:
    cfg = example("single-service", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    r = ecsplan([cfg], state, "wait", "--wait-until", "stable")
    assert r.code == 0, r
    assert "myservice: stable" in r.stdout


def test_wait_follows_the_codedeploy_deployment(sandbox, tmp_path) -> None:
    cfg = example("blue-green", tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    sandbox.pause()
    r = ecsplan([cfg], state, "deploy", "--no-wait", env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    cd = client(sandbox, "codedeploy")
    [dep] = cd.list_deployments(
        applicationName="myapp",
        deploymentGroupName="myapp-group",
        includeOnlyStatuses=["Created", "Queued", "InProgress", "Ready"],
    )["deployments"]

    code, out, err = _wait_in_subprocess(sandbox, cfg, state)
    assert code == 0, err
    assert "bg-service: stable" in out
    assert cd.get_deployment(deploymentId=dep)["deploymentInfo"]["status"] == "Succeeded"
    svc = describe(sandbox, "my-cluster", "bg-service")
    assert svc["taskDefinition"].endswith("bg-service:2")


def test_wait_on_a_workspace_waits_for_every_service(sandbox, tmp_path) -> None:
    """wait.go WaitOption @v2.6.0: `aliases:"until"`, so `--until deployed` is `--wait-until
    deployed`."""
    ws = example("microservices", tmp_path)
    state = tmp_path / "state"
    sandbox.prepare([str(ws)])
    sandbox.pause()
    assert ecsplan([], state, "deploy", "--no-wait", workspace=ws).code == 0
    sandbox.resume()
    r = ecsplan([], state, "wait", "--until", "deployed", workspace=ws)  # ecspresso's alias
    assert r.code == 0, r
    assert r.stdout.splitlines() == ["database: deployed", "api: deployed", "frontend: deployed"]
    j = json.loads(ecsplan([], state, "status", "--format", "json", workspace=ws).stdout)
    assert all(s["runningCount"] == s["desiredCount"] for s in j["services"])
