"""`ecsplan plan` against the sandbox (issue 4 acceptance).

Each test prepares what the config expects outside ecsplan, brings the live service to a known
state (with `ecsplan deploy` or plain boto3), then plans and checks what a user sees: the exit
code, the printed plan, the plan file's steps and payloads, and the sandbox's call counters.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers_cli import (
    EXAMPLES,
    SCHEMAS,
    Result,
    client,
    copy_example,
    delta,
    describe_service,
    edit_json,
    plan_steps,
    requests,
    revision_of,
    run_inproc,
    step_kinds,
    writes_of,
)

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

SINGLE = EXAMPLES / "single-service" / "ecspresso.yml"
BLUE_GREEN = EXAMPLES / "blue-green" / "ecspresso.yml"
AUTOSCALING = EXAMPLES / "autoscaling" / "ecspresso.yml"
CLUSTER = "my-cluster"
DEPLOY_TIMEOUT = ("--timeout", "60s")  # a hung rollout fails the test instead of waiting 10m


def deploy(cfg: Path, state: Path, *flags: str, env: dict[str, str] | None = None) -> Result:
    r = run_inproc([cfg], state, "deploy", *DEPLOY_TIMEOUT, *flags, env=env)
    assert r.code == 0, r
    return r


def plan(
    cfg: Path, state: Path, *flags: str, env: dict[str, str] | None = None, out: Path | None = None
) -> Result:
    args = ["plan", *flags]
    if out is not None:
        args += ["--out", str(out)]
    return run_inproc([cfg], state, *args, env=env)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def single(sandbox: Sandbox, state: Path) -> Path:
    """examples/single-service deployed (revision 1, 3 tasks)."""
    sandbox.prepare([SINGLE])
    deploy(SINGLE, state)
    return SINGLE


def _update_step(plan_file: Path) -> dict[str, Any]:
    (step,) = [s for s in plan_steps(plan_file) if s["kind"] == "update_service"]
    return step


# --- the basic shapes of a plan ---------------------------------------------------------------


def test_new_service_plans_register_create_and_wait(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    sandbox.prepare([SINGLE])
    before = requests(sandbox)
    r = plan(SINGLE, state, "--detailed-exitcode", out=tmp_path / "plan.json")
    assert r.code == 2, r
    assert writes_of(delta(before, requests(sandbox))) == {}
    assert step_kinds(tmp_path / "plan.json") == [
        "register_task_definition",
        "create_service",
        "wait_rollout",
    ]
    assert "will be created" in r.stdout
    assert "Plan: 1 to register, 0 to update, 1 to create, 0 unchanged." in r.stdout
    create = plan_steps(tmp_path / "plan.json")[1]
    assert create["payload"]["desiredCount"] == 3
    assert create["payload"]["serviceName"] == "myservice"
    assert describe_service(sandbox, CLUSTER, "myservice") is None


def test_image_change_plans_register_and_update(single: Path, state: Path, tmp_path: Path) -> None:
    r = plan(single, state, env={"IMAGE_TAG": "1.28"}, out=tmp_path / "plan.json")
    assert r.code == 0, r
    assert step_kinds(tmp_path / "plan.json") == [
        "register_task_definition",
        "update_service",
        "wait_rollout",
    ]
    register = plan_steps(tmp_path / "plan.json")[0]
    assert register["payload"]["containerDefinitions"][0]["image"] == "nginx:1.28"
    update = _update_step(tmp_path / "plan.json")
    assert "desiredCount" not in update["payload"]["service"]
    assert "Plan: 1 to register, 1 to update, 0 to create, 0 unchanged." in r.stdout
    lines = r.stdout.splitlines()
    assert any(re.match(r'^\s*-\s+"image": "nginx:1\.27"', ln) for ln in lines), r.stdout
    assert any(re.match(r'^\s*\+\s+"image": "nginx:1\.28"', ln) for ln in lines), r.stdout


def test_tasks_flag_plans_update_without_register(
    single: Path, state: Path, tmp_path: Path
) -> None:
    """deploy.go calcDesiredCount @v2.6.0: `--tasks N` is the desired count sent to UpdateService."""
    r = plan(single, state, "--tasks", "5", "--detailed-exitcode", out=tmp_path / "plan.json")
    assert r.code == 2, r
    assert step_kinds(tmp_path / "plan.json") == ["update_service", "wait_rollout"]
    payload = _update_step(tmp_path / "plan.json")["payload"]["service"]
    assert payload["desiredCount"] == 5
    assert "taskDefinition" not in payload
    assert "Plan: 0 to register, 1 to update, 0 to create, 0 unchanged." in r.stdout


def test_edited_desired_count_plans_update_without_register(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([cfg])
    deploy(cfg, state)
    edit_json(cfg.parent / "ecs-service-def.json", desiredCount=1)
    r = plan(cfg, state, out=tmp_path / "plan.json")
    assert r.code == 0, r
    assert step_kinds(tmp_path / "plan.json") == ["update_service", "wait_rollout"]
    payload = _update_step(tmp_path / "plan.json")["payload"]["service"]
    assert payload["desiredCount"] == 1
    assert "taskDefinition" not in payload
    # --tasks wins over the definition
    plan(cfg, state, "--tasks", "4", out=tmp_path / "plan2.json")
    assert _update_step(tmp_path / "plan2.json")["payload"]["service"]["desiredCount"] == 4


def test_no_change_plans_nothing_and_writes_nothing(
    sandbox: Sandbox, single: Path, state: Path
) -> None:
    before = requests(sandbox)
    r = plan(single, state)
    assert r.code == 0, r
    assert "No changes" in r.stdout
    r = plan(single, state, "--detailed-exitcode")
    assert r.code == 0, r
    assert "No changes" in r.stdout
    assert writes_of(delta(before, requests(sandbox))) == {}


def test_detailed_exitcode_is_2_with_changes(single: Path, state: Path) -> None:
    r = plan(single, state, "--detailed-exitcode", env={"IMAGE_TAG": "1.28"})
    assert r.code == 2, r
    r = plan(single, state, env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r


@pytest.mark.parametrize("image_tag", [None, "1.28"])
def test_read_calls_for_one_existing_service_at_most_4(
    sandbox: Sandbox, single: Path, state: Path, image_tag: str | None
) -> None:
    env = {"IMAGE_TAG": image_tag} if image_tag else None
    before = requests(sandbox)
    r = plan(single, state, env=env)
    assert r.code == 0, r
    calls = delta(before, requests(sandbox))
    assert writes_of(calls) == {}
    assert sum(calls.values()) <= 4, calls


def test_read_calls_for_an_autoscaled_service_at_most_4(sandbox: Sandbox, state: Path) -> None:
    sandbox.prepare([AUTOSCALING])
    before = requests(sandbox)
    r = plan(AUTOSCALING, state, "--suspend-auto-scaling", env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    calls = delta(before, requests(sandbox))
    assert writes_of(calls) == {}
    assert sum(calls.values()) <= 4, calls


# --- CODE_DEPLOY ------------------------------------------------------------------------------


def test_code_deploy_service_plans_deployment_with_appspec_hooks(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    sandbox.prepare([BLUE_GREEN])
    deploy(BLUE_GREEN, state)
    r = plan(BLUE_GREEN, state, env={"IMAGE_TAG": "1.28"}, out=tmp_path / "plan.json")
    assert r.code == 0, r
    kinds = step_kinds(tmp_path / "plan.json")
    assert kinds == ["register_task_definition", "create_codedeploy_deployment", "wait_rollout"]
    (cd,) = [s for s in plan_steps(tmp_path / "plan.json") if s["kind"] == kinds[1]]
    payload = cd["payload"]
    assert payload["applicationName"] == "myapp"
    assert payload["deploymentGroupName"] == "myapp-group"
    appspec = payload["appspec"]
    if isinstance(appspec, str):
        appspec = json.loads(appspec)
    assert appspec["Hooks"] == [
        {"BeforeInstall": "LambdaFunctionToValidateBeforeInstall"},
        {"AfterInstall": "LambdaFunctionToValidateAfterInstall"},
        {"AfterAllowTestTraffic": "LambdaFunctionToValidateAfterTestTrafficStarts"},
        {"BeforeAllowTraffic": "LambdaFunctionToValidateBeforeAllowingProductionTraffic"},
        {"AfterAllowTraffic": "LambdaFunctionToValidateAfterAllowingProductionTraffic"},
    ]
    target = appspec["Resources"][0]["TargetService"]
    assert target["Type"] == "AWS::ECS::Service"
    assert target["Properties"]["LoadBalancerInfo"] == {"ContainerName": "web", "ContainerPort": 80}
    assert "LambdaFunctionToValidateBeforeInstall" in r.stdout  # the AppSpec is shown


def test_rollback_events_flag_goes_into_the_codedeploy_deployment(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    """deploy.go createDeployment @v2.6.0: --rollback-events become the deployment's
    AutoRollbackConfiguration{Enabled: true, Events}."""
    sandbox.prepare([BLUE_GREEN])
    deploy(BLUE_GREEN, state)
    r = plan(
        BLUE_GREEN,
        state,
        "--rollback-events",
        "DEPLOYMENT_FAILURE,DEPLOYMENT_STOP_ON_ALARM",
        env={"IMAGE_TAG": "1.28"},
        out=tmp_path / "plan.json",
    )
    assert r.code == 0, r
    (cd,) = [
        s for s in plan_steps(tmp_path / "plan.json") if s["kind"] == "create_codedeploy_deployment"
    ]
    rollback = cd["payload"]["autoRollbackConfiguration"]
    assert rollback["enabled"] is True
    assert sorted(rollback["events"]) == ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]


# --- plan flags -------------------------------------------------------------------------------


def test_skip_task_definition_keeps_the_running_revision(
    single: Path, state: Path, tmp_path: Path
) -> None:
    """deploy.go taskDefinitionArnForDeploy @v2.6.0: --skip-task-definition keeps the service's
    running task definition (`*sv.TaskDefinition`), registering nothing."""
    r = plan(
        single,
        state,
        "--skip-task-definition",
        "--detailed-exitcode",
        env={"IMAGE_TAG": "1.28"},
        out=tmp_path / "plan.json",
    )
    assert r.code == 0, r  # the image change is the only difference: nothing to do
    assert "register_task_definition" not in step_kinds(tmp_path / "plan.json")
    assert "No changes" in r.stdout
    r = plan(single, state, "--skip-task-definition", "--tasks", "2", out=tmp_path / "p2.json")
    assert step_kinds(tmp_path / "p2.json") == ["update_service", "wait_rollout"]
    assert "taskDefinition" not in _update_step(tmp_path / "p2.json")["payload"]["service"]


def test_revision_flag_deploys_that_revision_without_registering(
    sandbox: Sandbox, single: Path, state: Path, tmp_path: Path
) -> None:
    """deploy.go taskDefinitionArnForDeploy @v2.6.0: --revision N deploys `family:N`, registering
    nothing."""
    deploy(single, state, env={"IMAGE_TAG": "1.28"})  # revision 2 runs now
    live = describe_service(sandbox, CLUSTER, "myservice")
    assert live is not None and revision_of(live["taskDefinition"]) == 2
    r = plan(single, state, "--revision", "1", "--detailed-exitcode", out=tmp_path / "plan.json")
    assert r.code == 2, r
    assert step_kinds(tmp_path / "plan.json") == ["update_service", "wait_rollout"]
    td = _update_step(tmp_path / "plan.json")["payload"]["service"]["taskDefinition"]
    assert td.endswith("task-definition/myservice:1"), td


def test_latest_task_definition_flag_deploys_the_newest_revision(
    sandbox: Sandbox, single: Path, state: Path, tmp_path: Path
) -> None:
    """deploy.go taskDefinitionArnForDeploy @v2.6.0: --latest-task-definition deploys
    findLatestTaskDefinitionArn(family), registering nothing."""
    ecs = client(sandbox, "ecs")
    live_td = ecs.describe_task_definition(taskDefinition="myservice:1")["taskDefinition"]
    keep = ("family", "containerDefinitions", "executionRoleArn", "networkMode")
    params = {k: live_td[k] for k in keep}
    params.update(requiresCompatibilities=["FARGATE"], cpu="256", memory="512")
    params["containerDefinitions"][0]["image"] = "nginx:1.99"
    newest = ecs.register_task_definition(**params)["taskDefinition"]["taskDefinitionArn"]
    assert revision_of(newest) == 2
    r = plan(single, state, "--latest-task-definition", out=tmp_path / "plan.json")
    assert r.code == 0, r
    assert step_kinds(tmp_path / "plan.json") == ["update_service", "wait_rollout"]
    td = _update_step(tmp_path / "plan.json")["payload"]["service"]["taskDefinition"]
    assert td.endswith("task-definition/myservice:2"), td


def test_force_new_deployment_without_changes(single: Path, state: Path, tmp_path: Path) -> None:
    """deploy.go DeployByECS @v2.6.0: `in.ForceNewDeployment = opt.ForceNewDeployment`."""
    r = plan(
        single, state, "--force-new-deployment", "--detailed-exitcode", out=tmp_path / "plan.json"
    )
    assert r.code == 2, r
    assert step_kinds(tmp_path / "plan.json") == ["update_service", "wait_rollout"]
    payload = _update_step(tmp_path / "plan.json")["payload"]["service"]
    assert payload.get("forceNewDeployment") is True
    assert "taskDefinition" not in payload


def test_suspend_auto_scaling_with_min_max(sandbox: Sandbox, state: Path, tmp_path: Path) -> None:
    """deploy.go ModifyAutoScalingParams / modifyAutoScaling @v2.6.0: --suspend-auto-scaling
    suspends dynamic in, out and scheduled scaling; --auto-scaling-min/max set the scalable
    target's capacity."""
    sandbox.prepare([AUTOSCALING])
    r = plan(
        AUTOSCALING,
        state,
        "--suspend-auto-scaling",
        "--auto-scaling-min",
        "3",
        "--auto-scaling-max",
        "6",
        "--detailed-exitcode",
        out=tmp_path / "plan.json",
    )
    assert r.code == 2, r
    steps = {s["kind"]: s for s in plan_steps(tmp_path / "plan.json")}
    assert "suspend_auto_scaling" in steps and "set_scaling_capacity" in steps
    suspend = steps["suspend_auto_scaling"]["payload"]
    assert suspend["ResourceId"] == "service/my-cluster/scaled-service"
    assert suspend["SuspendedState"] == {
        "DynamicScalingInSuspended": True,
        "DynamicScalingOutSuspended": True,
        "ScheduledScalingSuspended": True,
    }
    cap = steps["set_scaling_capacity"]["payload"]
    assert (cap["MinCapacity"], cap["MaxCapacity"]) == (3, 6)
    assert "MinCapacity: 2 -> 3" in r.stdout and "MaxCapacity: 10 -> 6" in r.stdout


def test_resume_auto_scaling_after_it_was_suspended(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    sandbox.prepare([AUTOSCALING])
    client(sandbox, "application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs",
        ScalableDimension="ecs:service:DesiredCount",
        ResourceId="service/my-cluster/scaled-service",
        SuspendedState={
            "DynamicScalingInSuspended": True,
            "DynamicScalingOutSuspended": True,
            "ScheduledScalingSuspended": True,
        },
    )
    r = plan(AUTOSCALING, state, "--resume-auto-scaling", out=tmp_path / "plan.json")
    assert r.code == 0, r
    (resume,) = [
        s for s in plan_steps(tmp_path / "plan.json") if s["kind"] == "resume_auto_scaling"
    ]
    assert resume["payload"]["SuspendedState"] == {
        "DynamicScalingInSuspended": False,
        "DynamicScalingOutSuspended": False,
        "ScheduledScalingSuspended": False,
    }
    # Already resumed: the flag plans nothing.
    r = plan(AUTOSCALING, state, "--suspend-auto-scaling", "--resume-auto-scaling")
    assert r.code == 0, r


def test_auto_scaling_flags_without_scalable_target_warn_and_skip(
    single: Path, state: Path, tmp_path: Path
) -> None:
    """deploy.go modifyAutoScaling @v2.6.0: with no scalable target the auto scaling flags are
    skipped with a warning, not an error."""
    r = plan(
        single,
        state,
        "--suspend-auto-scaling",
        "--auto-scaling-min",
        "1",
        "--detailed-exitcode",
        out=tmp_path / "plan.json",
    )
    assert r.code == 0, r
    assert step_kinds(tmp_path / "plan.json") == []
    assert "no scalable target" in r.output, r


def test_auto_scaling_warning_shown_next_to_other_changes(
    single: Path, state: Path, tmp_path: Path
) -> None:
    r = plan(single, state, "--suspend-auto-scaling", env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    assert "no scalable target" in r.output, r


# --- output formats ---------------------------------------------------------------------------


def _validate(doc: Any, schema_name: str) -> None:
    schema = json.loads((SCHEMAS / schema_name).read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_json_output_and_plan_file_validate_against_their_schemas(
    single: Path, state: Path, tmp_path: Path
) -> None:
    r = plan(single, state, "--format", "json", env={"IMAGE_TAG": "1.28"}, out=tmp_path / "p.json")
    assert r.code == 0, r
    out = json.loads(r.stdout)
    _validate(out, "plan-output.schema.json")
    assert out["has_changes"] is True
    assert out["summary"]["register"] == 1 and out["summary"]["update"] == 1
    _validate(json.loads((tmp_path / "p.json").read_text()), "plan.schema.json")

    r = plan(single, state, "--format", "json", out=tmp_path / "p0.json")
    assert r.code == 0, r
    out = json.loads(r.stdout)
    _validate(out, "plan-output.schema.json")
    assert out["has_changes"] is False
    _validate(json.loads((tmp_path / "p0.json").read_text()), "plan.schema.json")


def test_json_output_of_a_create_validates(sandbox: Sandbox, state: Path, tmp_path: Path) -> None:
    sandbox.prepare([BLUE_GREEN])
    r = plan(BLUE_GREEN, state, "--format", "json", out=tmp_path / "p.json")
    assert r.code == 0, r
    _validate(json.loads(r.stdout), "plan-output.schema.json")
    _validate(json.loads((tmp_path / "p.json").read_text()), "plan.schema.json")


def test_markdown_has_summary_table_and_diff_details(single: Path, state: Path) -> None:
    r = plan(single, state, "--format", "markdown", "--tasks", "5", env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r
    md = r.stdout
    assert "Plan: 1 to register, 1 to update, 0 to create, 0 unchanged." in md
    table = [ln for ln in md.splitlines() if ln.startswith("|")]
    assert len(table) >= 3, md  # header, separator, one service
    assert re.match(r"^\|\s*-+\s*\|", table[1]), table
    row = next(ln for ln in table if "myservice" in ln)
    assert "nginx:1.27" in row and "nginx:1.28" in row
    assert "3" in row and "5" in row
    assert "<details>" in md and "</details>" in md
    assert "```diff" in md
    lines = md.splitlines()
    assert '-     "image": "nginx:1.27",' in lines or any(
        ln.startswith("-") and "nginx:1.27" in ln for ln in lines
    ), md
    assert any(ln.startswith("+") and "nginx:1.28" in ln for ln in lines), md
    assert any(ln.startswith("+") and '"desiredCount": 5' in ln for ln in lines), md
    assert "apply" in md


# --- secrets ----------------------------------------------------------------------------------

PLANTED = "Planted-DbPw-7f3a9c"
PLANTED_2 = "Planted-DbPw-rotated-51be"
SSM_SECRET = "Ssm-Secure-Value-0c4d2e"
SSM_SECRET_2 = "Ssm-Secure-rotated-9e1f"


def _plant_secrets(cfg: Path, db_password: str) -> None:
    td_path = cfg.parent / "ecs-task-def.json"
    td = json.loads(td_path.read_text())
    env = td["containerDefinitions"][0]["environment"]
    env[:] = [e for e in env if e["name"] not in ("DB_PASSWORD", "APP_CONFIG")]
    env.append({"name": "DB_PASSWORD", "value": db_password})
    # A name that does not look secret: only the template's sensitive marking can mask it.
    env.append({"name": "APP_CONFIG", "value": "{{ ssm `/app/secret` }}"})
    td_path.write_text(json.dumps(td, indent=2))


def _all_outputs(cfg: Path, state: Path, tmp_path: Path, tag: str) -> dict[str, str]:
    env = {"IMAGE_TAG": "1.28"}
    outs: dict[str, str] = {}
    for fmt in ("text", "markdown", "json"):
        r = plan(cfg, state, "--format", fmt, env=env, out=tmp_path / f"{tag}-{fmt}.plan")
        assert r.code == 0, r
        outs[fmt] = r.output
        outs[f"plan file ({fmt})"] = (tmp_path / f"{tag}-{fmt}.plan").read_text()
    r = plan(cfg, state, "--comment-file", str(tmp_path / f"{tag}-comment.md"), env=env)
    assert r.code == 0, r
    outs["comment file"] = "\n".join(p.read_text() for p in tmp_path.glob(f"{tag}-comment*"))
    r = run_inproc([cfg], state, "diff", env=env)
    outs["diff"] = r.output
    return outs


def test_secrets_never_appear_in_any_output(sandbox: Sandbox, state: Path, tmp_path: Path) -> None:
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([cfg])
    client(sandbox, "ssm").put_parameter(Name="/app/secret", Value=SSM_SECRET, Type="SecureString")
    _plant_secrets(cfg, PLANTED)

    # A create: the secrets are only on the "after" side.
    for name, text in _all_outputs(cfg, state, tmp_path, "create").items():
        for secret in (PLANTED, SSM_SECRET):
            assert secret not in text, f"{secret} leaked in {name}"
    assert "(sensitive)" in _all_outputs(cfg, state, tmp_path, "create2")["text"]

    # An update where the live task definition holds the same secrets.
    deploy(cfg, state)
    for name, text in _all_outputs(cfg, state, tmp_path, "update").items():
        for secret in (PLANTED, SSM_SECRET):
            assert secret not in text, f"{secret} leaked in {name}"


def test_rotated_secrets_never_appear_in_any_output(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    """The live task definition holds the old values, the configuration the new ones."""
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([cfg])
    ssm = client(sandbox, "ssm")
    ssm.put_parameter(Name="/app/secret", Value=SSM_SECRET, Type="SecureString")
    _plant_secrets(cfg, PLANTED)
    deploy(cfg, state)
    ssm.put_parameter(Name="/app/secret", Value=SSM_SECRET_2, Type="SecureString", Overwrite=True)
    _plant_secrets(cfg, PLANTED_2)
    for name, text in _all_outputs(cfg, state, tmp_path, "rotate").items():
        for secret in (PLANTED, PLANTED_2, SSM_SECRET, SSM_SECRET_2):
            assert secret not in text, f"{secret} leaked in {name}"


def test_plan_file_with_masked_secrets_applies_the_real_values(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([cfg])
    client(sandbox, "ssm").put_parameter(Name="/app/secret", Value=SSM_SECRET, Type="SecureString")
    _plant_secrets(cfg, PLANTED)
    r = plan(cfg, state, out=tmp_path / "plan.json")
    assert r.code == 0, r
    assert PLANTED not in (tmp_path / "plan.json").read_text()
    r = run_inproc([cfg], state, "apply", str(tmp_path / "plan.json"), env={})
    assert r.code == 0, r
    live = describe_service(sandbox, CLUSTER, "myservice")
    assert live is not None
    td = client(sandbox, "ecs").describe_task_definition(taskDefinition=live["taskDefinition"])
    env = {
        e["name"]: e["value"]
        for e in td["taskDefinition"]["containerDefinitions"][0]["environment"]
    }
    assert env["DB_PASSWORD"] == PLANTED
    assert env["APP_CONFIG"] == SSM_SECRET
