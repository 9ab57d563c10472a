"""The sandbox answers CreateService and UpdateService as ECS does for every service field and
transition (sandbox/ecsplan_sandbox/service_rules.py), seen by plain boto3 over real HTTP.

Each refused call is checked for AWS's exception code and message and for leaving the service
exactly as it was (the clock is paused, so the whole DescribeServices answer must be equal);
each accepted transition for what DescribeServices reports afterwards. The messages are the
ones observed from AWS where known (cited in service_rules.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ecsplan_sandbox import Sandbox, service_rules

NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
CLUSTER = "my-cluster"
NET = {
    "awsvpcConfiguration": {
        "subnets": ["subnet-12345678", "subnet-87654321"],
        "securityGroups": ["sg-12345678"],
        "assignPublicIp": "DISABLED",
    }
}
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BG_DEF = json.loads((EXAMPLES / "blue-green" / "ecs-service-def.json").read_text())
INVALID = "InvalidParameterException"
SPOT = [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
ON_DEMAND = [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]


# AWS's observed texts, written out here so that a slip in the sandbox's copy fails a test.
CPS_NEEDS_FORCE = (
    "When switching from launch type to capacity provider strategy on an existing service, or "
    "making a change to a capacity provider strategy on a service that is already using one, "
    "you must force a new deployment."
)
LAUNCH_TYPE_AND_CPS = (
    "Specifying both a launch type and capacity provider strategy is not supported. "
    "Remove one and try again."
)
DAEMON_DESIRED_COUNT = (
    "The daemon scheduling strategy does not support a desired count for services. "
    "Remove the desired count value and try again"
)
DAEMON_PLACEMENT_STRATEGY = (
    "The daemon scheduling strategy does not support placement strategies. "
    "Remove the placement strategy and try again"
)
DAEMON_MAXIMUM_PERCENT = (
    "The daemon scheduling strategy does not support values above 100 for maximumPercent on a "
    "deployment configuration. Change the maximumPercent value to 100, and try again"
)
EXTERNAL_TASK_DEFINITION = "TaskDefinition must be blank."
EXTERNAL_LOAD_BALANCERS = "LoadBalancers must be empty or null."


def ecs() -> Any:
    return boto3.client("ecs", config=NO_RETRY)


def register(client: Any, family: str = "web", tag: str = "1.27") -> str:
    td = client.register_task_definition(
        family=family,
        containerDefinitions=[
            {"name": "web", "image": f"nginx:{tag}", "portMappings": [{"containerPort": 80}]}
        ],
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE", "EC2"],
        cpu="256",
        memory="512",
    )
    return str(td["taskDefinition"]["taskDefinitionArn"])


def describe(client: Any, name: str = "web") -> dict[str, Any]:
    return dict(client.describe_services(cluster=CLUSTER, services=[name])["services"][0])


def settle(sandbox: Sandbox, done: Callable[[], bool], ticks: int = 60) -> None:
    """Advance the paused clock until `done` (bounded by ticks, not by time)."""
    for _ in range(ticks):
        if done():
            return
        sandbox.step()
    assert done(), "state never reached"


def rolled(client: Any, name: str = "web") -> bool:
    svc = describe(client, name)
    deps = svc["deployments"]
    return (
        len(deps) == 1
        and deps[0]["rolloutState"] == "COMPLETED"
        and svc["runningCount"] == svc["desiredCount"]
    )


def stable_task_set(client: Any, name: str = "bg-service") -> bool:
    sets = describe(client, name)["taskSets"]
    return len(sets) == 1 and sets[0]["stabilityStatus"] == "STEADY_STATE"


def refused(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    err = e.value.response["Error"]
    return err["Code"], err["Message"]


def assert_refused_unchanged(client: Any, name: str, params: dict[str, Any], message: str) -> None:
    before = describe(client, name)
    got = refused(client.update_service, cluster=CLUSTER, service=name, **params)
    assert got == (INVALID, message), params
    assert describe(client, name) == before, f"{params} changed the service"


def ecs_service(
    sandbox: Sandbox, name: str = "web", count: int = 2, **extra: Any
) -> tuple[Any, str]:
    """An ECS (rolling) Fargate service whose first deployment completed; clock paused."""
    client = ecs()
    sandbox.pause()
    client.create_cluster(clusterName=CLUSTER, capacityProviders=["FARGATE", "FARGATE_SPOT"])
    td = register(client, name)
    args: dict[str, Any] = {"launchType": "FARGATE", **extra}
    if "capacityProviderStrategy" in extra:
        args.pop("launchType")
    client.create_service(
        cluster=CLUSTER,
        serviceName=name,
        taskDefinition=td,
        desiredCount=count,
        networkConfiguration=NET,
        **args,
    )
    settle(sandbox, lambda: rolled(client, name))
    return client, td


def code_deploy_service(sandbox: Sandbox) -> tuple[Any, str]:
    """The blue-green example's CODE_DEPLOY service, its PRIMARY task set stable; clock paused."""
    sandbox.prepare([str(EXAMPLES / "blue-green" / "ecspresso.yml")])
    client = ecs()
    sandbox.pause()
    td = register(client, "bg-service")
    client.create_service(cluster=CLUSTER, serviceName="bg-service", taskDefinition=td, **BG_DEF)
    settle(sandbox, lambda: stable_task_set(client))
    return client, td


def cd_message(noun: str) -> str:
    return (
        f"Unable to update {noun} on services with a CODE_DEPLOY deployment controller. "
        "Use AWS CodeDeploy to trigger a new deployment."
    )


def external_message(noun: str) -> str:
    return (
        f"Unable to update {noun} on services with an EXTERNAL deployment controller. "
        "Create a new task set instead."
    )


# --- CODE_DEPLOY controller ----------------------------------------------------------------

NEW_TD = "<new task definition>"
SAME_TD = "<same task definition>"
CODE_DEPLOY_REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"taskDefinition": NEW_TD}, cd_message("task definition")),
    ({"taskDefinition": SAME_TD}, cd_message("task definition")),
    ({"taskDefinition": NEW_TD, "desiredCount": 5}, cd_message("task definition")),
    ({"networkConfiguration": NET}, cd_message("network parameters")),
    ({"loadBalancers": BG_DEF["loadBalancers"]}, cd_message("load balancers")),  # unchanged
    ({"platformVersion": "1.4.0"}, cd_message("platform version")),
    ({"serviceRegistries": []}, cd_message("service registries")),
    (
        {"serviceConnectConfiguration": {"enabled": False}},
        cd_message("Service Connect configuration"),
    ),
    ({"availabilityZoneRebalancing": "ENABLED"}, cd_message("Availability Zone rebalancing")),
    ({"capacityProviderStrategy": SPOT}, CPS_NEEDS_FORCE),
    (
        {"capacityProviderStrategy": SPOT, "forceNewDeployment": True},
        "Cannot force a new deployment on services with a CODE_DEPLOY deployment controller. "
        "Use AWS CodeDeploy to trigger a new deployment.",
    ),
    (
        {"forceNewDeployment": True, "networkConfiguration": NET},
        cd_message("network parameters"),  # the field before the force (tf-provider-aws#13473)
    ),
    (
        {"forceNewDeployment": True},
        "Cannot force a new deployment on services with a CODE_DEPLOY deployment controller. "
        "Use AWS CodeDeploy to trigger a new deployment.",
    ),
]


def test_code_deploy_refusals(sandbox: Sandbox) -> None:
    client, td1 = code_deploy_service(sandbox)
    td2 = register(client, "bg-service", "1.28")
    for params, message in CODE_DEPLOY_REFUSED:
        given = dict(params)
        if given.get("taskDefinition") in (NEW_TD, SAME_TD):
            given["taskDefinition"] = td2 if given["taskDefinition"] == NEW_TD else td1
        assert_refused_unchanged(client, "bg-service", given, message)


CODE_DEPLOY_ACCEPTED: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"desiredCount": 4}, {"desiredCount": 4}),
    ({"healthCheckGracePeriodSeconds": 30}, {"healthCheckGracePeriodSeconds": 30}),
    (
        {"placementConstraints": [{"type": "distinctInstance"}]},
        {"placementConstraints": [{"type": "distinctInstance"}]},
    ),
    (
        {"placementStrategy": [{"type": "spread", "field": "instanceId"}]},
        {"placementStrategy": [{"type": "spread", "field": "instanceId"}]},
    ),
    ({"enableECSManagedTags": True}, {"enableECSManagedTags": True}),
    ({"propagateTags": "SERVICE"}, {"propagateTags": "SERVICE"}),
    ({"enableExecuteCommand": True}, {"enableExecuteCommand": True}),  # aws/aws-cli#7548
    (
        {"deploymentConfiguration": {"maximumPercent": 150, "minimumHealthyPercent": 50}},
        {"deploymentConfiguration": {"maximumPercent": 150, "minimumHealthyPercent": 50}},
    ),
    ({"capacityProviderStrategy": []}, {}),  # the same (none): not a change
    (
        {"deploymentController": {"type": "CODE_DEPLOY"}},
        {"deploymentController": {"type": "CODE_DEPLOY"}},
    ),
]


def test_code_deploy_accepts_what_aws_lists(sandbox: Sandbox) -> None:
    client, td1 = code_deploy_service(sandbox)
    for params, shown in CODE_DEPLOY_ACCEPTED:
        client.update_service(cluster=CLUSTER, service="bg-service", **params)
        svc = describe(client, "bg-service")
        for key, value in shown.items():
            got = svc[key]
            if isinstance(value, dict):
                got = {k: got[k] for k in value}
            assert got == value, params
        assert svc["taskDefinition"] == td1 and svc["deploymentController"]["type"] == "CODE_DEPLOY"
        assert svc["launchType"] == "FARGATE" and "capacityProviderStrategy" not in svc


# --- EXTERNAL controller -------------------------------------------------------------------


def external_service(sandbox: Sandbox) -> Any:
    client = ecs()
    sandbox.pause()
    client.create_cluster(clusterName=CLUSTER, capacityProviders=["FARGATE", "FARGATE_SPOT"])
    client.create_service(
        cluster=CLUSTER,
        serviceName="ext",
        desiredCount=2,
        deploymentController={"type": "EXTERNAL"},
    )
    return client


EXTERNAL_REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"taskDefinition": NEW_TD}, external_message("task definition")),
    ({"networkConfiguration": NET}, external_message("network parameters")),
    ({"loadBalancers": []}, external_message("load balancers")),
    ({"platformVersion": "1.4.0"}, external_message("platform version")),
    ({"capacityProviderStrategy": SPOT}, external_message("capacity provider strategy")),
    ({"serviceRegistries": []}, external_message("service registries")),
    (
        {"deploymentConfiguration": {"maximumPercent": 150}},
        external_message("deployment configuration"),
    ),
    ({"enableExecuteCommand": True}, external_message("execute command configuration")),
    (
        {"forceNewDeployment": True},
        "Cannot force a new deployment on services with an EXTERNAL deployment controller. "
        "Create a new task set instead.",
    ),
    (
        {"deploymentController": {"type": "CODE_DEPLOY"}},
        service_rules.SWITCH_NOT_SUPPORTED.format(old="EXTERNAL", new="CODE_DEPLOY"),
    ),
]


def test_external_refusals_and_accepted_fields(sandbox: Sandbox) -> None:
    client = external_service(sandbox)
    td = register(client, "ext")
    for params, message in EXTERNAL_REFUSED:
        given = {**params, "taskDefinition": td} if "taskDefinition" in params else params
        assert_refused_unchanged(client, "ext", given, message)
    accepted = {
        "desiredCount": 3,
        "healthCheckGracePeriodSeconds": 10,
        "placementConstraints": [{"type": "distinctInstance"}],
        "placementStrategy": [{"type": "binpack", "field": "memory"}],
        "enableECSManagedTags": True,
        "propagateTags": "TASK_DEFINITION",
    }
    client.update_service(cluster=CLUSTER, service="ext", **accepted)
    svc = describe(client, "ext")
    assert {k: svc[k] for k in accepted} == accepted


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"taskDefinition": "<td>"}, EXTERNAL_TASK_DEFINITION),
        (
            {"loadBalancers": BG_DEF["loadBalancers"]},
            EXTERNAL_LOAD_BALANCERS,
        ),
    ],
)
def test_external_create_refusals(sandbox: Sandbox, extra: dict[str, Any], message: str) -> None:
    client = ecs()
    client.create_cluster(clusterName=CLUSTER)
    if extra.get("taskDefinition"):
        extra = {**extra, "taskDefinition": register(client, "ext")}
    got = refused(
        client.create_service,
        cluster=CLUSTER,
        serviceName="ext",
        deploymentController={"type": "EXTERNAL"},
        **extra,
    )
    assert got == (INVALID, message)
    assert client.list_services(cluster=CLUSTER)["serviceArns"] == []


# --- DAEMON scheduling strategy ------------------------------------------------------------

DAEMON_REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"desiredCount": 1}, DAEMON_DESIRED_COUNT),
    ({"desiredCount": 0}, DAEMON_DESIRED_COUNT),
    (
        {"placementStrategy": [{"type": "spread", "field": "instanceId"}]},
        DAEMON_PLACEMENT_STRATEGY,
    ),
    ({"placementStrategy": []}, DAEMON_PLACEMENT_STRATEGY),
    ({"deploymentConfiguration": {"maximumPercent": 200}}, DAEMON_MAXIMUM_PERCENT),
]


def test_daemon_refusals_on_create_and_update(sandbox: Sandbox) -> None:
    client = ecs()
    sandbox.pause()
    client.create_cluster(clusterName=CLUSTER)
    td = register(client, "agent")
    base = {
        "cluster": CLUSTER,
        "serviceName": "agent",
        "taskDefinition": td,
        "launchType": "EC2",
        "schedulingStrategy": "DAEMON",
        "networkConfiguration": NET,
    }
    for params, message in DAEMON_REFUSED:
        assert refused(client.create_service, **base, **params) == (INVALID, message), params
    assert client.list_services(cluster=CLUSTER)["serviceArns"] == []

    client.create_service(**base)
    svc = describe(client, "agent")
    conf = svc["deploymentConfiguration"]
    assert (conf["maximumPercent"], conf["minimumHealthyPercent"]) == (100, 0)  # DAEMON defaults
    for params, message in DAEMON_REFUSED:
        assert_refused_unchanged(client, "agent", params, message)
    constraints = [{"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}]
    client.update_service(cluster=CLUSTER, service="agent", placementConstraints=constraints)
    assert describe(client, "agent")["placementConstraints"] == constraints


# --- capacity provider strategy ------------------------------------------------------------


def test_create_with_launch_type_and_strategy_is_refused(sandbox: Sandbox) -> None:
    client = ecs()
    client.create_cluster(clusterName=CLUSTER, capacityProviders=["FARGATE", "FARGATE_SPOT"])
    got = refused(
        client.create_service,
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition=register(client),
        desiredCount=1,
        launchType="FARGATE",
        capacityProviderStrategy=SPOT,
        networkConfiguration=NET,
    )
    assert got == (INVALID, LAUNCH_TYPE_AND_CPS)
    assert client.list_services(cluster=CLUSTER)["serviceArns"] == []


def test_create_with_a_strategy_reports_no_launch_type(sandbox: Sandbox) -> None:
    client, _ = ecs_service(sandbox, capacityProviderStrategy=[{"capacityProvider": "FARGATE"}])
    svc = describe(client)
    want = [{"capacityProvider": "FARGATE", "weight": 0, "base": 0}]  # as ECS reports defaults
    assert svc["capacityProviderStrategy"] == want and "launchType" not in svc
    (dep,) = svc["deployments"]
    assert dep["capacityProviderStrategy"] == want and "launchType" not in dep


def test_create_without_either_uses_the_cluster_default_strategy(sandbox: Sandbox) -> None:
    client = ecs()
    client.create_cluster(
        clusterName=CLUSTER,
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=SPOT,
    )
    client.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition=register(client),
        desiredCount=1,
        networkConfiguration=NET,
    )
    svc = describe(client)
    assert svc["capacityProviderStrategy"] == SPOT and "launchType" not in svc


CPS_WITHOUT_FORCE: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = [
    ("launch type -> strategy", {}, SPOT),
    ("strategy A -> B", {"capacityProviderStrategy": SPOT}, ON_DEMAND),
    ("strategy -> [] (back to the launch type)", {"capacityProviderStrategy": SPOT}, []),
]


@pytest.mark.parametrize(
    ("case", "created", "wanted"), CPS_WITHOUT_FORCE, ids=[c[0] for c in CPS_WITHOUT_FORCE]
)
def test_strategy_change_without_force_is_refused(
    sandbox: Sandbox, case: str, created: dict[str, Any], wanted: list[dict[str, Any]]
) -> None:
    client, _ = ecs_service(sandbox, **created)
    params = {"capacityProviderStrategy": wanted, "desiredCount": 3}
    assert_refused_unchanged(client, "web", params, CPS_NEEDS_FORCE)


def test_the_same_strategy_again_is_not_a_change(sandbox: Sandbox) -> None:
    client, _ = ecs_service(sandbox, capacityProviderStrategy=SPOT)
    dep = describe(client)["deployments"][0]["id"]
    client.update_service(cluster=CLUSTER, service="web", capacityProviderStrategy=SPOT)
    assert [d["id"] for d in describe(client)["deployments"]] == [dep]
    client.create_service(
        cluster=CLUSTER,
        serviceName="lt",
        taskDefinition=register(client, "lt"),
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=NET,
    )
    client.update_service(cluster=CLUSTER, service="lt", capacityProviderStrategy=[])
    assert describe(client, "lt")["launchType"] == "FARGATE"


def test_strategy_with_force_and_back_to_the_launch_type(sandbox: Sandbox) -> None:
    client, td = ecs_service(sandbox)
    client.update_service(
        cluster=CLUSTER, service="web", capacityProviderStrategy=SPOT, forceNewDeployment=True
    )
    svc = describe(client)
    assert svc["capacityProviderStrategy"] == SPOT and "launchType" not in svc
    primary = svc["deployments"][0]
    assert primary["rolloutState"] == "IN_PROGRESS" and primary["capacityProviderStrategy"] == SPOT
    assert "launchType" not in primary and len(svc["deployments"]) == 2
    settle(sandbox, lambda: rolled(client))

    client.update_service(
        cluster=CLUSTER, service="web", capacityProviderStrategy=[], forceNewDeployment=True
    )
    svc = describe(client)
    assert svc["launchType"] == "FARGATE" and not svc.get("capacityProviderStrategy")
    assert svc["deployments"][0]["launchType"] == "FARGATE"
    assert "capacityProviderStrategy" not in svc["deployments"][0]
    settle(sandbox, lambda: rolled(client))
    assert describe(client)["taskDefinition"] == td


def test_created_on_a_strategy_has_no_launch_type_to_return_to(sandbox: Sandbox) -> None:
    client, _ = ecs_service(sandbox, capacityProviderStrategy=SPOT)
    params = {"capacityProviderStrategy": [], "forceNewDeployment": True}
    assert_refused_unchanged(client, "web", params, service_rules.NO_LAUNCH_TYPE_TO_RETURN_TO)


# --- deploymentController switches ---------------------------------------------------------


def _switch_message(new: str, feature: str) -> str:
    return service_rules.SWITCH_FROM_ECS_WITH.format(new=new, feature=feature)


CIRCUIT_BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
ALARMS = {"alarms": {"alarmNames": ["web-5xx"], "enable": True, "rollback": True}}
LATTICE = [
    {
        "roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRole",
        "targetGroupArn": "arn:aws:vpc-lattice:ap-northeast-1:123456789012:targetgroup/tg-1",
        "portName": "http",
    }
]
LEAVING_ECS_REFUSED: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "to CODE_DEPLOY",
        {},
        "CODE_DEPLOY",
        service_rules.SWITCH_NOT_SUPPORTED.format(old="ECS", new="CODE_DEPLOY"),
    ),
    (
        "with Service Connect",
        {"serviceConnectConfiguration": {"enabled": True, "namespace": "ns"}},
        "EXTERNAL",
        _switch_message("EXTERNAL", "Service Connect"),
    ),
    (
        "with VPC Lattice",
        {"vpcLatticeConfigurations": LATTICE},
        "EXTERNAL",
        _switch_message("EXTERNAL", "VPC Lattice"),
    ),
    (
        "with alarms",
        {"deploymentConfiguration": ALARMS},
        "EXTERNAL",
        _switch_message("EXTERNAL", "deployment alarms"),
    ),
    (
        "with a circuit breaker",
        {"deploymentConfiguration": CIRCUIT_BREAKER},
        "EXTERNAL",
        _switch_message("EXTERNAL", "a deployment circuit breaker"),
    ),
    (
        "with BLUE_GREEN",
        {"deploymentConfiguration": {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 1}},
        "EXTERNAL",
        _switch_message("EXTERNAL", "the BLUE_GREEN deployment strategy"),
    ),
    (
        "with CANARY",
        {"deploymentConfiguration": {"strategy": "CANARY"}},
        "EXTERNAL",
        _switch_message("EXTERNAL", "the CANARY deployment strategy"),
    ),
    (
        "an unknown controller",
        {},
        "ROLLING",
        "Invalid deployment controller type 'ROLLING': expected one of ECS, CODE_DEPLOY, EXTERNAL.",
    ),
]


@pytest.mark.parametrize(
    ("case", "created", "target", "message"),
    LEAVING_ECS_REFUSED,
    ids=[c[0] for c in LEAVING_ECS_REFUSED],
)
def test_leaving_ecs_refused(
    sandbox: Sandbox, case: str, created: dict[str, Any], target: str, message: str
) -> None:
    client, _ = ecs_service(sandbox, **created)
    params = {"deploymentController": {"type": target}}
    assert_refused_unchanged(client, "web", params, message)


def test_switch_refused_during_an_ecs_rollout(sandbox: Sandbox) -> None:
    client, _ = ecs_service(sandbox)
    client.update_service(
        cluster=CLUSTER, service="web", taskDefinition=register(client, "web", "1.28")
    )
    assert describe(client)["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    params = {"deploymentController": {"type": "EXTERNAL"}}
    assert_refused_unchanged(client, "web", params, service_rules.SWITCH_DURING_DEPLOYMENT)


def test_code_deploy_switch_before_its_task_set_is_stable_is_refused(sandbox: Sandbox) -> None:
    sandbox.prepare([str(EXAMPLES / "blue-green" / "ecspresso.yml")])
    client = ecs()
    sandbox.pause()
    td = register(client, "bg-service")
    client.create_service(cluster=CLUSTER, serviceName="bg-service", taskDefinition=td, **BG_DEF)
    sandbox.step()  # tasks starting: the PRIMARY task set is STABILIZING
    assert describe(client, "bg-service")["taskSets"][0]["stabilityStatus"] == "STABILIZING"
    params = {"deploymentController": {"type": "ECS"}}
    assert_refused_unchanged(client, "bg-service", params, service_rules.SWITCH_DURING_DEPLOYMENT)


def test_code_deploy_switch_during_deployment_is_refused(sandbox: Sandbox) -> None:
    client, _ = code_deploy_service(sandbox)
    td2 = register(client, "bg-service", "1.28")
    content = json.dumps(
        {
            "version": 0.0,
            "Resources": [
                {
                    "TargetService": {
                        "Type": "AWS::ECS::Service",
                        "Properties": {"TaskDefinition": td2},
                    }
                }
            ],
        }
    )
    cd = boto3.client("codedeploy", config=NO_RETRY)
    dep_id = cd.create_deployment(
        applicationName="myapp",
        deploymentGroupName="myapp-group",
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
    )["deploymentId"]
    # the active CodeDeploy deployment is enough (its task set is still the only, stable one)
    params = {"deploymentController": {"type": "ECS"}, "desiredCount": 1}
    assert_refused_unchanged(client, "bg-service", params, service_rules.SWITCH_DURING_DEPLOYMENT)
    # Install: a replacement task set, two task sets now
    settle(sandbox, lambda: len(describe(client, "bg-service")["taskSets"]) == 2)
    params = {"deploymentController": {"type": "EXTERNAL"}}
    assert_refused_unchanged(client, "bg-service", params, service_rules.SWITCH_DURING_DEPLOYMENT)

    def succeeded() -> bool:
        info = cd.get_deployment(deploymentId=dep_id)["deploymentInfo"]
        return info["status"] == "Succeeded" and stable_task_set(client)

    settle(sandbox, succeeded)
    client.update_service(
        cluster=CLUSTER, service="bg-service", deploymentController={"type": "ECS"}
    )
    (dep,) = describe(client, "bg-service")["deployments"]  # the replacement, adopted
    assert (dep["taskDefinition"], dep["rolloutState"], dep["runningCount"]) == (
        td2,
        "COMPLETED",
        3,
    )


def test_code_deploy_to_ecs_keeps_tasks_then_rolls_a_new_task_definition(
    sandbox: Sandbox,
) -> None:
    client, td1 = code_deploy_service(sandbox)
    (task_set,) = describe(client, "bg-service")["taskSets"]
    tasks = sorted(client.list_tasks(cluster=CLUSTER, serviceName="bg-service")["taskArns"])
    assert len(tasks) == 3

    client.update_service(
        cluster=CLUSTER, service="bg-service", deploymentController={"type": "ECS"}
    )
    svc = describe(client, "bg-service")
    assert svc["deploymentController"] == {"type": "ECS"} and svc["taskSets"] == []
    (dep,) = svc["deployments"]
    assert dep["id"] == task_set["id"] and dep["status"] == "PRIMARY"
    assert dep["rolloutState"] == "COMPLETED" and dep["taskDefinition"] == td1
    assert (dep["runningCount"], dep["desiredCount"], dep["launchType"]) == (3, 3, "FARGATE")
    assert dep["networkConfiguration"] == BG_DEF["networkConfiguration"]
    sandbox.step(2)
    assert sorted(client.list_tasks(cluster=CLUSTER, serviceName="bg-service")["taskArns"]) == tasks
    assert describe(client, "bg-service")["runningCount"] == 3

    td2 = register(client, "bg-service", "1.28")
    client.update_service(cluster=CLUSTER, service="bg-service", taskDefinition=td2)
    deps = describe(client, "bg-service")["deployments"]
    assert [(d["status"], d["taskDefinition"]) for d in deps] == [("PRIMARY", td2), ("ACTIVE", td1)]
    settle(sandbox, lambda: rolled(client, "bg-service"))
    svc = describe(client, "bg-service")
    assert svc["taskDefinition"] == td2 and svc["deployments"][0]["taskDefinition"] == td2
    running = client.list_tasks(cluster=CLUSTER, serviceName="bg-service")["taskArns"]
    described = client.describe_tasks(cluster=CLUSTER, tasks=running)["tasks"]
    assert {t["taskDefinitionArn"] for t in described} == {td2} and len(described) == 3


def test_code_deploy_to_ecs_with_a_new_task_definition_in_the_same_call(sandbox: Sandbox) -> None:
    client, td1 = code_deploy_service(sandbox)
    td2 = register(client, "bg-service", "1.28")
    client.update_service(
        cluster=CLUSTER,
        service="bg-service",
        deploymentController={"type": "ECS"},
        taskDefinition=td2,
        loadBalancers=BG_DEF["loadBalancers"],  # allowed now: the controller is ECS
    )
    deps = describe(client, "bg-service")["deployments"]
    assert [(d["status"], d["rolloutState"], d["taskDefinition"]) for d in deps] == [
        ("PRIMARY", "IN_PROGRESS", td2),
        ("ACTIVE", "COMPLETED", td1),
    ]
    settle(sandbox, lambda: rolled(client, "bg-service"))
    svc = describe(client, "bg-service")
    assert svc["taskDefinition"] == td2 and svc["runningCount"] == 3


def test_code_deploy_to_external_keeps_the_task_set(sandbox: Sandbox) -> None:
    client, _ = code_deploy_service(sandbox)
    before = describe(client, "bg-service")["taskSets"]
    client.update_service(
        cluster=CLUSTER, service="bg-service", deploymentController={"type": "EXTERNAL"}
    )
    svc = describe(client, "bg-service")
    assert svc["deploymentController"] == {"type": "EXTERNAL"}
    assert [t["id"] for t in svc["taskSets"]] == [t["id"] for t in before]
    assert svc["deployments"] == [] and svc["runningCount"] == 3


def test_ecs_to_external_and_back(sandbox: Sandbox) -> None:
    client, td1 = ecs_service(sandbox)
    deps = describe(client)["deployments"]
    client.update_service(cluster=CLUSTER, service="web", deploymentController={"type": "EXTERNAL"})
    svc = describe(client)
    # "the UpdateService and DescribeService API responses will still return deployments"
    assert svc["deploymentController"] == {"type": "EXTERNAL"} and svc["deployments"] == deps
    assert_refused_unchanged(
        client, "web", {"taskDefinition": td1}, external_message("task definition")
    )
    client.update_service(cluster=CLUSTER, service="web", deploymentController={"type": "ECS"})
    assert describe(client)["deploymentController"] == {"type": "ECS"}
    td2 = register(client, "web", "1.28")
    client.update_service(cluster=CLUSTER, service="web", taskDefinition=td2)
    settle(sandbox, lambda: rolled(client))
    assert describe(client)["taskDefinition"] == td2


# --- fields stored as ECS reports them -----------------------------------------------------


def test_grace_period_without_a_load_balancer_is_accepted(sandbox: Sandbox) -> None:
    """Once refused ("Health check grace period is only valid for services configured to use
    load balancers", terraform-provider-aws#31104, 2023); the current API reference says it
    also covers container health checks and VPC Lattice, so the sandbox accepts it."""
    client, _ = ecs_service(sandbox)
    client.update_service(cluster=CLUSTER, service="web", healthCheckGracePeriodSeconds=45)
    assert describe(client)["healthCheckGracePeriodSeconds"] == 45


def test_deployment_settings_are_reported_on_the_primary_deployment(sandbox: Sandbox) -> None:
    client, _ = ecs_service(sandbox)
    sc = {"enabled": True, "namespace": "ns"}
    client.update_service(
        cluster=CLUSTER,
        service="web",
        serviceConnectConfiguration=sc,
        vpcLatticeConfigurations=LATTICE,
    )
    svc = describe(client)
    assert "serviceConnectConfiguration" not in svc and "vpcLatticeConfigurations" not in svc
    primary = svc["deployments"][0]
    assert primary["serviceConnectConfiguration"] == sc
    assert primary["vpcLatticeConfigurations"] == LATTICE
