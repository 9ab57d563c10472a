"""Convergence (issue 17): one service walked through every ordered pair of a corpus of
service definitions: the guide's sections as the examples hold them (rolling with the
circuit breaker, CodeDeploy blue/green, auto scaling, Fargate Spot, Service Connect, ECS
native blue/green) and variations of them.

For each transition A -> B: `plan` either refuses naming the field (AWS cannot change it in
place; the way out, `delete` then `deploy`, is then taken to reach B), or `deploy` applies it
and the next `plan --detailed-exitcode` says "No changes". The walk is an Eulerian circuit
of the complete directed graph, so every ordered pair is one step of it. The count of
transitions checked is printed (and quoted in the README).
"""

from __future__ import annotations

import copy
import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import EXAMPLES, Result, run_inproc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecsplan_sandbox.server import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SERVICE = "walker"
TIMEOUT = ("--timeout", "60s")


def _example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name / "ecs-service-def.json").read_text())


def corpus() -> dict[str, dict[str, Any]]:
    """The guide's sections as the examples write them, and variations."""
    rolling = _example("single-service")  # launchType FARGATE, circuit breaker, grace period
    plain = {k: v for k, v in rolling.items() if k != "deploymentConfiguration"}
    defs = {
        "rolling+breaker": rolling,
        "rolling (no deploymentConfiguration)": plain,
        "codedeploy": _example("blue-green"),
        "autoscaling (no desiredCount)": _example("autoscaling"),
        "fargate-spot": _example("fargate-spot"),
        "service-connect": _example("service-connect"),
        "rolling, more tasks, exec on": {**plain, "desiredCount": 4, "enableExecuteCommand": True},
        "back to ECS": {**_example("blue-green"), "deploymentController": {"type": "ECS"}},
    }
    return {k: _for_walker(v) for k, v in defs.items()}


def _for_walker(sd: dict[str, Any]) -> dict[str, Any]:
    """One service for all: the same task definition family and container everywhere."""
    sd = copy.deepcopy(sd)
    sd.pop("tags", None)
    for lb in sd.get("loadBalancers") or ():
        lb["containerName"], lb["containerPort"] = "web", 80
    return sd


def eulerian_circuit(names: list[str]) -> list[str]:
    """Every ordered pair (a, b), a != b, exactly once, as one walk (Hierholzer)."""
    out_edges = {a: [b for b in names if b != a] for a in names}
    stack, circuit = [names[0]], []
    while stack:
        node = stack[-1]
        if out_edges[node]:
            stack.append(out_edges[node].pop())
        else:
            circuit.append(stack.pop())
    return circuit[::-1]


@pytest.fixture
def walker(sandbox: Sandbox, tmp_path: Path) -> Iterator[Path]:
    """A config for the walker service (with a CodeDeploy target, used when the definition
    says CODE_DEPLOY) whose service definition file the test rewrites."""
    work = tmp_path / "walker"
    shutil.copytree(EXAMPLES / "blue-green", work)
    cfg = work / "ecspresso.yml"
    cfg.write_text(cfg.read_text().replace("service: bg-service", f"service: {SERVICE}"))
    td = json.loads((EXAMPLES / "single-service" / "ecs-task-def.json").read_text())
    (work / "ecs-task-def.json").write_text(json.dumps({**td, "family": SERVICE}))
    for name in ("blue-green", "service-connect", "fargate-spot", "single-service"):
        other = tmp_path / f"prep-{name}"
        shutil.copytree(EXAMPLES / name, other)
        text = (other / "ecspresso.yml").read_text()
        for svc in ("bg-service", "sc-service", "spot-service", "myservice"):
            text = text.replace(f"service: {svc}", f"service: {SERVICE}")
        (other / "ecspresso.yml").write_text(text)
        sandbox.prepare([other / "ecspresso.yml"])
    yield cfg


def _use(cfg: Path, sd: dict[str, Any]) -> None:
    (cfg.parent / "ecs-service-def.json").write_text(json.dumps(sd, indent=2))


def _ecsplan(cfg: Path, *args: str) -> Result:
    return run_inproc([cfg], cfg.parent / "state", *args, env={"IMAGE_TAG": "1.27"})


def test_every_transition_converges_or_is_refused_naming_the_field(walker: Path) -> None:
    defs = corpus()
    walk = eulerian_circuit(list(defs))
    _use(walker, defs[walk[0]])
    r = _ecsplan(walker, "deploy", *TIMEOUT)
    assert r.code == 0, r
    checked, refused = 0, []
    for a, b in itertools.pairwise(walk):
        checked += 1
        why = _transition(walker, f"{a} -> {b}", defs[b])
        if why:
            refused.append(f"{a} -> {b}: {why}")
    print(f"\nconvergence: {checked} transitions, {len(refused)} refused:\n" + "\n".join(refused))
    assert checked == len(defs) * (len(defs) - 1)


def _transition(cfg: Path, label: str, sd: dict[str, Any]) -> str | None:
    """Plan and apply ``sd`` over what runs; the refusal's first line, or None."""
    _use(cfg, sd)
    plan = _ecsplan(cfg, "plan", "--detailed-exitcode")
    refusal = None
    if plan.code == 1:
        refusal = plan.stderr.splitlines()[0]
        assert "cannot change in place" in refusal, f"{label}: {plan}"
        assert _ecsplan(cfg, "delete", "--force", *TIMEOUT).code == 0  # the way out
    r = _ecsplan(cfg, "deploy", *TIMEOUT)
    assert r.code == 0, f"{label}: {r}"
    again = _ecsplan(cfg, "plan", "--detailed-exitcode")
    assert again.code == 0, f"{label} does not converge:\n{again}"
    assert "No changes" in again.stdout
    return refusal


BASE = _for_walker(_example("single-service"))
SPOT_WEIGHTS = st.tuples(st.integers(0, 3), st.integers(1, 3))
VARIATION = st.fixed_dictionaries(
    {},
    optional={
        "desiredCount": st.integers(0, 4),
        "propagateTags": st.sampled_from(["NONE", "SERVICE", "TASK_DEFINITION"]),
        "enableExecuteCommand": st.booleans(),
        "healthCheckGracePeriodSeconds": st.sampled_from([0, 30, 60]),
        "deploymentConfiguration": st.fixed_dictionaries(
            {
                "maximumPercent": st.sampled_from([100, 150, 200]),
                "minimumHealthyPercent": st.sampled_from([0, 50, 100]),
                "deploymentCircuitBreaker": st.fixed_dictionaries(
                    {"enable": st.booleans(), "rollback": st.booleans()}
                ),
            }
        ),
        "capacityProviderStrategy": SPOT_WEIGHTS.map(
            lambda w: [
                {"capacityProvider": "FARGATE_SPOT", "weight": w[1], "base": 0},
                {"capacityProvider": "FARGATE", "weight": 1, "base": w[0]},
            ]
        ),
    },
)


def _variant(fields: dict[str, Any]) -> dict[str, Any]:
    sd = {k: v for k, v in BASE.items() if k not in fields}
    sd.update(fields)
    if "capacityProviderStrategy" in sd:
        sd.pop("launchType", None)
    return sd


@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(VARIATION.map(_variant), min_size=6, max_size=6))
def test_generated_variations_converge(walker: Path, defs: list[dict[str, Any]]) -> None:
    _ecsplan(walker, "delete", "--force", *TIMEOUT)  # each example starts from nothing
    _use(walker, defs[0])
    assert _ecsplan(walker, "deploy", *TIMEOUT).code == 0
    for n, (a, b) in enumerate(itertools.pairwise(defs)):
        _transition(walker, f"variation {n}: {json.dumps(a)} -> {json.dumps(b)}", b)
