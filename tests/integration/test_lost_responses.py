"""Lost responses (issue 16): AWS did the write, the answer never arrived.

The sandbox's ``lost_rate`` applies a call and then answers it with a 503, as a timeout or a
5xx after commit would. botocore would resend such a call: for RegisterTaskDefinition that
is a second revision, for CreateDeployment a second deployment. ecsplan sends these writes
once per attempt and, after a lost answer, looks for the write (the revision tagged with the
run and step, the deployment described with them, the service that now exists or runs the
new revision) before sending it again. Under 30% lost answers on every call, each service
gets exactly one of each write it needs, counted in the sandbox's write log.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from helpers_cli import EXAMPLES, run_inproc

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration
TIMEOUT = ("--timeout", "90s")
SERVICES = ("database", "api", "frontend")


def carried_out(sandbox: Sandbox, operation: str, field: str) -> Counter[str]:
    """Calls of ``operation`` AWS carried out (answered or lost), per parameter ``field``."""
    return Counter(
        str(w.params.get(field))
        for w in sandbox.writes(operation)
        if w.outcome in ("applied", "lost")
    )


def test_workspace_create_and_update_under_lost_answers(sandbox: Sandbox, tmp_path: Path) -> None:
    work = tmp_path / "microservices"
    shutil.copytree(EXAMPLES / "microservices", work)
    ws = str(work / "workspace.yml")
    sandbox.prepare([ws])
    state = tmp_path / "state"
    # every answer of these writes is lost: each is found, never sent a second time
    sandbox.set_faults(
        lost_rate=1.0, operations=["ecs:RegisterTaskDefinition", "ecs:CreateService"]
    )
    r = run_inproc([], state, "-w", ws, "apply", "--auto-approve", *TIMEOUT)
    assert r.code == 0, r
    assert "AWS calls retried:" in r.stdout
    assert {w.outcome for w in sandbox.writes("ecs:CreateService")} == {"lost"}
    assert carried_out(sandbox, "ecs:RegisterTaskDefinition", "family") == Counter(SERVICES)
    assert carried_out(sandbox, "ecs:CreateService", "serviceName") == Counter(SERVICES)

    # 30% of all answers lost, reads included: still one revision and one update each
    tags = {"DATABASE_TAG": "16.4", "API_TAG": "2.4.61", "FRONTEND_TAG": "1.27.3"}
    sandbox.control.reset()  # count the update alone (faults off: set them again)
    sandbox.set_faults(lost_rate=0.3, seed=17)
    r = run_inproc([], state, "-w", ws, "apply", "--auto-approve", *TIMEOUT, env=tags)
    assert r.code == 0, r
    assert sum(sandbox.stats()["faults_injected"].values()) > 0
    assert carried_out(sandbox, "ecs:RegisterTaskDefinition", "family") == Counter(SERVICES)
    assert carried_out(sandbox, "ecs:UpdateService", "service") == Counter(SERVICES)
    sandbox.set_faults()
    r = run_inproc([], state, "-w", ws, "plan", "--detailed-exitcode", env=tags)
    assert r.code == 0, r


def test_codedeploy_deployment_under_lost_answers(sandbox: Sandbox, tmp_path: Path) -> None:
    work = tmp_path / "blue-green"
    shutil.copytree(EXAMPLES / "blue-green", work)
    cfg = work / "ecspresso.yml"
    sandbox.prepare([cfg])
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT).code == 0
    sandbox.control.reset()
    sandbox.set_faults(
        lost_rate=1.0, operations=["codedeploy:CreateDeployment", "ecs:RegisterTaskDefinition"]
    )
    r = run_inproc([cfg], state, "deploy", *TIMEOUT, env={"IMAGE_TAG": "1.28"})
    sandbox.set_faults()
    assert r.code == 0, r
    # every answer was lost, yet one revision and one deployment: found, not sent again
    assert carried_out(sandbox, "ecs:RegisterTaskDefinition", "family") == Counter(["bg-service"])
    created = carried_out(sandbox, "codedeploy:CreateDeployment", "applicationName")
    assert sum(created.values()) == 1, created
