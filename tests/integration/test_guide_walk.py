"""One service walked through the guide's sections in order, as issue 17 found them: each
section's service definition deployed over the previous one with `deploy`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest
from helpers_cli import EXAMPLES, run_inproc

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration
TIMEOUT = ("--timeout", "60s")


def _section(name: str) -> dict[str, Any]:
    sd = json.loads((EXAMPLES / name / "ecs-service-def.json").read_text())
    for lb in sd.get("loadBalancers") or ():
        lb["containerName"], lb["containerPort"] = "web", 80
    return sd


@pytest.fixture
def service(sandbox: Sandbox, tmp_path: Path) -> Path:
    """examples/blue-green renamed "guide" (its CodeDeploy group follows), with every
    section's resources prepared."""
    for name in ("blue-green", "fargate-spot", "service-connect", "single-service"):
        work = tmp_path / name
        shutil.copytree(EXAMPLES / name, work)
        cfg = work / "ecspresso.yml"
        text = cfg.read_text()
        for svc in ("bg-service", "spot-service", "sc-service", "myservice"):
            text = text.replace(f"service: {svc}", "service: guide")
        cfg.write_text(text)
        td = json.loads((EXAMPLES / "single-service" / "ecs-task-def.json").read_text())
        (work / "ecs-task-def.json").write_text(json.dumps({**td, "family": "guide"}))
        sandbox.prepare([cfg])
    return tmp_path / "blue-green" / "ecspresso.yml"


def _deploy(cfg: Path, sd: dict[str, Any], *args: str) -> Any:
    (cfg.parent / "ecs-service-def.json").write_text(json.dumps(sd))
    return run_inproc([cfg], cfg.parent / "state", *args, env={"IMAGE_TAG": "1.27"})


def _live() -> dict[str, Any]:
    ecs = boto3.client("ecs")
    return ecs.describe_services(cluster="my-cluster", services=["guide"])["services"][0]


def test_codedeploy_then_a_definition_without_a_controller(service: Path) -> None:
    """The controller is not in the definition: not managed, and the plan says so."""
    assert _deploy(service, _section("blue-green"), "deploy", *TIMEOUT).code == 0
    sd = {k: v for k, v in _section("blue-green").items() if k != "deploymentController"}
    r = _deploy(service, sd, "plan", "--detailed-exitcode")
    assert r.code == 0, r
    assert "left alone (not in the definition): deploymentController" in r.stdout


def test_circuit_breaker_then_fargate_spot_keeps_the_breaker(service: Path) -> None:
    """Fargate Spot's section has no deploymentConfiguration: the breaker stays on (as in
    ecspresso, whose UpdateService leaves out a field the definition omits)."""
    assert _deploy(service, _section("single-service"), "deploy", *TIMEOUT).code == 0
    assert _live()["deploymentConfiguration"]["deploymentCircuitBreaker"]["enable"] is True
    r = _deploy(service, _section("fargate-spot"), "deploy", *TIMEOUT)
    assert r.code == 0, r
    step = next(ln for ln in r.stdout.splitlines() if "update service my-cluster/guide:" in ln)
    assert "capacityProviderStrategy" in step and "deploymentConfiguration" not in step
    assert "forces a new deployment" in step, r.stdout
    assert "left alone (not in the definition): deploymentConfiguration" in r.stdout
    live = _live()
    assert live["deploymentConfiguration"]["deploymentCircuitBreaker"]["enable"] is True
    assert {c["capacityProvider"] for c in live["capacityProviderStrategy"]} == {
        "FARGATE_SPOT",
        "FARGATE",
    }
    assert _deploy(service, _section("fargate-spot"), "plan", "--detailed-exitcode").code == 0


def test_fargate_spot_then_a_launch_type_is_refused_naming_the_field(service: Path) -> None:
    assert _deploy(service, _section("fargate-spot"), "deploy", *TIMEOUT).code == 0
    r = _deploy(service, _section("service-connect"), "plan", "--detailed-exitcode")
    assert r.code == 1, r
    first = r.stderr.splitlines()[0]
    assert first.startswith("Error: guide: launchType cannot change in place"), r
    assert 'write the strategy instead (for FARGATE: [{"capacityProvider": "FARGATE"' in r.stderr
    assert "`ecsplan delete` the service, then `ecsplan deploy`" in r.stderr
    # nothing was written: a deploy refuses the same way
    r = _deploy(service, _section("service-connect"), "deploy", *TIMEOUT)
    assert r.code == 1 and "launchType cannot change in place" in r.stderr
