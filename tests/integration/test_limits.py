"""Limits ecsplan checks before any write, and what the sandbox (standing for AWS) answers
when a config says the account's limits are higher than they are.

- `--tasks` above the tasks-per-service quota or beyond int32: refused before any AWS call.
- `ecsplan.tasks_per_service` raises the quota ecsplan checks against (an account whose quota
  was raised); when the account's quota was not actually raised, AWS refuses the write, and
  so does the sandbox ("Desired count exceeds limit.").
- A well-formed region botocore does not know is a warning, not an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_cli import EXAMPLES, copy_example, requests, run_inproc, writes_of

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

SINGLE = EXAMPLES / "single-service" / "ecspresso.yml"


def test_tasks_above_the_quota_are_refused_before_any_call(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.prepare([SINGLE])
    before = requests(sandbox)
    r = run_inproc([SINGLE], tmp_path / "state", "deploy", "--tasks", "5001")
    assert r.code == 1, r
    assert r.stderr.splitlines()[0] == (
        'Error: myservice: --tasks 5001 is above the ECS quota "Tasks per service" (5000); '
        "if your account's quota is raised, set ecsplan.tasks_per_service in the config"
    )
    assert requests(sandbox) == before  # not even a read
    assert not (tmp_path / "state").exists()


def test_tasks_beyond_int32_is_a_flag_error(sandbox: Sandbox, tmp_path: Path) -> None:
    r = run_inproc([SINGLE], tmp_path / "state", "plan", "--tasks", "100000000000000000000")
    assert r.code == 1, r
    assert r.stderr.startswith("Error: Invalid value for '--tasks': 100000000000000000000 is not")
    assert writes_of(requests(sandbox)) == {}


def test_a_raised_quota_passes_validation_and_aws_has_the_last_word(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    cfg = copy_example("single-service", tmp_path)
    cfg.write_text(cfg.read_text() + "ecsplan:\n  tasks_per_service: 10000\n")
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    r = run_inproc([cfg], state, "plan", "--tasks", "6000")
    assert r.code == 0, r
    assert "6000" in r.stdout
    r = run_inproc([cfg], state, "deploy", "--tasks", "6000", "--timeout", "30s")
    assert r.code == 1, r
    assert "Desired count exceeds limit." in r.stderr  # the sandbox's account keeps 5000


def test_a_well_formed_unknown_region_is_a_warning(tmp_path: Path) -> None:
    cfg = copy_example("single-service", tmp_path)
    cfg.write_text(cfg.read_text().replace("ap-northeast-1", "ap-northeast-9"))
    r = run_inproc([cfg], tmp_path / "state", "validate")
    assert r.code == 0, r
    assert r.stderr.splitlines() == [
        f'warning: {cfg}:1: $.region: region "ap-northeast-9" is not one botocore knows '
        "(a new region, or a typo?); AWS calls go to its endpoint anyway"
    ]
