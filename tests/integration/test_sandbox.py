"""The sandbox behaves like ECS and CodeDeploy over time, over real HTTP, seen by plain boto3."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ecsplan_sandbox import Sandbox

T = TypeVar("T")
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
CLUSTER = "my-cluster"
NET = {
    "awsvpcConfiguration": {
        "subnets": ["subnet-12345678", "subnet-87654321"],
        "securityGroups": ["sg-12345678"],
        "assignPublicIp": "DISABLED",
    }
}
CIRCUIT_BREAKER = {
    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def client(name: str) -> Any:
    return boto3.client(name, config=NO_RETRY)


def wait_for(probe: Callable[[], T | None], attempts: int = 500) -> T:
    """Poll until probe returns something truthy (bounded by attempts, not by a clock)."""
    for _ in range(attempts):
        value = probe()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("state never reached")


def register(ecs: Any, family: str, tag: str) -> str:
    td = ecs.register_task_definition(
        family=family,
        containerDefinitions=[
            {"name": "web", "image": f"nginx:{tag}", "portMappings": [{"containerPort": 80}]}
        ],
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
    )
    return str(td["taskDefinition"]["taskDefinitionArn"])


def describe(ecs: Any, name: str) -> dict[str, Any]:
    return dict(ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0])


def settled(ecs: Any, name: str) -> dict[str, Any] | None:
    svc = describe(ecs, name)
    deps = svc["deployments"]
    done = len(deps) == 1 and deps[0]["rolloutState"] == "COMPLETED"
    return svc if done and svc["runningCount"] == svc["desiredCount"] else None


def ecs_service(ecs: Any, name: str, tag: str = "1.27", count: int = 2, **extra: Any) -> str:
    ecs.create_cluster(clusterName=CLUSTER)
    td = register(ecs, name, tag)
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=name,
        taskDefinition=td,
        desiredCount=count,
        launchType="FARGATE",
        networkConfiguration=NET,
        **extra,
    )
    return td


# --- ECS rolling updates -------------------------------------------------------------------


def test_rolling_update_completes_with_events(sandbox: Sandbox) -> None:
    ecs = client("ecs")
    td1 = ecs_service(ecs, "web", count=3)
    first = wait_for(lambda: settled(ecs, "web"))
    assert first["taskDefinition"] == td1

    td2 = register(ecs, "web", "1.28")
    updated = ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=td2)["service"]
    deps = updated["deployments"]
    assert [d["status"] for d in deps] == ["PRIMARY", "ACTIVE"]
    assert deps[0]["rolloutState"] == "IN_PROGRESS" and deps[0]["taskDefinition"] == td2

    svc = wait_for(lambda: settled(ecs, "web"))
    assert svc["taskDefinition"] == td2
    assert svc["runningCount"] == svc["desiredCount"] == 3
    (dep,) = svc["deployments"]
    assert dep["id"] == deps[0]["id"] and dep["runningCount"] == 3
    messages = [e["message"] for e in svc["events"]]
    assert messages[0] == "(service web) has reached a steady state."
    assert f"(service web) (deployment {dep['id']}) deployment completed." in messages
    assert any(m.startswith("(service web) has started 3 tasks: (task ") for m in messages)
    assert any(m.startswith("(service web) has stopped 3 running tasks") for m in messages)
    running = ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"]
    tasks = ecs.describe_tasks(cluster=CLUSTER, tasks=running)["tasks"]
    assert len(tasks) == 3 and {t["taskDefinitionArn"] for t in tasks} == {td2}
    assert {t["lastStatus"] for t in tasks} == {"RUNNING"}


def test_desired_count_changes_scale_over_ticks(sandbox: Sandbox) -> None:
    ecs = client("ecs")
    ecs_service(ecs, "web", count=1)
    dep_id = wait_for(lambda: settled(ecs, "web"))["deployments"][0]["id"]
    sandbox.pause()
    ecs.update_service(cluster=CLUSTER, service="web", desiredCount=4)
    seen = [describe(ecs, "web")["runningCount"]]
    for _ in range(4):
        sandbox.step()
        seen.append(describe(ecs, "web")["runningCount"])
    assert seen[0] == 1 and seen[-1] == 4 and seen == sorted(seen)
    svc = describe(ecs, "web")
    assert svc["deployments"][0]["id"] == dep_id  # scaling is not a new deployment
    ecs.update_service(cluster=CLUSTER, service="web", desiredCount=0)
    sandbox.step(2)
    assert describe(ecs, "web")["runningCount"] == 0


def test_failing_image_with_circuit_breaker_rolls_back(sandbox: Sandbox) -> None:
    ecs = client("ecs")
    td1 = ecs_service(ecs, "web", deploymentConfiguration=CIRCUIT_BREAKER)
    good = wait_for(lambda: settled(ecs, "web"))["deployments"][0]["id"]
    sandbox.pause()
    td2 = register(ecs, "web", "1.28-fail")
    ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=td2)
    states: list[str] = []
    for _ in range(20):
        sandbox.step()
        failed = [d for d in describe(ecs, "web")["deployments"] if d["taskDefinition"] == td2]
        states.append(failed[0]["rolloutState"])
        if states[-1] == "FAILED":
            break
    assert states[-1] == "FAILED"
    assert failed[0]["failedTasks"] >= 3
    assert (
        failed[0]["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    )
    svc = describe(ecs, "web")
    assert svc["taskDefinition"] == td1
    assert svc["deployments"][0]["status"] == "PRIMARY"
    assert "circuit breaker" in svc["deployments"][0]["rolloutStateReason"]
    sandbox.resume()
    svc = wait_for(lambda: settled(ecs, "web"))
    assert svc["taskDefinition"] == td1
    assert svc["deployments"][0]["rolloutStateReason"] == (
        f"ECS deployment circuit breaker: rolling back to deploymentId {good}."
    )
    messages = [e["message"] for e in svc["events"]]
    assert f"(service web) rolling back to deployment {good}." in messages
    assert any("deployment failed: tasks failed to start." in m for m in messages)


def test_failing_image_without_circuit_breaker_keeps_failing(sandbox: Sandbox) -> None:
    ecs = client("ecs")
    td1 = ecs_service(ecs, "web")
    wait_for(lambda: settled(ecs, "web"))
    sandbox.pause()
    td2 = register(ecs, "web", "2.0-fail")
    ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=td2)
    sandbox.step(20)
    primary, old = describe(ecs, "web")["deployments"]
    assert primary["taskDefinition"] == td2 and primary["rolloutState"] == "IN_PROGRESS"
    assert primary["failedTasks"] >= 10 and primary["runningCount"] == 0
    assert old["taskDefinition"] == td1 and old["runningCount"] == 2  # old tasks keep serving


# --- CodeDeploy blue/green -----------------------------------------------------------------


def blue_green(sandbox: Sandbox) -> tuple[Any, Any, str]:
    sandbox.prepare([str(EXAMPLES / "blue-green" / "ecspresso.yml")])
    ecs = client("ecs")
    td1 = register(ecs, "bg-service", "1.27")
    sdef = json.loads((EXAMPLES / "blue-green" / "ecs-service-def.json").read_text())
    ecs.create_service(cluster=CLUSTER, serviceName="bg-service", taskDefinition=td1, **sdef)
    wait_for(lambda: describe(ecs, "bg-service")["runningCount"] == 3)
    return ecs, client("codedeploy"), td1


def deploy(cd: Any, td: str, yaml_appspec: bool = False) -> str:
    if yaml_appspec:
        content = (
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
            f'      Properties:\n        TaskDefinition: "{td}"\n'
            "        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: 80\n"
        )
    else:
        props = {
            "TaskDefinition": td,
            "LoadBalancerInfo": {"ContainerName": "web", "ContainerPort": 80},
        }
        content = json.dumps(
            {
                "version": 0.0,
                "Resources": [
                    {"TargetService": {"Type": "AWS::ECS::Service", "Properties": props}}
                ],
            }
        )
    return str(
        cd.create_deployment(
            applicationName="myapp",
            deploymentGroupName="myapp-group",
            revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
        )["deploymentId"]
    )


def finished(cd: Any, deployment_id: str) -> dict[str, Any] | None:
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    return info if info["status"] in ("Succeeded", "Failed", "Stopped") else None


def test_codedeploy_deployment_swaps_task_sets(sandbox: Sandbox) -> None:
    ecs, cd, _ = blue_green(sandbox)
    (original,) = describe(ecs, "bg-service")["taskSets"]
    td2 = register(ecs, "bg-service", "1.28")
    with pytest.raises(ClientError, match="CODE_DEPLOY deployment controller"):
        ecs.update_service(cluster=CLUSTER, service="bg-service", taskDefinition=td2)

    dep_id = deploy(cd, td2, yaml_appspec=True)
    assert cd.list_deployments(applicationName="myapp", deploymentGroupName="myapp-group")[
        "deployments"
    ] == [dep_id]
    with pytest.raises(ClientError, match="already has an active Deployment"):
        deploy(cd, td2)
    info = wait_for(lambda: finished(cd, dep_id))
    assert info["status"] == "Succeeded"
    assert info["deploymentOverview"]["Succeeded"] == 1
    (target,) = cd.list_deployment_targets(deploymentId=dep_id)["targetIds"]
    ecs_target = cd.get_deployment_target(deploymentId=dep_id, targetId=target)["deploymentTarget"][
        "ecsTarget"
    ]
    events = ecs_target["lifecycleEvents"]
    assert [e["lifecycleEventName"] for e in events][:3] == [
        "BeforeInstall",
        "Install",
        "AfterInstall",
    ]
    assert {e["status"] for e in events} == {"Succeeded"}

    svc = describe(ecs, "bg-service")
    (primary,) = svc["taskSets"]
    assert primary["status"] == "PRIMARY" and primary["id"] != original["id"]
    assert primary["taskDefinition"] == td2 and primary["externalId"] == dep_id
    assert svc["taskDefinition"] == td2
    wait_for(lambda: describe(ecs, "bg-service")["taskSets"][0]["runningCount"] == 3)


def test_codedeploy_failure_rolls_back(sandbox: Sandbox) -> None:
    ecs, cd, td1 = blue_green(sandbox)
    (original,) = describe(ecs, "bg-service")["taskSets"]
    dep_id = deploy(cd, register(ecs, "bg-service", "1.28-fail"))
    info = wait_for(lambda: finished(cd, dep_id))
    assert info["status"] == "Failed"
    assert info["errorInformation"]["code"] == "ECS_UPDATE_ERROR"
    rollback_id = info["rollbackInfo"]["rollbackDeploymentId"]
    rb = cd.get_deployment(deploymentId=rollback_id)["deploymentInfo"]
    assert rb["status"] == "Succeeded" and rb["creator"] == "codeDeployRollback"
    assert rb["rollbackInfo"]["rollbackTriggeringDeploymentId"] == dep_id
    svc = describe(ecs, "bg-service")
    assert [(t["id"], t["status"]) for t in svc["taskSets"]] == [(original["id"], "PRIMARY")]
    assert svc["taskDefinition"] == td1


@pytest.mark.parametrize("rollback", [True, False])
def test_stop_deployment(sandbox: Sandbox, rollback: bool) -> None:
    ecs, cd, td1 = blue_green(sandbox)
    (original,) = describe(ecs, "bg-service")["taskSets"]
    sandbox.pause()
    dep_id = deploy(cd, register(ecs, "bg-service", "1.28"))
    for _ in range(10):  # until Install has created the replacement task set
        sandbox.step()
        if len(describe(ecs, "bg-service")["taskSets"]) == 2:
            break
    assert len(describe(ecs, "bg-service")["taskSets"]) == 2
    out = cd.stop_deployment(deploymentId=dep_id, autoRollbackEnabled=rollback)
    assert out["status"] == "Succeeded"
    info = cd.get_deployment(deploymentId=dep_id)["deploymentInfo"]
    assert info["status"] == "Stopped"
    assert bool(info.get("rollbackInfo")) is rollback
    sets = describe(ecs, "bg-service")["taskSets"]
    primary = [t for t in sets if t["status"] == "PRIMARY"]
    assert (
        primary[0]["id"] == original["id"] and describe(ecs, "bg-service")["taskDefinition"] == td1
    )
    assert len(sets) == (1 if rollback else 2)
    with pytest.raises(ClientError, match="already completed"):
        cd.stop_deployment(deploymentId=dep_id)


# --- control: stats and faults ---------------------------------------------------------


def _http(sandbox: Sandbox, method: str, path: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(sandbox.endpoint + path, data=data, method=method)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_stats_count_every_call(sandbox: Sandbox) -> None:
    ecs = client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    for _ in range(3):
        ecs.describe_clusters(clusters=[CLUSTER])
    client("elbv2").describe_load_balancers()
    client("ec2").describe_vpcs()
    stats = _http(sandbox, "GET", "/_sandbox/stats")
    assert stats["requests"] == {
        "ecs:CreateCluster": 1,
        "ecs:DescribeClusters": 3,
        "elasticloadbalancing:DescribeLoadBalancers": 1,
        "ec2:DescribeVpcs": 1,
    }
    assert sandbox.write_calls() == {"ecs:CreateCluster": 1}
    assert stats["writes"] == 1
    _http(sandbox, "POST", "/_sandbox/reset", {})
    assert sandbox.stats()["requests"] == {}
    assert ecs.list_clusters()["clusterArns"] == []


def test_faults_throttle_and_fail_at_the_configured_rate(sandbox: Sandbox) -> None:
    ecs = client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    _http(
        sandbox,
        "POST",
        "/_sandbox/faults",
        {
            "throttle_rate": 0.2,
            "error_rate": 0.1,
            "operations": ["ecs:DescribeClusters"],
            "seed": 1,
        },
    )
    outcomes = {"ok": 0, "ThrottlingException": 0, "503": 0}
    for _ in range(300):
        try:
            ecs.describe_clusters(clusters=[CLUSTER])
            outcomes["ok"] += 1
        except ClientError as e:
            if e.response["Error"]["Code"] == "ThrottlingException":
                assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
                outcomes["ThrottlingException"] += 1
            else:
                assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 503
                outcomes["503"] += 1
    assert 40 <= outcomes["ThrottlingException"] <= 80  # 20 % of 300
    assert 15 <= outcomes["503"] <= 45  # 10 % of 300
    assert ecs.list_clusters()["clusterArns"]  # operations outside the list are untouched
    injected = sandbox.stats()["faults_injected"]
    assert injected["ecs:DescribeClusters:throttle"] == outcomes["ThrottlingException"]
    sandbox.set_faults()  # off again
    for _ in range(20):
        ecs.describe_clusters(clusters=[CLUSTER])


def test_query_protocol_throttling_is_recognised_by_botocore(sandbox: Sandbox) -> None:
    sandbox.set_faults(throttle_rate=1.0, operations=["elasticloadbalancing:DescribeLoadBalancers"])
    with pytest.raises(ClientError) as err:
        client("elbv2").describe_load_balancers()
    assert err.value.response["Error"]["Code"] == "Throttling"
    retrying = boto3.client(
        "elbv2", config=Config(retries={"total_max_attempts": 2, "mode": "standard"})
    )
    with pytest.raises(ClientError):
        retrying.describe_load_balancers()
    assert sandbox.stats()["requests"]["elasticloadbalancing:DescribeLoadBalancers"] == 3


# --- fidelity fixes over moto ----------------------------------------------------------


def test_create_service_keeps_fields_and_is_not_idempotent(sandbox: Sandbox) -> None:
    ecs = client("ecs")
    ecs.create_cluster(clusterName=CLUSTER, capacityProviders=["FARGATE", "FARGATE_SPOT"])
    td = register(ecs, "web", "1.27")
    given = {
        "capacityProviderStrategy": [
            {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
            {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
        ],
        "deploymentConfiguration": CIRCUIT_BREAKER,
        "serviceConnectConfiguration": {"enabled": True, "namespace": "my-namespace"},
        "healthCheckGracePeriodSeconds": 60,
        "enableExecuteCommand": True,
        "propagateTags": "SERVICE",
        "platformVersion": "1.4.0",
        "tags": [{"key": "team", "value": "web"}],
    }
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition=td,
        desiredCount=1,
        networkConfiguration=NET,
        **given,
    )
    svc = ecs.describe_services(cluster=CLUSTER, services=["web"], include=["TAGS"])["services"][0]
    sc = given.pop("serviceConnectConfiguration")
    for key, value in given.items():
        assert svc[key] == value, key
    assert svc["deployments"][0]["serviceConnectConfiguration"] == sc  # where ECS reports it
    assert "launchType" not in svc or not svc["launchType"]
    assert svc["networkConfiguration"] == NET  # subnet-12345678 does not exist, still accepted
    with pytest.raises(ClientError, match="Creation of service was not idempotent"):
        ecs.create_service(cluster=CLUSTER, serviceName="web", taskDefinition=td, desiredCount=1)


def test_update_service_is_all_or_nothing(sandbox: Sandbox) -> None:
    ecs = client("ecs")
    td1 = ecs_service(ecs, "web")
    with pytest.raises(ClientError):
        ecs.update_service(cluster=CLUSTER, service="web", desiredCount=5, taskDefinition="nope:9")
    svc = describe(ecs, "web")
    assert svc["desiredCount"] == 2 and svc["taskDefinition"] == td1


def test_describe_task_definition_by_family_is_latest_active(sandbox: Sandbox) -> None:
    ecs = client("ecs")
    td1 = register(ecs, "web", "1")
    register(ecs, "web", "2")
    td3 = register(ecs, "web", "3")
    ecs.deregister_task_definition(taskDefinition=td3)
    latest = ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]
    assert latest["revision"] == 2
    assert ecs.describe_task_definition(taskDefinition=td1)["taskDefinition"]["revision"] == 1


def test_list_calls_paginate(sandbox: Sandbox) -> None:
    ecs = client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    for i in range(12):
        register(ecs, "web", str(i))
    first = ecs.list_task_definitions(familyPrefix="web", maxResults=5)
    assert len(first["taskDefinitionArns"]) == 5 and first["nextToken"]
    pages = ecs.get_paginator("list_task_definitions").paginate(
        familyPrefix="web", PaginationConfig={"PageSize": 5}
    )
    arns = [a for p in pages for a in p["taskDefinitionArns"]]
    assert [int(a.rsplit(":", 1)[1]) for a in arns] == list(range(1, 13))
    desc = ecs.list_task_definitions(familyPrefix="web", sort="DESC", maxResults=1)
    assert desc["taskDefinitionArns"][0].endswith(":12")

    td = arns[0]
    for i in range(12):
        ecs.create_service(
            cluster=CLUSTER,
            serviceName=f"s{i:02}",
            taskDefinition=td,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=NET,
        )
    default_page = ecs.list_services(cluster=CLUSTER)
    assert len(default_page["serviceArns"]) == 10 and default_page["nextToken"]  # ECS default
    services = [
        a
        for p in ecs.get_paginator("list_services").paginate(cluster=CLUSTER)
        for a in p["serviceArns"]
    ]
    assert len(services) == 12
    wait_for(lambda: len(ecs.list_tasks(cluster=CLUSTER, maxResults=100)["taskArns"]) == 12)
    tasks = ecs.list_tasks(cluster=CLUSTER, maxResults=5)
    assert len(tasks["taskArns"]) == 5 and tasks["nextToken"]
    assert len(ecs.list_tasks(cluster=CLUSTER, serviceName="s03")["taskArns"]) == 1


def test_list_services_leaves_deleted_services_out(sandbox: Sandbox) -> None:
    """ECS: a deleted service "is no longer visible in ... ListServices"; DescribeServices
    still shows it, INACTIVE."""
    ecs = client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    td = register(ecs, "web", "1")
    for name in ("kept", "gone"):
        ecs.create_service(
            cluster=CLUSTER,
            serviceName=name,
            taskDefinition=td,
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration=NET,
        )
    ecs.delete_service(cluster=CLUSTER, service="gone")
    listed = ecs.list_services(cluster=CLUSTER)["serviceArns"]
    assert [a.rsplit("/", 1)[-1] for a in listed] == ["kept"]
    gone = ecs.describe_services(cluster=CLUSTER, services=["gone"])["services"]
    assert [s["status"] for s in gone] == ["INACTIVE"]


# --- prepare -------------------------------------------------------------------------------


def test_prepare_blue_green(sandbox: Sandbox) -> None:
    created = sandbox.prepare([str(EXAMPLES / "blue-green" / "ecspresso.yml")])
    assert "ecs cluster my-cluster" in created
    ecs, cd, elb = client("ecs"), client("codedeploy"), client("elbv2")
    cluster = ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]
    assert cluster["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    group = cd.get_deployment_group(applicationName="myapp", deploymentGroupName="myapp-group")[
        "deploymentGroupInfo"
    ]
    assert group["ecsServices"] == [{"serviceName": "bg-service", "clusterName": CLUSTER}]
    pair = group["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    assert [t["name"] for t in pair["targetGroups"]] == ["blue", "green"]
    blue = (
        "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/blue/abcdef1234567890"
    )
    assert (
        elb.describe_target_groups(TargetGroupArns=[blue])["TargetGroups"][0]["TargetGroupName"]
        == "blue"
    )
    assert sandbox.prepare([str(EXAMPLES / "blue-green" / "ecspresso.yml")]) == []  # idempotent
    assert sandbox.write_calls() == {}  # prepare's own calls are not counted


def test_prepare_autoscaling(sandbox: Sandbox) -> None:
    sandbox.prepare([str(EXAMPLES / "autoscaling" / "ecspresso.yml")])
    aas = client("application-autoscaling")
    (target,) = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert target["ResourceId"] == "service/my-cluster/scaled-service"
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 10)
    (policy,) = aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    assert policy["PolicyName"] == "cpu-tracking-scaling-policy"
    assert policy["PolicyType"] == "TargetTrackingScaling"
    svc = wait_for(lambda: settled(client("ecs"), "scaled-service"))
    assert svc["desiredCount"] == 2


def test_prepare_workspace(sandbox: Sandbox) -> None:
    created = sandbox.prepare([str(EXAMPLES / "microservices" / "workspace.yml")])
    assert "ecs cluster my-cluster" in created


def test_ready_wait_until_continue_deployment(sandbox: Sandbox) -> None:
    ecs, cd, _ = blue_green(sandbox)
    cd.create_deployment_group(
        applicationName="myapp",
        deploymentGroupName="manual",
        serviceRoleArn="arn:aws:iam::123456789012:role/ecsCodeDeployRole",
        ecsServices=[{"serviceName": "bg-service", "clusterName": CLUSTER}],
        blueGreenDeploymentConfiguration={
            "deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 0}
        },
    )
    td2 = register(ecs, "bg-service", "1.28")
    content = json.dumps(
        {
            "Resources": [
                {"svc": {"Type": "AWS::ECS::Service", "Properties": {"TaskDefinition": td2}}}
            ]
        }
    )
    dep_id = cd.create_deployment(
        applicationName="myapp",
        deploymentGroupName="manual",
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
    )["deploymentId"]
    wait_for(lambda: cd.get_deployment(deploymentId=dep_id)["deploymentInfo"]["status"] == "Ready")
    sandbox.step(5)
    assert cd.get_deployment(deploymentId=dep_id)["deploymentInfo"]["status"] == "Ready"
    assert describe(ecs, "bg-service")["taskDefinition"] != td2  # production not shifted yet
    cd.continue_deployment(deploymentId=dep_id, deploymentWaitType="READY_WAIT")
    assert wait_for(lambda: finished(cd, dep_id))["status"] == "Succeeded"
    assert describe(ecs, "bg-service")["taskDefinition"] == td2


def test_clock_control_over_http(sandbox: Sandbox) -> None:
    ecs = client("ecs")
    _http(sandbox, "POST", "/_sandbox/pause", {})
    ecs_service(ecs, "web", count=1)
    before = sandbox.ticks
    _http(sandbox, "POST", "/_sandbox/step", {"ticks": 3})
    assert sandbox.ticks - before == 3
    assert settled(ecs, "web") is not None
    _http(sandbox, "POST", "/_sandbox/resume", {})
