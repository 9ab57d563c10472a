"""Several accounts and regions in one workspace (issue 21), over real HTTP.

Staging and production each run `my-cluster/web` (the same names), production also a worker
in a second region. Each service acts as its own role: moto keeps accounts apart by the
credentials an AssumeRole returns, and the sandbox records which account and role signed
every call, so the tests see that each service was read and written in its own account only.
"""

from __future__ import annotations

import json
import urllib.parse
from datetime import timedelta
from pathlib import Path

import botocore.credentials
import pytest
from helpers_accounts import (
    OREGON,
    PRODUCTION,
    PRODUCTION_ROLE,
    STAGING,
    STAGING_ROLE,
    TOKYO,
    WHERE,
    client_as,
    ecs_as,
    image_of,
    two_account_workspace,
)
from helpers_cli import Result, run_inproc

from ecsplan_sandbox.server import Sandbox
from planner.aws.clients import AwsContext
from planner.plan.model import Principal

pytestmark = pytest.mark.integration


@pytest.fixture
def workspace(sandbox: Sandbox, tmp_path: Path) -> Path:
    return two_account_workspace(sandbox, tmp_path)


def run(ws: Path, state: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return run_inproc([], state, "-w", str(ws), *args, env=env)


def state_dirs(state: Path) -> set[str]:
    return {urllib.parse.unquote(p.name) for p in state.iterdir() if p.is_dir() and "%2F" in p.name}


def test_plan_apply_and_replan_keep_each_service_in_its_own_account(
    sandbox: Sandbox, workspace: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    plan = run(workspace, state, "plan", "--out", str(tmp_path / "plan.json"))
    assert plan.code == 0, plan
    headings = [line for line in plan.stdout.splitlines() if line.startswith("===")]
    assert headings == [
        f"=== {STAGING} / {TOKYO} ===",
        f"=== {PRODUCTION} / {TOKYO} ===",
        f"=== {PRODUCTION} / {OREGON} ===",
    ]
    assert plan.stdout.count("# service my-cluster/web will be created") == 2
    saved = json.loads((tmp_path / "plan.json").read_text())
    assert {s["key"]: s["identity"]["account"] for s in saved["services"]} == {
        k: w[0] for k, w in WHERE.items()
    }
    sandbox.control.reset()  # count the apply's calls only

    applied = run(workspace, state, "apply", str(tmp_path / "plan.json"))
    assert applied.code == 0, applied
    calls = sandbox.signed_calls()
    # credentials once per role, accounts once per identity, for the whole apply
    assert sum(c.operation == "sts:AssumeRole" for c in calls) == 2
    assert sum(c.operation == "sts:GetCallerIdentity" for c in calls) == 2
    for c in calls:
        if c.operation.startswith("ecs:"):  # every ECS call as a service's own role
            assert (c.account, c.role_arn) in {
                (STAGING, STAGING_ROLE),
                (PRODUCTION, PRODUCTION_ROLE),
            }
    # the default account saw only the two AssumeRole calls its key signed
    assert sandbox.calls_by_account()["123456789012"] == {"sts:AssumeRole": 2}
    assert sandbox.calls_by_account()[STAGING]["ecs:CreateService"] == 1
    assert sandbox.calls_by_account()[PRODUCTION]["ecs:CreateService"] == 2
    created = {(c.account, c.role_arn, c.region) for c in sandbox.signed_calls("ecs:CreateService")}
    assert created == set(WHERE.values())
    assert image_of(sandbox, "web-staging") == "nginx:1.27"
    assert image_of(sandbox, "web-production") == "nginx:1.27"
    assert image_of(sandbox, "worker-production") == "nginx:1.27"
    for region in (TOKYO, OREGON):  # nothing landed in the sandbox's default account
        assert ecs_as(sandbox, None, region).list_clusters()["clusterArns"] == []

    assert state_dirs(state) == {
        f"{STAGING}/{TOKYO}/my-cluster/web",
        f"{PRODUCTION}/{TOKYO}/my-cluster/web",
        f"{PRODUCTION}/{OREGON}/my-cluster/worker",
    }
    listed = run(workspace, state, "state", "list")
    assert f"{STAGING}/{TOKYO}/my-cluster/web" in listed.stdout, listed
    assert f"{PRODUCTION}/{TOKYO}/my-cluster/web" in listed.stdout, listed
    shown = run(workspace, state, "state", "show", "web")
    assert shown.code == 1 and "ambiguous" in shown.stderr  # two accounts' web: name the key
    again = run(workspace, state, "plan", "--detailed-exitcode")
    assert again.code == 0, again
    assert "No changes." in again.stdout


def test_locks_are_per_account(sandbox: Sandbox, workspace: Path, tmp_path: Path) -> None:
    """The legacy key my-cluster/web is no one's any more; staging's own key is its lock."""
    from planner.state import open_backend

    state = tmp_path / "state"
    backend = open_backend(str(state))
    other = backend.lock("my-cluster/web", operation="apply", run_id="20260101T000000000Z-aaaaaa")
    assert run(workspace, state, "apply", "--auto-approve").code == 0
    backend.unlock(other)
    staging = f"{STAGING}/{TOKYO}/my-cluster/web"
    held = backend.lock(staging, operation="apply", run_id="20260101T000000000Z-bbbbbb")
    r = run(workspace, state, "apply", "--auto-approve", env={"STAGING_TAG": "1.28"})
    assert r.code == 1
    assert f"state for {staging} is locked" in r.stderr
    backend.unlock(held)


def test_resume_and_rollback_of_a_two_account_run_from_the_state(
    sandbox: Sandbox, workspace: Path, tmp_path: Path
) -> None:
    """Every UpdateService fails: each account's service stops with a failed step; `apply
    --resume` finishes both from the state, and `rollback` restores both."""
    state = tmp_path / "state"
    assert run(workspace, state, "apply", "--auto-approve").code == 0
    tags = {"STAGING_TAG": "1.28", "PRODUCTION_TAG": "1.29", "ECSPLAN_MAX_ATTEMPTS": "2"}
    sandbox.set_faults(error_rate=1.0, operations=["ecs:UpdateService"], seed=1)
    failed = run(workspace, state, "apply", "--auto-approve", env=tags)
    assert failed.code == 1
    assert "web-staging: FAILED" in failed.stderr and "web-production: FAILED" in failed.stderr
    sandbox.set_faults()

    resumed = run(workspace, state, "apply", "--resume", env=tags)
    assert resumed.code == 0, resumed
    assert image_of(sandbox, "web-staging") == "nginx:1.28"
    assert image_of(sandbox, "web-production") == "nginx:1.29"

    rolled = run(workspace, state, "rollback", "--auto-approve")
    assert rolled.code == 0, rolled
    assert image_of(sandbox, "web-staging") == "nginx:1.27"
    assert image_of(sandbox, "web-production") == "nginx:1.27"
    for c in sandbox.signed_calls("ecs:UpdateService"):
        assert c.role_arn in (STAGING_ROLE, PRODUCTION_ROLE)


def test_apply_refuses_a_plan_made_for_another_account(
    sandbox: Sandbox, workspace: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    out = tmp_path / "plan.json"
    assert run(workspace, state, "plan", "--out", str(out)).code == 0
    text = workspace.read_text().replace(PRODUCTION_ROLE, "arn:aws:iam::333333333333:role/deploy")
    workspace.write_text(text)
    before = sandbox.stats()["writes"]
    r = run(workspace, state, "apply", str(out))
    assert r.code == 1
    assert r.stderr.splitlines()[0].startswith(
        f"Error: {out}: web-production: the plan acts as account {PRODUCTION}, role "
        f"{PRODUCTION_ROLE} in {TOKYO}, these configs and credentials give account "
        "333333333333"
    ), r
    assert sandbox.stats()["writes"] == before  # nothing sent


def test_assumed_credentials_are_refreshed_before_they_expire(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rollout wait outlives the role's hour: once the clock passes the expiry botocore's
    refresh window allows, the next call assumes the role again and signs with the new key."""
    aws = AwsContext(region=TOKYO).scoped(Principal(None, STAGING_ROLE))
    ecs = aws.client("ecs")
    ecs.list_clusters()
    ecs.list_clusters()
    assert len(sandbox.signed_calls("sts:AssumeRole")) == 1
    creds = aws.session().get_credentials()  # botocore's RefreshableCredentials
    now = botocore.credentials._local_now()
    # botocore reads its clock through this attribute (bound when the credentials are made)
    monkeypatch.setattr(creds, "_time_fetcher", lambda: now + timedelta(minutes=55))
    ecs.list_clusters()
    assert len(sandbox.signed_calls("sts:AssumeRole")) == 2
    keys = [c.access_key_id for c in sandbox.signed_calls("ecs:ListClusters")]
    assert keys[0] == keys[1] != keys[2]
    assert {c.account for c in sandbox.signed_calls("ecs:ListClusters")} == {STAGING}


def test_every_command_reads_each_service_as_its_own_role(
    sandbox: Sandbox, workspace: Path, tmp_path: Path
) -> None:
    """status, wait, revisions, tasks, diff and verify read both accounts' my-cluster/web
    (same names), each with its own role: never in the default account."""
    state = tmp_path / "state"
    assert run(workspace, state, "apply", "--auto-approve").code == 0
    sandbox.control.reset()
    status = run(workspace, state, "status")
    assert status.code == 0, status
    assert status.stdout.count("Service: web") == 2 and "Service: worker" in status.stdout
    for args in (["wait"], ["revisions"], ["tasks"], ["diff"]):
        r = run(workspace, state, *args)
        assert r.code == 0, (args, r)
    verify = run(workspace, state, "verify")  # NG: the fake subnet; the clusters are found
    assert verify.stdout.count("OK   cluster my-cluster") == 3, verify
    ecs_calls = [c for c in sandbox.signed_calls() if not c.operation.startswith("sts:")]
    assert ecs_calls
    assert {(c.account, c.role_arn) for c in ecs_calls} == {
        (STAGING, STAGING_ROLE),
        (PRODUCTION, PRODUCTION_ROLE),
    }
    assert {c.region for c in ecs_calls if c.account == PRODUCTION} == {TOKYO, OREGON}


def test_template_lookups_read_each_services_own_account(
    sandbox: Sandbox, workspace: Path, tmp_path: Path
) -> None:
    """`{{ ssm ... }}` in a definition reads the parameter of the service's own account (and
    region): staging and production hold different tags under one name."""
    for key, tag in (("web-staging", "1.30"), ("web-production", "1.31")):
        _, role, region = WHERE[key]
        ssm = client_as(sandbox, "ssm", role, region)
        ssm.put_parameter(Name="/web/tag", Value=tag, Type="String")
    for name in ("staging", "production"):
        td = workspace.parent / name / "ecs-task-def.json"
        doc = json.loads(td.read_text())
        doc["containerDefinitions"][0]["image"] = "nginx:{{ ssm `/web/tag` }}"
        td.write_text(json.dumps(doc))
    out = tmp_path / "plan.json"
    r = run(workspace, tmp_path / "state", "plan", "--out", str(out))
    assert r.code == 0, r
    images = {
        s["key"]: s["summary"]["images_after"] for s in json.loads(out.read_text())["services"]
    }
    assert images["web-staging"] == ["nginx:1.30"]
    assert images["web-production"] == ["nginx:1.31"]
    gets = sandbox.signed_calls("ssm:GetParameter")
    assert {(c.account, c.role_arn) for c in gets} == {
        (STAGING, STAGING_ROLE),
        (PRODUCTION, PRODUCTION_ROLE),
    }
