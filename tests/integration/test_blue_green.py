"""CodeDeploy blue/green through ecsplan on the sandbox (issue 6 acceptance).

Everything is checked as a user sees it: exit codes, messages, and live AWS read with plain
boto3 (the service's task sets and task definition, the CodeDeploy deployments of the group,
their AppSpec content, status and rollbackInfo, the scalable target's suspended state).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers_cli import (
    EXAMPLES,
    Result,
    client,
    copy_example,
    describe_service,
    family_revisions,
    image_of,
    popen,
    revision_of,
    run_inproc,
    run_sub,
    scalable_target,
)

from ecsplan_sandbox.server import Sandbox
from planner.state.local import LocalBackend

pytestmark = pytest.mark.integration

BLUE_GREEN = EXAMPLES / "blue-green" / "ecspresso.yml"
CLUSTER = "my-cluster"
SERVICE = "bg-service"
APP, GROUP = "myapp", "myapp-group"
TIMEOUT = ("--timeout", "60s")  # a hung deployment fails the test instead of waiting 10m
HOOKS = [
    {"BeforeInstall": "LambdaFunctionToValidateBeforeInstall"},
    {"AfterInstall": "LambdaFunctionToValidateAfterInstall"},
    {"AfterAllowTestTraffic": "LambdaFunctionToValidateAfterTestTrafficStarts"},
    {"BeforeAllowTraffic": "LambdaFunctionToValidateBeforeAllowingProductionTraffic"},
    {"AfterAllowTraffic": "LambdaFunctionToValidateAfterAllowingProductionTraffic"},
]


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def bg(sandbox: Sandbox, state: Path) -> str:
    """examples/blue-green created at nginx:1.27; returns the first task definition ARN."""
    sandbox.prepare([BLUE_GREEN])
    r = deploy(state)
    assert r.code == 0, r
    return str(live(sandbox)["taskDefinition"])


def deploy(state: Path, *flags: str, tag: str | None = None) -> Result:
    env = {"IMAGE_TAG": tag} if tag else {"IMAGE_TAG": None}
    return run_inproc([BLUE_GREEN], state, "deploy", *TIMEOUT, *flags, env=env)


def live(sandbox: Sandbox) -> dict[str, Any]:
    svc = describe_service(sandbox, CLUSTER, SERVICE)
    assert svc is not None
    return svc


def wait_for(cond: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Poll live state (not a timing assertion: the limit only bounds a broken sandbox)."""
    end = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.02)


def _one_steady_task_set(sandbox: Sandbox) -> bool:
    sets = live(sandbox).get("taskSets") or []
    return len(sets) == 1 and sets[0].get("stabilityStatus") == "STEADY_STATE"


def deployments(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The group's CodeDeploy deployments, oldest first."""
    cd = client(sandbox, "codedeploy")
    ids = cd.list_deployments(applicationName=APP, deploymentGroupName=GROUP)["deployments"]
    infos = [cd.get_deployment(deploymentId=i)["deploymentInfo"] for i in ids]
    return sorted(infos, key=lambda d: d["createTime"])


def by_user(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Deployments ecsplan created (not CodeDeploy's own rollback deployments)."""
    return [d for d in deployments(sandbox) if d.get("creator") != "codeDeployRollback"]


def appspec_of(info: dict[str, Any]) -> dict[str, Any]:
    content = info["revision"]["appSpecContent"]["content"]
    return dict(json.loads(content))


def appspec_td(info: dict[str, Any]) -> str:
    return str(appspec_of(info)["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"])


def new_revision(sandbox: Sandbox) -> str:
    arns = client(sandbox, "ecs").list_task_definitions(familyPrefix=SERVICE, sort="DESC")
    return str(arns["taskDefinitionArns"][0])


# --- deploy --------------------------------------------------------------------------------


def test_deploy_swaps_task_sets_and_sends_the_appspec(
    sandbox: Sandbox, state: Path, bg: str
) -> None:
    r = deploy(state, tag="1.28")
    assert r.code == 0, r
    td2 = new_revision(sandbox)
    assert revision_of(td2) == revision_of(bg) + 1
    assert image_of(sandbox, td2) == "nginx:1.28"

    (dep,) = by_user(sandbox)
    assert dep["status"] == "Succeeded"
    spec = appspec_of(dep)
    assert appspec_td(dep) == td2
    assert spec["Hooks"] == HOOKS
    props = spec["Resources"][0]["TargetService"]["Properties"]
    assert props["LoadBalancerInfo"] == {"ContainerName": "web", "ContainerPort": 80}
    assert props["PlatformVersion"] == "1.4.0"

    svc = live(sandbox)
    assert svc["taskDefinition"] == td2
    sets = svc["taskSets"]
    assert [(s["status"], s["taskDefinition"]) for s in sets] == [("PRIMARY", td2)]
    assert sets[0]["externalId"] == dep["deploymentId"]


def test_plan_shows_the_appspec_and_no_target_group_drift(
    sandbox: Sandbox, state: Path, bg: str, tmp_path: Path
) -> None:
    r = run_inproc([BLUE_GREEN], state, "plan", env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    assert "create_codedeploy_deployment" in r.stdout or "CodeDeploy deployment" in r.stdout
    for hook in HOOKS:
        assert next(iter(hook.values())) in r.stdout  # the AppSpec's hooks are shown
    assert "targetGroupArn" not in r.stdout

    assert deploy(state, tag="1.28").code == 0
    # After the swap CodeDeploy moved the service to the green target group: not drift.
    swapped = live(sandbox)["loadBalancers"][0]["targetGroupArn"]
    assert ":targetgroup/green/" in swapped, swapped  # the definition names blue
    for fmt in ("text", "json"):
        again = run_inproc(
            [BLUE_GREEN],
            state,
            "plan",
            "--format",
            fmt,
            "--detailed-exitcode",
            env={"IMAGE_TAG": "1.28"},
        )
        assert again.code == 0, again
    text = run_inproc([BLUE_GREEN], state, "plan", env={"IMAGE_TAG": "1.28"})
    assert "No changes" in text.stdout, text


def test_failing_image_rolls_back_and_exits_1(sandbox: Sandbox, state: Path, bg: str) -> None:
    r = deploy(state, "--rollback-events", "DEPLOYMENT_FAILURE", tag="1.28-fail")
    assert r.code == 1, r
    (error,) = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert "CodeDeploy deployment" in error and "failed" in error, r
    assert "rolled back" in error, r

    (dep,) = by_user(sandbox)
    assert dep["status"] == "Failed"
    assert dep["autoRollbackConfiguration"]["events"] == ["DEPLOYMENT_FAILURE"]
    assert dep["rollbackInfo"].get("rollbackDeploymentId")
    svc = live(sandbox)
    assert svc["taskDefinition"] == bg
    assert [(s["status"], s["taskDefinition"]) for s in svc["taskSets"]] == [("PRIMARY", bg)]


def test_application_and_group_are_discovered_when_the_config_omits_them(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    cfg = copy_example("blue-green", tmp_path)
    doc = yaml.safe_load(cfg.read_text())
    del doc["codedeploy"]
    cfg.write_text(yaml.safe_dump(doc))
    sandbox.prepare([str(cfg)])  # AppECS-<cluster>-<service> / DgpECS-<cluster>-<service>
    state = tmp_path / "state"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT).code == 0
    r = run_inproc([cfg], state, "deploy", *TIMEOUT, env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    cd = client(sandbox, "codedeploy")
    app, group = f"AppECS-{CLUSTER}-{SERVICE}", f"DgpECS-{CLUSTER}-{SERVICE}"
    (dep_id,) = cd.list_deployments(applicationName=app, deploymentGroupName=group)["deployments"]
    info = cd.get_deployment(deploymentId=dep_id)["deploymentInfo"]
    assert info["status"] == "Succeeded"
    assert appspec_td(info) == live(sandbox)["taskDefinition"]


def test_appspec_command_prints_the_hooks(sandbox: Sandbox, state: Path, bg: str) -> None:
    r = run_inproc([BLUE_GREEN], state, "appspec", "--format", "json")
    assert r.code == 0, r
    spec = json.loads(r.stdout)
    assert spec["Hooks"] == HOOKS
    assert spec["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"] == bg
    yml = run_inproc([BLUE_GREEN], state, "appspec")
    assert yml.code == 0, yml
    assert "LambdaFunctionToValidateAfterTestTrafficStarts" in yml.stdout


# --- crash and resume ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "crash_at",
    [
        "begin:wait_rollout",
        "success:create_codedeploy_deployment",
        "begin:create_codedeploy_deployment",
        # the deployment was created but its id never reached the journal: resume must find
        # it in the group (created after the begin, AppSpec naming our revision)
        "after_call:create_codedeploy_deployment",
        "success:register_task_definition",
    ],
)
def test_resume_after_kill_creates_exactly_one_deployment(
    sandbox: Sandbox, state: Path, bg: str, crash_at: str
) -> None:
    killed = run_sub(
        sandbox,
        [BLUE_GREEN],
        state,
        "deploy",
        *TIMEOUT,
        env={"IMAGE_TAG": "1.28", "ECSPLAN_TEST_CRASH_AT": crash_at},
    )
    assert killed.code == -9, killed
    created_before = [d["deploymentId"] for d in by_user(sandbox)]
    expect_created = crash_at in (
        "begin:wait_rollout",
        "success:create_codedeploy_deployment",
        "after_call:create_codedeploy_deployment",
    )
    assert len(created_before) == (1 if expect_created else 0), created_before

    (held,) = LocalBackend(state).locks()  # a dead run's lock stays until `state unlock`
    assert run_inproc([BLUE_GREEN], state, "state", "unlock", held.id).code == 0

    r = run_inproc([BLUE_GREEN], state, "apply", "--resume", *TIMEOUT, env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    mine = by_user(sandbox)
    assert len(mine) == 1, mine
    if expect_created:
        assert mine[0]["deploymentId"] == created_before[0]  # adopted, not repeated
    assert mine[0]["status"] == "Succeeded"
    td2 = new_revision(sandbox)
    assert appspec_td(mine[0]) == td2
    assert family_revisions(sandbox, SERVICE) == [revision_of(bg), revision_of(td2)]
    assert live(sandbox)["taskDefinition"] == td2


# --- rollback ------------------------------------------------------------------------------


def test_rollback_after_success_redeploys_the_previous_revision(
    sandbox: Sandbox, state: Path, bg: str
) -> None:
    assert deploy(state, tag="1.28").code == 0
    td2 = live(sandbox)["taskDefinition"]
    assert td2 != bg

    r = run_inproc([BLUE_GREEN], state, "rollback")
    assert r.code == 0, r
    svc = live(sandbox)
    assert svc["taskDefinition"] == bg
    assert [(s["status"], s["taskDefinition"]) for s in svc["taskSets"]] == [("PRIMARY", bg)]
    mine = by_user(sandbox)
    assert len(mine) == 2 and appspec_td(mine[-1]) == bg and mine[-1]["status"] == "Succeeded"
    assert revision_of(td2) not in family_revisions(sandbox, SERVICE)
    assert revision_of(td2) in family_revisions(sandbox, SERVICE, status="INACTIVE")


def test_rollback_of_an_in_flight_deployment_stops_it(
    sandbox: Sandbox, state: Path, bg: str
) -> None:
    sandbox.pause()
    r = deploy(state, "--no-wait", tag="1.28")
    assert r.code == 0, r
    (dep,) = by_user(sandbox)
    assert dep["status"] in ("Created", "InProgress")
    sandbox.step(4)  # Install has started: a replacement task set exists
    assert len(live(sandbox)["taskSets"]) == 2

    rb = run_inproc([BLUE_GREEN], state, "rollback", "--no-wait")
    assert rb.code == 0, rb
    sandbox.resume()
    (stopped,) = by_user(sandbox)
    assert stopped["deploymentId"] == dep["deploymentId"]
    assert stopped["status"] == "Stopped"
    assert stopped["rollbackInfo"].get("rollbackDeploymentId")
    wait_for(lambda: _one_steady_task_set(sandbox), "the original task set alone")
    svc = live(sandbox)
    assert svc["taskDefinition"] == bg
    assert [(s["status"], s["taskDefinition"]) for s in svc["taskSets"]] == [("PRIMARY", bg)]


# --- waits ---------------------------------------------------------------------------------


def test_wait_until_lifecycle_event_returns_before_the_end(
    sandbox: Sandbox, state: Path, bg: str
) -> None:
    """ecspresso deploy.go after v2.6.0 (DeployOption.WaitUntil `codedeploy:*`, wait.go
    waitUntil.Validate/codeDeployLifecycleEvent): deploy returns once that CodeDeploy lifecycle
    event succeeded, before the deployment ends."""
    sandbox.pause()
    proc = popen(
        sandbox,
        [BLUE_GREEN],
        state,
        "deploy",
        *TIMEOUT,
        "--wait-until",
        "codedeploy:AfterAllowTestTraffic",
        env={"IMAGE_TAG": "1.28"},
    )
    try:
        wait_for(lambda: len(by_user(sandbox)) == 1, "the deployment to be created")
        (dep,) = by_user(sandbox)
        # Move the clock until AfterAllowTestTraffic succeeded, then freeze it there: the
        # deployment cannot finish, so only an early return lets the process exit.
        for _ in range(200):
            if _lifecycle(sandbox, dep["deploymentId"]).get("AfterAllowTestTraffic") == "Succeeded":
                break
            sandbox.step(1)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, (out, err)
    (dep,) = by_user(sandbox)
    assert dep["status"] == "InProgress"  # returned before the traffic shift finished
    events = _lifecycle(sandbox, dep["deploymentId"])
    assert events["AfterAllowTestTraffic"] == "Succeeded"
    assert events["AfterAllowTraffic"] != "Succeeded"
    sandbox.resume()


def _lifecycle(sandbox: Sandbox, dep_id: str) -> dict[str, str]:
    cd = client(sandbox, "codedeploy")
    (tid,) = cd.list_deployment_targets(deploymentId=dep_id)["targetIds"]
    target = cd.get_deployment_target(deploymentId=dep_id, targetId=tid)["deploymentTarget"]
    return {e["lifecycleEventName"]: e["status"] for e in target["ecsTarget"]["lifecycleEvents"]}


# --- auto scaling around blue/green --------------------------------------------------------


def _register_target(sandbox: Sandbox) -> None:
    client(sandbox, "application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=f"service/{CLUSTER}/{SERVICE}",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1,
        MaxCapacity=6,
    )


def _suspended(sandbox: Sandbox) -> dict[str, bool]:
    return dict(scalable_target(sandbox, CLUSTER, SERVICE)["SuspendedState"])


@pytest.mark.parametrize("tag,code", [("1.28", 0), ("1.28-fail", 1)])
def test_auto_scaling_suspended_during_and_resumed_after(
    sandbox: Sandbox, state: Path, bg: str, tag: str, code: int
) -> None:
    _register_target(sandbox)
    sandbox.pause()
    proc = popen(
        sandbox,
        [BLUE_GREEN],
        state,
        "deploy",
        *TIMEOUT,
        "--suspend-auto-scaling",
        "--resume-auto-scaling",
        "--rollback-events",
        "DEPLOYMENT_FAILURE",
        env={"IMAGE_TAG": tag},
    )
    try:
        wait_for(lambda: len(by_user(sandbox)) == 1, "the deployment to be created")
        assert all(_suspended(sandbox).values()), _suspended(sandbox)  # during
        sandbox.resume()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == code, (out, err)
    assert not any(_suspended(sandbox).values()), _suspended(sandbox)  # after


def test_network_change_without_a_new_revision_deploys_through_codedeploy(
    sandbox: Sandbox, state: Path, bg: str, tmp_path: Path
) -> None:
    """A new security group travels in the AppSpec: same task definition, new deployment."""
    import shutil

    work = tmp_path / "bg"
    shutil.copytree(BLUE_GREEN.parent, work)
    sd = work / "ecs-service-def.json"
    sd.write_text(sd.read_text().replace("sg-12345678", "sg-99999999"))
    cfg = work / "ecspresso.yml"
    r = run_inproc([cfg], state, "plan", "--detailed-exitcode")
    assert r.code == 2, r
    assert "create CodeDeploy deployment" in r.stdout
    assert "register a new revision" not in r.stdout
    r = run_inproc([cfg], state, "deploy", *TIMEOUT)
    assert r.code == 0, r
    (dep,) = by_user(sandbox)
    props = appspec_of(dep)["Resources"][0]["TargetService"]["Properties"]
    assert props["TaskDefinition"] == bg  # the running revision, not a new one
    assert props["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"] == ["sg-99999999"]
    assert family_revisions(sandbox, SERVICE) == [revision_of(bg)]
    r = run_inproc([cfg], state, "plan", "--detailed-exitcode")
    assert r.code == 0, r  # the service now reports the new network configuration


def test_rollback_of_a_network_change_restores_the_previous_appspec(
    sandbox: Sandbox, state: Path, bg: str, tmp_path: Path
) -> None:
    import shutil

    work = tmp_path / "bg2"
    shutil.copytree(BLUE_GREEN.parent, work)
    sd = work / "ecs-service-def.json"
    sd.write_text(sd.read_text().replace("sg-12345678", "sg-99999999"))
    cfg = work / "ecspresso.yml"
    assert run_inproc([cfg], state, "deploy", *TIMEOUT).code == 0
    r = run_inproc([cfg], state, "rollback", *TIMEOUT[:0])
    assert r.code == 0, r
    newest = max(by_user(sandbox), key=lambda d: d["createTime"])
    props = appspec_of(newest)["Resources"][0]["TargetService"]["Properties"]
    assert props["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"] == ["sg-12345678"]
    assert props["TaskDefinition"] == bg
