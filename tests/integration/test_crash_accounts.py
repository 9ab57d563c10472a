"""A two-account workspace run killed with SIGKILL, then continued (issues 16 and 21).

The workspace of test_accounts.py (staging's and production's `my-cluster/web`, production's
worker in Oregon after its web) is applied, then applied with a new image everywhere and
killed in the first account's service, between the accounts' services, and in the second
account's second region. `apply --resume` must finish every service in its own account, as
its own role, leave no lock under any ACCOUNT/REGION/CLUSTER/SERVICE key, and send no write
twice; `rollback` after such a kill restores every service the run reached.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from helpers_accounts import (
    OREGON,
    PRODUCTION,
    PRODUCTION_ROLE,
    STAGING,
    STAGING_ROLE,
    TOKYO,
    WHERE,
    image_of,
    two_account_workspace,
)
from helpers_cli import Result, run_inproc
from helpers_crash import kill_at

from ecsplan_sandbox.server import Sandbox
from planner.state.local import LocalBackend

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NEW_TAGS = {"STAGING_TAG": "1.28", "PRODUCTION_TAG": "1.29", "WORKER_TAG": "1.30"}
NEW_IMAGES = {"web-staging": "nginx:1.28", "web-production": "nginx:1.29"}
NEW_IMAGES["worker-production"] = "nginx:1.30"
TIMEOUT = ("--timeout", "60s")
KEYS = {  # the state key of each service: its account, region, cluster and service
    f"{STAGING}/{TOKYO}/my-cluster/web",
    f"{PRODUCTION}/{TOKYO}/my-cluster/web",
    f"{PRODUCTION}/{OREGON}/my-cluster/worker",
}
POINTS = (
    "after_call:update_service@web-staging",  # the first account's service, half-written
    "success:wait_rollout@web-staging",  # between the accounts' services
    "begin:register_task_definition@worker-production",  # the second account's 2nd region
)


@pytest.fixture
def ws(sandbox: Sandbox, tmp_path: Path) -> Path:
    ws = two_account_workspace(sandbox, tmp_path)
    assert run(ws, tmp_path / "state", "apply", "--auto-approve").code == 0
    sandbox.control.reset()  # count the crashed run's and its continuation's calls only
    return ws


def run(ws: Path, state: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return run_inproc([], state, "-w", str(ws), *args, *TIMEOUT, env=env)


def images(sandbox: Sandbox) -> dict[str, str | None]:
    return {key: image_of(sandbox, key) for key in WHERE}


def where_written(sandbox: Sandbox, operation: str) -> Counter[tuple[str, str | None, str]]:
    """How many ``operation`` calls each (account, role, region) signed."""
    return Counter((c.account, c.role_arn, c.region) for c in sandbox.signed_calls(operation))


def assert_each_account_only(sandbox: Sandbox) -> None:
    for c in sandbox.signed_calls():
        if c.operation.startswith("ecs:"):
            assert (c.account, c.role_arn) in {
                (STAGING, STAGING_ROLE),
                (PRODUCTION, PRODUCTION_ROLE),
            }


@pytest.mark.parametrize("at", POINTS)
def test_resume_finishes_every_account(sandbox: Sandbox, ws: Path, tmp_path: Path, at: str) -> None:
    state = tmp_path / "state"
    kill_at(sandbox, ws, state, at, "apply", "--auto-approve", *TIMEOUT, env=NEW_TAGS)
    held = {lock.service_key for lock in LocalBackend(state).locks()}
    assert held and held <= KEYS, held  # the dead run's locks, under the per-account keys

    r = run(ws, state, "apply", "--resume", env=NEW_TAGS)
    assert r.code == 0, r
    assert "took over the lock" in r.stderr, r
    assert "Apply complete: 3 service(s)." in r.stdout, r
    assert images(sandbox) == NEW_IMAGES  # each read back as its own role
    assert LocalBackend(state).locks() == []
    again = run(ws, state, "plan", "--detailed-exitcode", env=NEW_TAGS)
    assert again.code == 0 and "No changes." in again.stdout, again
    # no write twice: one revision and one UpdateService per service, each in its account
    once = Counter(WHERE.values())
    assert where_written(sandbox, "ecs:RegisterTaskDefinition") == once
    assert where_written(sandbox, "ecs:UpdateService") == once
    assert_each_account_only(sandbox)


def test_rollback_after_a_kill_restores_both_accounts(
    sandbox: Sandbox, ws: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    before = images(sandbox)
    at = "after_call:update_service@web-production"
    start = max((c.seq for c in sandbox.signed_calls()), default=0)
    kill_at(sandbox, ws, state, at, "apply", "--auto-approve", *TIMEOUT, env=NEW_TAGS)
    # web-staging runs beside web-production (no dependency): it may or may not have been
    # updated when the kill came; the rollback must undo exactly what the run reached
    reached = Counter(
        (c.account, c.role_arn, c.region)
        for c in sandbox.signed_calls("ecs:UpdateService")
        if c.seq > start
    )
    assert WHERE["web-production"] in reached
    sandbox.control.reset()

    r = run(ws, state, "rollback")
    assert r.code == 0, r
    assert images(sandbox) == before
    assert LocalBackend(state).locks() == []
    assert run(ws, state, "plan", "--detailed-exitcode").code == 0  # the old inputs again
    # the web services the run reached were rolled back, each in its own account
    assert where_written(sandbox, "ecs:UpdateService") == reached
    assert_each_account_only(sandbox)
