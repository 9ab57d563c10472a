"""`make demo`: the tour of ecsplan on the local sandbox, end to end.

Starts the sandbox (moto over real HTTP + rollout progression) in this process, prepares the
infrastructure the examples expect, then runs the real `ecsplan` CLI against it: validate,
plan, apply, a no-change plan, an image change reviewed as Markdown and applied from the saved
plan, a failing image stopped by the circuit breaker, rollback, and the microservices workspace.
Everything happens on 127.0.0.1; the sandbox stops when the demo ends.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from ecsplan_sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples"
SINGLE = [
    "single-service",
    "fargate-spot",
    "service-connect",
    "autoscaling",
    "managed-scaling",
    "blue-green",
    "ecs-blue-green",
]


def banner(text: str) -> None:
    print(f"\n\033[1m=== {text}\033[0m" if sys.stdout.isatty() else f"\n=== {text}", flush=True)


def run(args: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> int:
    shown = "ecsplan " + " ".join(shlex.quote(a) for a in args)
    print(f"$ {shown}", flush=True)
    rc = subprocess.call([sys.executable, "-m", "planner", *args], env=env, cwd=ROOT)
    if rc not in ok:
        print(f"demo: `{shown}` exited {rc} (expected {ok})", file=sys.stderr)
        sys.exit(1)
    return rc


def main() -> None:
    state = tempfile.mkdtemp(prefix="ecsplan-demo-state-")
    with Sandbox(port=0, tick=0.05).start() as sb:
        env = {**os.environ, **sb.env(), "ECSPLAN_POLL_INTERVAL": "0.1", "ECSPLAN_STATE": state}
        banner(f"sandbox on {sb.endpoint}; preparing what the examples expect")
        configs = [str(EX / d / "ecspresso.yml") for d in SINGLE]
        configs.append(str(EX / "ecs-blue-green-pause" / "ecspresso.yml"))
        configs.append(str(EX / "microservices" / "workspace.yml"))
        for line in sb.prepare(configs):
            print(f"  prepared {line}")

        banner("validate every example")
        for d in SINGLE:
            run(["-c", f"examples/{d}/ecspresso.yml", "validate"], env)
        run(["-w", "examples/microservices/workspace.yml", "validate"], env)

        banner("plan + apply each example (services are created)")
        for d in SINGLE:
            plan = str(Path(state) / f"{d}.plan.json")
            run(["-c", f"examples/{d}/ecspresso.yml", "plan", "--out", plan], env)
            run(["-c", f"examples/{d}/ecspresso.yml", "apply", plan], env)

        banner("plan again: nothing changed, nothing to do (exit 0, no writes)")
        run(["-c", "examples/single-service/ecspresso.yml", "plan", "--detailed-exitcode"], env)

        banner("a new image, reviewed as a pull-request comment, then applied from the plan file")
        env2 = {**env, "IMAGE_TAG": "1.28"}
        plan = str(Path(state) / "image.plan.json")
        run(["-c", "examples/single-service/ecspresso.yml", "plan", "--out", plan,
             "--format", "markdown"], env2)  # fmt: skip
        run(["-c", "examples/single-service/ecspresso.yml", "apply", plan], env2)

        banner("blue/green through CodeDeploy, auto rollback on failure")
        run(["-c", "examples/blue-green/ecspresso.yml", "deploy", "--rollback-events",
             "DEPLOYMENT_FAILURE"], env2)  # fmt: skip

        banner("ECS native blue/green with a bake time; auto scaling suspended during a deploy")
        run(["-c", "examples/ecs-blue-green/ecspresso.yml", "deploy"], env2)
        run(["-c", "examples/autoscaling/ecspresso.yml", "deploy", "--suspend-auto-scaling",
             "--resume-auto-scaling"], env2)  # fmt: skip

        banner("a broken image: the circuit breaker rolls back, ecsplan exits 1 and says so")
        run(["-c", "examples/single-service/ecspresso.yml", "deploy"],
            {**env, "IMAGE_TAG": "1.29-fail"}, ok=(1,))  # fmt: skip
        run(["-c", "examples/single-service/ecspresso.yml", "rollback"], env)

        banner("many services with dependencies: database, then api, then frontend")
        run(["-w", "examples/microservices/workspace.yml", "plan"], env)
        run(["-w", "examples/microservices/workspace.yml", "apply", "--auto-approve"], env)

        paused(env)
        fleet(env, state)

        banner("day-to-day operations: status of the workspace, revisions, what the state holds")
        run(["-w", "examples/microservices/workspace.yml", "status"], env)
        run(["-c", "examples/single-service/ecspresso.yml", "revisions"], env)
        run(["state", "list"], env)
        stats = sb.stats()
        print(f"\nsandbox saw {stats.get('total', '?')} AWS calls; demo state in {state}")


def paused(env: dict[str, str]) -> None:
    """ECS native blue/green held at a PAUSE lifecycle hook until someone says continue."""
    banner("ECS native blue/green paused at a lifecycle hook, then continued")
    cfg = "examples/ecs-blue-green-pause/ecspresso.yml"
    run(["-c", cfg, "deploy"], env)
    run(["-c", cfg, "deploy", "--wait-until", "paused"], {**env, "IMAGE_TAG": "1.28"})
    run(["-c", cfg, "continue"], env)


def fleet(env: dict[str, str], state: str) -> None:
    """The workspace as a picture, and a whole running cluster taken over in one command."""
    banner("the workspace's dependency order as Mermaid (GitHub draws it in the PR comment)")
    run(["-w", "examples/microservices/workspace.yml", "graph"], env)

    banner("taking over a running cluster: every service's files and a workspace.yml")
    taken = str(Path(state) / "taken-over")
    run(["init", "--cluster", "my-cluster", "--all", "--dir", taken], env)
    run(["-w", f"{taken}/workspace.yml", "plan", "--detailed-exitcode"], env)


if __name__ == "__main__":
    main()
