"""`apply PLANFILE` refuses a plan when anything it compared moved (issue 13, part 1).

Each test plans a change, makes live drift with plain boto3 against the sandbox (what another
person or tool would do), and applies the saved plan: refused with `plan is stale:` naming
the field that moved and nothing written, or, for drift the config leaves unmanaged, applied.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from helpers_cli import (
    EXAMPLES,
    Result,
    client,
    copy_example,
    delta,
    describe_service,
    edit_json,
    image_of,
    requests,
    revision_of,
    run_inproc,
    writes_of,
)

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

CLUSTER = "my-cluster"
SERVICE = "myservice"
NEW_IMAGE = {"IMAGE_TAG": "1.28"}
TIMEOUT = ("--timeout", "60s")


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


def deploy(cfg: Path, state: Path, *flags: str, env: dict[str, str] | None = None) -> None:
    r = run_inproc([cfg], state, "deploy", *TIMEOUT, *flags, env=env)
    assert r.code == 0, r


def plan_out(cfg: Path, state: Path, out: Path, env: dict[str, str] | None = None) -> None:
    r = run_inproc([cfg], state, "plan", "--out", str(out), env=env or NEW_IMAGE)
    assert r.code == 0, r


def apply(cfg: Path, state: Path, plan: Path, env: dict[str, str] | None = None) -> Result:
    return run_inproc([cfg], state, "apply", str(plan), env=env or NEW_IMAGE)


def assert_refused(sandbox: Sandbox, cfg: Path, state: Path, plan: Path, *moved: str) -> Result:
    before = requests(sandbox)
    r = apply(cfg, state, plan)
    assert r.code == 1, r
    assert r.stderr.startswith("Error: plan is stale: "), r
    for text in moved:
        assert text in r.stderr, r
    assert writes_of(delta(before, requests(sandbox))) == {}, r
    return r


@pytest.fixture
def single(sandbox: Sandbox, state: Path, tmp_path: Path) -> Path:
    """examples/single-service (desiredCount 3 in its definition) deployed: nginx:1.27."""
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([str(cfg)])
    deploy(cfg, state)
    return cfg


@pytest.fixture
def plan(single: Path, state: Path, tmp_path: Path) -> Path:
    """A saved plan of a new image for the deployed single service."""
    out = tmp_path / "p.json"
    plan_out(single, state, out)
    return out


def live(sandbox: Sandbox, service: str = SERVICE) -> dict:
    svc = describe_service(sandbox, CLUSTER, service)
    assert svc is not None
    return svc


# --- drift that makes a plan stale ---------------------------------------------------------


def test_desired_count_moved_although_the_plan_does_not_change_it(
    sandbox: Sandbox, single: Path, state: Path, plan: Path
) -> None:
    """The issue's report: 3 = 3 so no change planned, someone scales to 5, apply went ahead."""
    client(sandbox, "ecs").update_service(cluster=CLUSTER, service=SERVICE, desiredCount=5)
    assert_refused(sandbox, single, state, plan, "myservice: desiredCount 3 -> 5")
    assert live(sandbox)["desiredCount"] == 5
    assert image_of(sandbox, live(sandbox)["taskDefinition"]) == "nginx:1.27"


def test_task_definition_revision_and_content_moved(
    sandbox: Sandbox, single: Path, state: Path, plan: Path
) -> None:
    ecs = client(sandbox, "ecs")
    td = ecs.describe_task_definition(taskDefinition=live(sandbox)["taskDefinition"])
    body = td["taskDefinition"]
    body["containerDefinitions"][0]["image"] = "nginx:1.29"
    keep = ("family", "containerDefinitions", "executionRoleArn", "networkMode", "cpu", "memory")
    arn = ecs.register_task_definition(
        **{k: body[k] for k in keep}, requiresCompatibilities=["FARGATE"]
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition=arn)
    assert_refused(
        sandbox,
        single,
        state,
        plan,
        "taskDefinition myservice:1 -> myservice:2",
        "task definition containerDefinitions[web].image nginx:1.27 -> nginx:1.29",
    )
    assert revision_of(live(sandbox)["taskDefinition"]) == 2


def test_task_definition_tag_added_on_the_same_revision(
    sandbox: Sandbox, single: Path, state: Path, plan: Path
) -> None:
    """Tags are the one part of a registered revision that can change: they count."""
    client(sandbox, "ecs").tag_resource(
        resourceArn=live(sandbox)["taskDefinition"], tags=[{"key": "owner", "value": "ops"}]
    )
    assert_refused(sandbox, single, state, plan, "task definition tags.owner (absent) -> ops")


def test_deployment_configuration_moved(
    sandbox: Sandbox, single: Path, state: Path, plan: Path
) -> None:
    client(sandbox, "ecs").update_service(
        cluster=CLUSTER,
        service=SERVICE,
        deploymentConfiguration={
            "maximumPercent": 150,
            "minimumHealthyPercent": 100,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
    )
    assert_refused(
        sandbox, single, state, plan, "deploymentConfiguration.maximumPercent 200 -> 150"
    )


def test_network_configuration_moved(
    sandbox: Sandbox, single: Path, state: Path, plan: Path
) -> None:
    client(sandbox, "ecs").update_service(
        cluster=CLUSTER,
        service=SERVICE,
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": ["subnet-12345678"],
                "securityGroups": ["sg-12345678"],
                "assignPublicIp": "ENABLED",
            }
        },
    )
    r = assert_refused(
        sandbox,
        single,
        state,
        plan,
        "networkConfiguration.awsvpcConfiguration.assignPublicIp DISABLED -> ENABLED",
        "networkConfiguration.awsvpcConfiguration.subnets changed",
    )
    assert "subnet-" not in r.stderr.splitlines()[0]  # lists are named, not dumped


def test_service_tag_changed(sandbox: Sandbox, single: Path, state: Path, plan: Path) -> None:
    client(sandbox, "ecs").tag_resource(
        resourceArn=live(sandbox)["serviceArn"], tags=[{"key": "team", "value": "payments"}]
    )
    assert_refused(sandbox, single, state, plan, "tags.team web -> payments")


def test_every_moved_field_of_every_service_is_named(
    sandbox: Sandbox, single: Path, state: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "p.json"
    plan_out(single, state, plan)
    client(sandbox, "ecs").update_service(
        cluster=CLUSTER, service=SERVICE, desiredCount=4, healthCheckGracePeriodSeconds=30
    )
    r = assert_refused(
        sandbox,
        single,
        state,
        plan,
        "desiredCount 3 -> 4",
        "healthCheckGracePeriodSeconds 60 -> 30",
        "run plan again",
    )
    first = r.stderr.splitlines()[0]
    assert "desiredCount 3 -> 4" in first and "healthCheckGracePeriodSeconds" in first, r


# --- scalable target, scaling policies, alarms (examples/managed-scaling) -------------------


@pytest.fixture
def managed(sandbox: Sandbox, state: Path, tmp_path: Path) -> Path:
    """examples/managed-scaling deployed: scalable target 2..10, one policy, two alarms."""
    client(sandbox, "ecs").create_cluster(clusterName=CLUSTER)
    work = tmp_path / "managed"
    shutil.copytree(EXAMPLES / "managed-scaling", work)
    cfg = work / "ecspresso.yml"
    sandbox.prepare([str(cfg)])
    deploy(cfg, state)
    return cfg


RID = "service/my-cluster/managed-service"


@pytest.fixture
def managed_plan(managed: Path, state: Path, tmp_path: Path) -> Path:
    """A saved plan of a new image for the deployed managed-scaling service."""
    out = tmp_path / "p.json"
    plan_out(managed, state, out)
    return out


def autoscaling(sandbox: Sandbox, call: str, **params: object) -> None:
    """An Application Auto Scaling call on the managed service's scalable target."""
    getattr(client(sandbox, "application-autoscaling"), call)(
        ServiceNamespace="ecs",
        ResourceId=RID,
        ScalableDimension="ecs:service:DesiredCount",
        **params,
    )


def test_scalable_target_min_max_moved(
    sandbox: Sandbox, managed: Path, state: Path, managed_plan: Path
) -> None:
    autoscaling(
        sandbox,
        "register_scalable_target",
        MinCapacity=3,
        MaxCapacity=12,
    )
    assert_refused(
        sandbox,
        managed,
        state,
        managed_plan,
        "scalable target MaxCapacity 10 -> 12",
        "scalable target MinCapacity 2 -> 3",
    )


def test_scalable_target_suspended_elsewhere(
    sandbox: Sandbox, managed: Path, state: Path, managed_plan: Path
) -> None:
    autoscaling(
        sandbox,
        "register_scalable_target",
        SuspendedState={"DynamicScalingInSuspended": True},
    )
    assert_refused(
        sandbox,
        managed,
        state,
        managed_plan,
        "scalable target SuspendedState.DynamicScalingInSuspended false -> true",
    )


def test_scaling_policy_moved(
    sandbox: Sandbox, managed: Path, state: Path, managed_plan: Path
) -> None:
    autoscaling(
        sandbox,
        "put_scaling_policy",
        PolicyName="cpu-tracking-scaling-policy",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
            "ScaleOutCooldown": 60,
            "ScaleInCooldown": 60,
        },
    )
    assert_refused(
        sandbox,
        managed,
        state,
        managed_plan,
        "scaling policy cpu-tracking-scaling-policy target_value 70.0 -> 50.0",
    )


def test_scaling_policy_added_elsewhere(
    sandbox: Sandbox, managed: Path, state: Path, managed_plan: Path
) -> None:
    autoscaling(
        sandbox,
        "put_scaling_policy",
        PolicyName="memory-policy",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 60.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageMemoryUtilization"
            },
        },
    )
    assert_refused(sandbox, managed, state, managed_plan, "scaling policy memory-policy added")


def test_alarm_moved(sandbox: Sandbox, managed: Path, state: Path, managed_plan: Path) -> None:
    cw = client(sandbox, "cloudwatch")
    alarm = cw.describe_alarms(AlarmNames=["managed-service-cpu-alarm"])["MetricAlarms"][0]
    keep = (
        "AlarmName",
        "AlarmDescription",
        "MetricName",
        "Namespace",
        "Statistic",
        "Period",
        "EvaluationPeriods",
        "ComparisonOperator",
        "Dimensions",
        "AlarmActions",
        "OKActions",
    )
    cw.put_metric_alarm(**{k: alarm[k] for k in keep if k in alarm}, Threshold=95.0)
    assert_refused(
        sandbox,
        managed,
        state,
        managed_plan,
        "alarm managed-service-cpu-alarm threshold 80.0 -> 95.0",
    )


# --- drift the config leaves unmanaged, and deployments that only progress -----------------


def test_desired_count_omitted_from_the_definition_may_move(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    cfg = copy_example("single-service", tmp_path)
    edit_json(cfg.parent / "ecs-service-def.json", desiredCount=None)
    sandbox.prepare([str(cfg)])
    deploy(cfg, state)
    plan = tmp_path / "p.json"
    plan_out(cfg, state, plan)
    client(sandbox, "ecs").update_service(cluster=CLUSTER, service=SERVICE, desiredCount=4)
    r = apply(cfg, state, plan)
    assert r.code == 0, r
    svc = live(sandbox)
    assert svc["desiredCount"] == 4
    assert image_of(sandbox, svc["taskDefinition"]) == "nginx:1.28"


def test_desired_count_owned_by_auto_scaling_may_move(
    sandbox: Sandbox, managed: Path, state: Path, managed_plan: Path
) -> None:
    client(sandbox, "ecs").update_service(
        cluster=CLUSTER, service="managed-service", desiredCount=7
    )  # what a scale-out does
    r = apply(managed, state, managed_plan)
    assert r.code == 0, r


def test_ignored_tags_may_move(sandbox: Sandbox, state: Path, tmp_path: Path) -> None:
    cfg = copy_example("single-service", tmp_path)
    doc = yaml.safe_load(cfg.read_text())
    doc["ignore"] = {"tags": ["cost-center"]}
    cfg.write_text(yaml.safe_dump(doc))
    sandbox.prepare([str(cfg)])
    deploy(cfg, state)
    plan = tmp_path / "p.json"
    plan_out(cfg, state, plan)
    ecs = client(sandbox, "ecs")
    svc = live(sandbox)
    tag = [{"key": "cost-center", "value": "1234"}]
    ecs.tag_resource(resourceArn=svc["serviceArn"], tags=tag)
    ecs.tag_resource(resourceArn=svc["taskDefinition"], tags=tag)
    r = apply(cfg, state, plan)
    assert r.code == 0, r
    assert image_of(sandbox, live(sandbox)["taskDefinition"]) == "nginx:1.28"


def test_a_deployment_finishing_in_between_is_no_drift(
    sandbox: Sandbox, state: Path, tmp_path: Path
) -> None:
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([str(cfg)])
    sandbox.pause()  # the first rollout stays IN_PROGRESS while the plan is made
    deploy(cfg, state, "--no-wait")
    assert live(sandbox)["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    plan = tmp_path / "p.json"
    plan_out(cfg, state, plan)
    for _ in range(200):
        if live(sandbox)["deployments"][0].get("rolloutState") == "COMPLETED":
            break
        sandbox.step(5)
    assert live(sandbox)["deployments"][0]["rolloutState"] == "COMPLETED"
    sandbox.resume()
    r = apply(cfg, state, plan)
    assert r.code == 0, r
    assert image_of(sandbox, live(sandbox)["taskDefinition"]) == "nginx:1.28"


def test_a_plan_file_without_live_state_is_refused(
    sandbox: Sandbox, single: Path, state: Path, plan: Path
) -> None:
    """Plan files written before the live state was recorded: plan again, never guess (the
    re-derived plan records it, so the file is refused before any AWS read)."""
    doc = json.loads(plan.read_text())
    for svc in doc["services"]:
        del svc["fingerprint"]["live"]
    plan.write_text(json.dumps(doc))
    before = requests(sandbox)
    r = apply(single, state, plan)
    assert r.code == 1, r
    assert "the plan does not match what the configs give" in r.stderr, r
    assert "$.services[myservice].fingerprint.live" in r.stderr, r
    assert "run plan again" in r.stderr, r
    assert writes_of(delta(before, requests(sandbox))) == {}
