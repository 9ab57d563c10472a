"""A wrong flag value is one error line naming the flag and what it accepts; exit 1, and
nothing is read from or sent to AWS (the endpoint here does not even exist)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "single-service" / "ecspresso.yml"


CODEDEPLOY = (
    "codedeploy:BeforeInstall, codedeploy:Install, codedeploy:AfterInstall, "
    "codedeploy:AllowTestTraffic, codedeploy:AfterAllowTestTraffic, "
    "codedeploy:BeforeAllowTraffic, codedeploy:AllowTraffic, codedeploy:AfterAllowTraffic"
)
ECS_STAGES = (
    "ecs:RECONCILE_SERVICE, ecs:PRE_SCALE_UP, ecs:SCALE_UP, ecs:POST_SCALE_UP, "
    "ecs:TEST_TRAFFIC_SHIFT, ecs:POST_TEST_TRAFFIC_SHIFT, ecs:PRODUCTION_TRAFFIC_SHIFT, "
    "ecs:POST_PRODUCTION_TRAFFIC_SHIFT, ecs:BAKE_TIME, ecs:CLEAN_UP"
)
ACCEPTED = f"is not stable, deployed, paused or one of {ECS_STAGES}, {CODEDEPLOY}"


@pytest.mark.parametrize(
    "args,line",
    [
        (
            ["deploy", "--wait-until", "forever"],
            f"Error: Invalid value for '--wait-until': 'forever' {ACCEPTED}",
        ),
        (
            ["wait", "--until", "codedeploy:Nope"],
            f"Error: Invalid value for '--wait-until' / '--until': 'codedeploy:Nope' {ACCEPTED}",
        ),
        (
            ["wait", "--wait-until", "ecs:NOPE"],
            f"Error: Invalid value for '--wait-until' / '--until': 'ecs:NOPE' {ACCEPTED}",
        ),
        (
            ["deploy", "--wait-until", "ecs:"],
            f"Error: Invalid value for '--wait-until': 'ecs:' {ACCEPTED}",
        ),
        (
            ["continue", "--wait-until", "ecs:BAKE_TIME"],
            "Error: Invalid value for '--wait-until': 'ecs:BAKE_TIME' is not stable, deployed "
            "or paused",
        ),
        (
            ["plan", "--rollback-events", "DEPLOYMENT_FAILURE,OOPS"],
            "Error: Invalid value for '--rollback-events': invalid rollback event: OOPS (one of "
            "DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST)",
        ),
        (
            ["scale", "--tasks", "many"],
            "Error: Invalid value for '--tasks': 'many' is not a valid integer range.",
        ),
    ],
)
def test_one_line_naming_the_flag(args: list[str], line: str) -> None:
    """ecspresso v2.6.0 cli.go CLI returns exit code 1 for any parse error (kong v1.10.0 enum check
    of deploy.go/wait.go `WaitUntil enum:"stable,deployed"`; deploy.go createDeployment `invalid
    rollback event: %s`; later v2: wait.go waitUntil.Validate accepts paused and `ecs:` +
    one of lifecycleStages, continue.go ContinueOption `enum:"stable,deployed,paused"`);
    ecsplan checks the same values when parsing: one line naming the flag, exit 1, nothing on
    stdout, no AWS call."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECSPRESSO_"))}
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"  # nothing listens: any AWS call would fail
    out = subprocess.run(
        [sys.executable, "-m", "planner", "--config", str(EXAMPLE), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert out.returncode == 1
    assert out.stderr.splitlines() == [line]
    assert out.stdout == ""
