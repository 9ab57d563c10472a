"""The guide's own command lines and scripts, verbatim with `ecsplan` for `ecspresso` (issue 12).

The scripts live in tests/data/guide/scripts exactly as the guide writes them; each runs with
bash against the sandbox from a directory laid out as the guide shows, `ecsplan` on PATH.
Global flags come after the subcommand there (`ecsplan deploy --config X`), as ecspresso
users write them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers_cli import EXAMPLES, ROOT, client, copy_example, describe_service, run_inproc
from test_workspace import runs, ts

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

SCRIPTS = ROOT / "tests" / "data" / "guide" / "scripts"
BIN = Path(sys.executable).parent
SERVICES = ("api", "database", "frontend")


def _env(sandbox: Sandbox, state: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECSPLAN_", "ECSPRESSO_"))}
    env.update(sandbox.env())
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "ECSPLAN_STATE": str(state),
            "ECSPLAN_POLL_INTERVAL": "0.05",
            "NO_COLOR": "1",
            **(extra or {}),
        }
    )
    return env


def sh(
    sandbox: Sandbox,
    cwd: Path,
    command: Sequence[str],
    extra: dict[str, str] | None = None,
    stdin: int | None = subprocess.DEVNULL,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        cwd=cwd,
        env=_env(sandbox, cwd / "state", extra),
        capture_output=True,
        text=True,
        timeout=240,
        stdin=stdin,
    )


@pytest.fixture
def guide_repo(sandbox: Sandbox, tmp_path: Path) -> Path:
    """services/{api,database,frontend}/ecspresso.yml and scripts/, as in the guide."""
    work = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "microservices" / "services", work / "services")
    shutil.copytree(SCRIPTS, work / "scripts")
    sandbox.prepare([str(work / "services" / s / "ecspresso.yml") for s in SERVICES])
    return work


def _running_image(sandbox: Sandbox, service: str) -> str:
    svc = describe_service(sandbox, "my-cluster", service)
    assert svc is not None, f"{service} was not created"
    assert svc["runningCount"] == svc["desiredCount"]
    td = client(sandbox, "ecs").describe_task_definition(taskDefinition=svc["taskDefinition"])
    return str(td["taskDefinition"]["containerDefinitions"][0]["image"])


def _last_run(work: Path, service: str) -> list[dict]:
    return runs(work / "state", service)[-1]


def test_deploy_all_then_status_all(sandbox: Sandbox, guide_repo: Path) -> None:
    r = sh(sandbox, guide_repo, ["bash", "scripts/deploy-all.sh"])
    assert r.returncode == 0, r.stderr
    for s in SERVICES:
        assert f"Deploying services/{s}/..." in r.stdout
        assert _last_run(guide_repo, s)[-1]["data"]["outcome"] == "succeeded"
    assert _running_image(sandbox, "frontend").startswith("nginx:")

    st = sh(sandbox, guide_repo, ["bash", "scripts/status-all.sh"])
    assert st.returncode == 0, st.stderr
    for s in SERVICES:  # ecspresso's status block per service (ecspresso.go, v2.6.0)
        assert f"Status of services/{s}/...\nService: {s}\nCluster: my-cluster\n" in st.stdout
        assert f"TaskDefinition: {s}:1\n" in st.stdout


def test_deploy_with_dependencies_deploys_in_order(sandbox: Sandbox, guide_repo: Path) -> None:
    r = sh(sandbox, guide_repo, ["bash", "scripts/deploy-with-dependencies.sh"])
    assert r.returncode == 0, r.stderr
    order = [ln for ln in r.stdout.splitlines() if ln.startswith("Deploying ")]
    assert order == [
        "Deploying database service...",
        "Deploying API service...",
        "Deploying frontend service...",
    ]
    db, api, front = (_last_run(guide_repo, s) for s in ("database", "api", "frontend"))
    assert ts(db[-1]) <= ts(api[0]) and ts(api[-1]) <= ts(front[0])
    assert _running_image(sandbox, "database") == "postgres:16"


def test_deploy_parallel_and_the_workflow_loop(sandbox: Sandbox, guide_repo: Path) -> None:
    r = sh(sandbox, guide_repo, ["bash", "scripts/deploy-parallel.sh"])
    assert r.returncode == 0, r.stderr
    for s in SERVICES:
        assert _last_run(guide_repo, s)[-1]["data"]["outcome"] == "succeeded"
        assert _running_image(sandbox, s)
    # The GitHub Actions step of the guide: deploy + wait per service; nothing left to do.
    again = sh(sandbox, guide_repo, ["bash", "scripts/github-actions-deploy.sh"])
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("No changes") == len(SERVICES), again.stdout
    assert len(runs(guide_repo / "state", "api")) == 1  # nothing to do, nothing journaled


def test_a_failing_deploy_stops_the_script(sandbox: Sandbox, guide_repo: Path) -> None:
    """`set -e` in deploy-all.sh: exit status 1 from a circuit-breaker rollback stops it."""
    first = sh(sandbox, guide_repo, ["bash", "scripts/deploy-all.sh"])
    assert first.returncode == 0, first.stderr
    r = sh(sandbox, guide_repo, ["bash", "scripts/deploy-all.sh"], {"API_TAG": "2.4-fail"})
    assert r.returncode == 1
    assert "Deploying services/database/..." not in r.stdout  # api comes first and failed
    assert "Error:" in r.stderr


CLEANUP = SCRIPTS / "cleanup-task-definitions.sh"


def _seven_revisions(sandbox: Sandbox, tmp_path: Path) -> Path:
    """single-service deployed seven times (myservice:1..7; 7 runs, 6 is the rollback
    target of the last run), the guide's scripts beside its ecspresso.yml."""
    cfg = copy_example("single-service", tmp_path)
    work = cfg.parent
    shutil.copytree(SCRIPTS, work / "scripts")
    sandbox.prepare([str(cfg)])
    for tag in ("1.21", "1.22", "1.23", "1.24", "1.25", "1.26", "1.27"):  # in-process: set-up
        r = run_inproc([cfg], work / "state", "deploy", env={"IMAGE_TAG": tag})
        assert r.code == 0, r.stderr
    return work


def _active(sandbox: Sandbox) -> list[int]:
    listed = client(sandbox, "ecs").list_task_definitions(familyPrefix="myservice", status="ACTIVE")
    return sorted(int(a.rsplit(":", 1)[1]) for a in listed["taskDefinitionArns"])


def test_revision_cleanup_script_verbatim_stops_as_ecspresso_would(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The guide's cleanup script as written, without a terminal (CI, cron). ecspresso v2.6.0
    deregister.go asks `Deregister myservice:1 ? (yes/no) [no]: ` through Songmu/prompter
    v0.5.1, which takes the default `no` when stdin or stdout is not a terminal (prompter.go
    skip/isPipe): `confirmation failed`, exit 1, and `set -e` ends the script at the first
    revision. Nothing is deregistered. (The list differs: ecspresso v2.6.0 revisions.go
    prints its table on a pipe too, so with ecspresso the first REV is a table word and
    `deregister` fails on it with `invalid revision number`, also at the first iteration,
    exit 1; ecsplan prints the numbers the guide means, so its deregister step runs and asks.)"""
    work = _seven_revisions(sandbox, tmp_path)
    assert (work / "scripts" / CLEANUP.name).read_text() == CLEANUP.read_text()
    piped = sh(sandbox, work, ["bash", "-c", "ecsplan revisions --config ecspresso.yml"])
    assert piped.stdout.split() == ["7", "6", "5", "4", "3", "2", "1"]

    r = sh(sandbox, work, ["bash", "scripts/cleanup-task-definitions.sh"])
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout == ("Deregistering revision 1...\nDeregister myservice:1 ? (yes/no) [no]: ")
    assert r.stderr.rstrip().endswith("Error: confirmation failed")
    assert _active(sandbox) == [1, 2, 3, 4, 5, 6, 7]


def _forced(work: Path) -> Path:
    """The script with `--force` added to its deregister line, and nothing else changed."""
    text = CLEANUP.read_text()
    line = "  ecsplan deregister --config ecspresso.yml --revision $REV\n"
    assert text.count(line) == 1
    forced = work / "scripts" / "cleanup-forced.sh"
    forced.write_text(text.replace(line, line.replace("$REV", "$REV --force")))
    return forced


def test_revision_cleanup_script_with_force_keeps_the_newest_five(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """With `--force` the loop deregisters every revision but the newest five (the in-use
    ones, 7 running and 6 the last run's rollback target, are among them)."""
    work = _seven_revisions(sandbox, tmp_path)
    r = sh(sandbox, work, ["bash", str(_forced(work))])
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == "Deregistering revision 1...\nDeregistering revision 2...\n"
    assert _active(sandbox) == [3, 4, 5, 6, 7]


def test_revision_cleanup_script_with_force_never_deregisters_one_in_use(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """An old revision still in use (a one-off task of myservice:2 runs): deregister refuses
    it, as ecspresso v2.6.0 deregister.go does (`... is in use by RUNNING task`), exit 1, and
    `set -e` stops the loop there; myservice:2 stays ACTIVE."""
    work = _seven_revisions(sandbox, tmp_path)
    sandbox.pause()  # one-off tasks stop after a few ticks on the sandbox; keep it running
    client(sandbox, "ecs").run_task(
        cluster="my-cluster",
        taskDefinition="myservice:2",
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-12345678"]}},
    )
    r = sh(sandbox, work, ["bash", str(_forced(work))])
    sandbox.resume()
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout == "Deregistering revision 1...\nDeregistering revision 2...\n"
    assert "myservice:2 is in use (running task)" in r.stderr
    assert _active(sandbox) == [2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    "example,line",
    [
        ("single-service", "deploy --config ecspresso.yml"),
        (
            "autoscaling",
            "deploy --config ecspresso.yml --suspend-auto-scaling --resume-auto-scaling",
        ),
        ("blue-green", "deploy --config ecspresso.yml --rollback-events DEPLOYMENT_FAILURE"),
    ],
)
def test_guide_command_lines(sandbox: Sandbox, tmp_path: Path, example: str, line: str) -> None:
    cfg = copy_example(example, tmp_path)
    sandbox.prepare([str(cfg)])
    r = sh(sandbox, cfg.parent, ["bash", "-c", f"ecsplan {line}"])
    assert r.returncode == 0, r.stderr
    waited = sh(
        sandbox, cfg.parent, ["bash", "-c", "ecsplan wait --config ecspresso.yml --timeout 10m"]
    )
    assert waited.returncode == 0, waited.stderr
    status = sh(sandbox, cfg.parent, ["bash", "-c", "ecsplan status --config ecspresso.yml"])
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert lines[0].startswith("Service: ") and lines[1] == "Cluster: my-cluster"
    assert lines[2].startswith("TaskDefinition: ") and "Events:" in lines
