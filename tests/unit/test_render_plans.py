"""Hand-built, realistic plans for the renderer tests (imported by the test_render_* modules).

The planner builds these for real; here they are spelled out so the renderers can be tested on
their own: an image change, a new service, a count-only change, no change, CODE_DEPLOY, auto
scaling, a workspace, and a 200-service plan for the Markdown split.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from planner.plan.codec import plan_from_data, plan_to_data
from planner.plan.model import (
    Action,
    Change,
    Document,
    Fingerprint,
    Identity,
    Plan,
    PlanOptions,
    ServicePlan,
    Step,
    StepKind,
    Summary,
)

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots" / "render"
ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
SECURE_STRING = "s3cr3t-from-ssm-SecureString"
DB_PASSWORD = "hunter2-db-password"


def check_snapshot(name: str, actual: str) -> None:
    """Compare with tests/snapshots/render/<name>; UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"snapshot {path} missing: run with UPDATE_SNAPSHOTS=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from snapshot {path} (UPDATE_SNAPSHOTS=1 to accept)"


def td_arn(family: str, rev: int) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{rev}"


def task_def(
    family: str,
    image: str,
    *,
    cpu: str = "256",
    memory: str = "512",
    env: dict[str, str] | None = None,
    secrets: dict[str, str] | None = None,
) -> dict[str, Any]:
    environment = [{"name": k, "value": v} for k, v in sorted((env or {}).items())]
    return {
        "containerDefinitions": [
            {
                "cpu": 0,
                "environment": environment,
                "essential": True,
                "image": image,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": f"/ecs/{family}",
                        "awslogs-region": REGION,
                        "awslogs-stream-prefix": "app",
                    },
                },
                "mountPoints": [],
                "name": "app",
                "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                "secrets": [
                    {"name": k, "valueFrom": v} for k, v in sorted((secrets or {}).items())
                ],
                "volumesFrom": [],
            }
        ],
        "cpu": cpu,
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
        "family": family,
        "memory": memory,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/{family}-task",
        "volumes": [],
    }


def service_def(
    family: str, rev: int, desired: int, *, controller: str = "ECS", tg: str = "blue"
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "desiredCount": desired,
        "enableECSManagedTags": False,
        "enableExecuteCommand": True,
        "healthCheckGracePeriodSeconds": 30,
        "loadBalancers": [
            {
                "containerName": "app",
                "containerPort": 80,
                "targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{family}-{tg}/0123456789abcdef",
            }
        ],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "assignPublicIp": "DISABLED",
                "securityGroups": ["sg-0123456789abcdef0"],
                "subnets": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
            }
        },
        "platformVersion": "LATEST",
        "propagateTags": "SERVICE",
        "tags": [{"key": "team", "value": "web"}],
        "taskDefinition": td_arn(family, rev),
    }
    if controller == "CODE_DEPLOY":
        doc["deploymentController"] = {"type": "CODE_DEPLOY"}
    return doc


def _register(sid: str, family: str, before: Any, after: Any, changes: tuple[Change, ...]) -> Step:
    return Step(
        id=sid,
        kind=StepKind.REGISTER_TASK_DEFINITION,
        action=Action.CREATE,
        description=f"register task definition {family} (new revision)",
        payload=after,
        before=before,
        after=after,
        changes=changes,
        undo={"deregister": "<registered arn>"},
    )


def _wait(sid: str, cluster: str, service: str) -> Step:
    return Step(
        id=sid,
        kind=StepKind.WAIT_ROLLOUT,
        action=Action.READ,
        description=f"wait for the rollout of {cluster}/{service} (until deployed)",
        payload={"cluster": cluster, "service": service, "until": "deployed"},
    )


def image_change_service(
    family: str = "myservice",
    cluster: str = "my-cluster",
    *,
    image_before: str = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/myservice:v1.2.3",
    image_after: str = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/myservice:v1.2.4",
    rev: int = 42,
    env: dict[str, str] | None = None,
    env_before: dict[str, str] | None = None,
) -> ServicePlan:
    env = env if env is not None else {"APP_ENV": "production", "LOG_LEVEL": "info"}
    env_before = env_before if env_before is not None else env
    td_before = task_def(family, image_before, env=env_before)
    td_after = task_def(family, image_after, env=env)
    svc_before = service_def(family, rev, 2)
    svc_after = service_def(family, rev + 1, 2)
    img = Change("containerDefinitions[app].image", "changed", image_before, image_after)
    tdc = Change("taskDefinition", "changed", td_arn(family, rev), td_arn(family, rev + 1))
    return ServicePlan(
        key=family,
        config_path=f"services/{family}/ecspresso.yml",
        region=REGION,
        cluster=cluster,
        service=family,
        controller="ECS",
        action=Action.UPDATE,
        fingerprint=Fingerprint(
            status="ACTIVE",
            task_definition=td_arn(family, rev),
            desired_count=2,
            deployment_ids=("ecs-svc/1234567890123456789",),
            latest_revision=td_arn(family, rev),
        ),
        steps=(
            _register(f"{family}/register", family, td_before, td_after, (img,)),
            Step(
                id=f"{family}/update",
                kind=StepKind.UPDATE_SERVICE,
                action=Action.UPDATE,
                description=f"update service {cluster}/{family} (taskDefinition)",
                payload={
                    "cluster": cluster,
                    "service": family,
                    "taskDefinition": "(from register)",
                },
                inputs={"taskDefinition": f"{family}/register"},
                before={"taskDefinition": td_arn(family, rev)},
                after={"taskDefinition": td_arn(family, rev + 1)},
                changes=(tdc,),
                undo={"taskDefinition": td_arn(family, rev)},
            ),
            _wait(f"{family}/wait", cluster, family),
        ),
        documents=(
            Document("task definition", td_before, td_after, (img,)),
            Document("service", svc_before, svc_after, (tdc,)),
        ),
        summary=Summary(
            images_before=(image_before,),
            images_after=(image_after,),
            cpu_memory_before="256/512",
            cpu_memory_after="256/512",
            desired_before=2,
            desired_after=2,
            deployment="rolling",
        ),
    )


def new_service(family: str = "newservice", cluster: str = "my-cluster") -> ServicePlan:
    image = "nginx:1.27"
    td_after = task_def(family, image)
    svc_after = service_def(family, 1, 0)
    return ServicePlan(
        key=family,
        config_path=f"services/{family}/ecspresso.yml",
        region=REGION,
        cluster=cluster,
        service=family,
        controller="ECS",
        action=Action.CREATE,
        fingerprint=Fingerprint(status="MISSING"),
        steps=(
            _register(f"{family}/register", family, None, td_after, ()),
            Step(
                id=f"{family}/create",
                kind=StepKind.CREATE_SERVICE,
                action=Action.CREATE,
                description=f"create service {cluster}/{family} (desiredCount 0)",
                payload={"cluster": cluster, "serviceName": family, **svc_after},
                inputs={"taskDefinition": f"{family}/register"},
                after=svc_after,
                undo={"delete_service": {"cluster": cluster, "service": family, "force": True}},
            ),
            _wait(f"{family}/wait", cluster, family),
        ),
        documents=(
            Document("task definition", None, td_after),
            Document("service", None, svc_after),
        ),
        summary=Summary(
            images_after=(image,),
            cpu_memory_after="256/512",
            desired_after=0,
        ),
    )


def count_only_service(family: str = "worker", cluster: str = "my-cluster") -> ServicePlan:
    td = task_def(family, "worker:2.0.0")
    before = service_def(family, 7, 2)
    after = service_def(family, 7, 5)
    ch = Change("desiredCount", "changed", 2, 5)
    return ServicePlan(
        key=family,
        config_path=f"services/{family}/ecspresso.yml",
        region=REGION,
        cluster=cluster,
        service=family,
        controller="ECS",
        action=Action.UPDATE,
        fingerprint=Fingerprint(
            status="ACTIVE", task_definition=td_arn(family, 7), desired_count=2
        ),
        steps=(
            Step(
                id=f"{family}/update",
                kind=StepKind.UPDATE_SERVICE,
                action=Action.UPDATE,
                description=f"update service {cluster}/{family} (desiredCount 2 -> 5)",
                payload={"cluster": cluster, "service": family, "desiredCount": 5},
                before={"desiredCount": 2},
                after={"desiredCount": 5},
                changes=(ch,),
                undo={"desiredCount": 2},
            ),
            _wait(f"{family}/wait", cluster, family),
        ),
        documents=(Document("task definition", td, td), Document("service", before, after, (ch,))),
        summary=Summary(
            images_before=("worker:2.0.0",),
            images_after=("worker:2.0.0",),
            cpu_memory_before="256/512",
            cpu_memory_after="256/512",
            desired_before=2,
            desired_after=5,
        ),
    )


def unchanged_service(family: str = "stable", cluster: str = "my-cluster") -> ServicePlan:
    td = task_def(family, "stable:1.0.0")
    svc = service_def(family, 3, 1)
    return ServicePlan(
        key=family,
        config_path=f"services/{family}/ecspresso.yml",
        region=REGION,
        cluster=cluster,
        service=family,
        controller="ECS",
        action=Action.NOOP,
        fingerprint=Fingerprint(
            status="ACTIVE", task_definition=td_arn(family, 3), desired_count=1
        ),
        documents=(Document("task definition", td, td), Document("service", svc, svc)),
        summary=Summary(
            images_before=("stable:1.0.0",),
            images_after=("stable:1.0.0",),
            cpu_memory_before="256/512",
            cpu_memory_after="256/512",
            desired_before=1,
            desired_after=1,
        ),
    )


def codedeploy_service(family: str = "bluegreen", cluster: str = "my-cluster") -> ServicePlan:
    before_img, after_img = "bluegreen:1.0.0", "bluegreen:1.1.0"
    td_before = task_def(family, before_img)
    td_after = task_def(family, after_img)
    svc_before = service_def(family, 10, 2, controller="CODE_DEPLOY")
    svc_after = service_def(family, 11, 2, controller="CODE_DEPLOY")
    img = Change("containerDefinitions[app].image", "changed", before_img, after_img)
    appspec = {
        "version": 0.0,
        "Resources": [
            {
                "TargetService": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "TaskDefinition": "(from register)",
                        "LoadBalancerInfo": {"ContainerName": "app", "ContainerPort": 80},
                        "PlatformVersion": "LATEST",
                    },
                }
            }
        ],
        "Hooks": [
            {"AfterAllowTestTraffic": "arn:aws:lambda:ap-northeast-1:123456789012:function:check"}
        ],
    }
    return ServicePlan(
        key=family,
        config_path=f"services/{family}/ecspresso.yml",
        region=REGION,
        cluster=cluster,
        service=family,
        controller="CODE_DEPLOY",
        action=Action.UPDATE,
        fingerprint=Fingerprint(
            status="ACTIVE", task_definition=td_arn(family, 10), desired_count=2
        ),
        steps=(
            _register(f"{family}/register", family, td_before, td_after, (img,)),
            Step(
                id=f"{family}/deploy",
                kind=StepKind.CREATE_CODEDEPLOY_DEPLOYMENT,
                action=Action.CREATE,
                description=f"create CodeDeploy deployment of {cluster}/{family} "
                "(AppECS-my-cluster-bluegreen / DgpECS-my-cluster-bluegreen)",
                payload={
                    "applicationName": "AppECS-my-cluster-bluegreen",
                    "deploymentGroupName": "DgpECS-my-cluster-bluegreen",
                    "revision": {
                        "revisionType": "AppSpecContent",
                        "appSpecContent": {"content": json.dumps(appspec)},
                    },
                    "autoRollbackConfiguration": {
                        "enabled": True,
                        "events": ["DEPLOYMENT_FAILURE"],
                    },
                },
                inputs={"revision.appSpecContent.content.TaskDefinition": f"{family}/register"},
            ),
            _wait(f"{family}/wait", cluster, family),
        ),
        documents=(
            Document("task definition", td_before, td_after, (img,)),
            Document(
                "service",
                svc_before,
                svc_after,
                (Change("taskDefinition", "changed", td_arn(family, 10), td_arn(family, 11)),),
            ),
        ),
        summary=Summary(
            images_before=(before_img,),
            images_after=(after_img,),
            cpu_memory_before="256/512",
            cpu_memory_after="256/512",
            desired_before=2,
            desired_after=2,
            deployment="codedeploy",
        ),
    )


def scaling_service() -> ServicePlan:
    base = image_change_service("api", image_before="api:3.0.0", image_after="api:3.1.0")
    rid = "service/my-cluster/api"
    suspended = {
        "DynamicScalingInSuspended": True,
        "DynamicScalingOutSuspended": True,
        "ScheduledScalingSuspended": True,
    }
    resumed = dict.fromkeys(suspended, False)
    suspend = Step(
        id="api/suspend",
        kind=StepKind.SUSPEND_AUTO_SCALING,
        action=Action.UPDATE,
        description=f"suspend auto scaling of {rid}",
        payload={"ResourceId": rid, "SuspendedState": suspended},
        before=resumed,
        after=suspended,
        changes=tuple(Change(k, "changed", False, True) for k in sorted(suspended)),
        undo={"SuspendedState": resumed},
    )
    capacity = Step(
        id="api/capacity",
        kind=StepKind.SET_SCALING_CAPACITY,
        action=Action.UPDATE,
        description=f"set auto scaling capacity of {rid} (min 2 -> 4, max 10 -> 20)",
        payload={"ResourceId": rid, "MinCapacity": 4, "MaxCapacity": 20},
        before={"MinCapacity": 2, "MaxCapacity": 10},
        after={"MinCapacity": 4, "MaxCapacity": 20},
        changes=(Change("MinCapacity", "changed", 2, 4), Change("MaxCapacity", "changed", 10, 20)),
        undo={"MinCapacity": 2, "MaxCapacity": 10},
    )
    resume = Step(
        id="api/resume",
        kind=StepKind.RESUME_AUTO_SCALING,
        action=Action.UPDATE,
        description=f"resume auto scaling of {rid}",
        payload={"ResourceId": rid, "SuspendedState": resumed},
        before=suspended,
        after=resumed,
        changes=tuple(Change(k, "changed", True, False) for k in sorted(suspended)),
    )
    steps = (suspend, capacity, *base.steps, resume)
    return ServicePlan(
        **{
            **{f: getattr(base, f) for f in base.__dataclass_fields__},
            "steps": steps,
            "fingerprint": Fingerprint(
                status="ACTIVE",
                task_definition=td_arn("api", 42),
                desired_count=2,
                scaling_suspended={"DynamicScalingInSuspended": False},
                scaling_min_max=(2, 10),
            ),
            "warnings": ("desiredCount is managed by auto scaling; it is left unchanged",),
        }
    )


def plan_of(*services: ServicePlan, options: PlanOptions | None = None) -> Plan:
    return Plan(
        services=tuple(services),
        options=options or PlanOptions(),
        tool_version="0.1.0",
        created_at="2025-01-02T03:04:05Z",
        inputs_digest="sha256:" + "ab" * 32,
    )


def secret_plan() -> Plan:
    """A plan carrying both kinds of secret: a marked SecureString value and a DB_PASSWORD."""
    env = {
        "APP_ENV": "production",
        "DB_PASSWORD": DB_PASSWORD,
        "UPSTREAM_URL": f"https://user:{SECURE_STRING}@upstream.example.com/",
        "SHORT_TOKEN": "abc",
    }
    env_before = {**env, "DB_PASSWORD": "old-" + DB_PASSWORD}
    return plan_of(image_change_service(env=env, env_before=env_before))


def big_plan(n: int = 200) -> Plan:
    """``n`` services with image changes and long environments: far above 65,000 characters."""
    services = []
    for i in range(n):
        env = {f"FEATURE_FLAG_{j:02d}": f"value-{i}-{j}" for j in range(6)}
        env_before = {**env, "FEATURE_FLAG_00": f"old-{i}"}
        services.append(
            image_change_service(
                f"svc-{i:03d}",
                image_before=f"registry.example.com/svc-{i:03d}:1.0.{i}",
                image_after=f"registry.example.com/svc-{i:03d}:1.1.{i}",
                env=env,
                env_before=env_before,
            )
        )
    return plan_of(*services)


STAGING, PRODUCTION = "111111111111", "222222222222"


def in_account(sp: ServicePlan, key: str, account: str, region: str = REGION) -> ServicePlan:
    """The service as a workspace entry acting as ``account``'s deploy role (issue 21)."""
    role = f"arn:aws:iam::{account}:role/deploy"
    return replace(sp, key=key, region=region, identity=Identity(account, None, role, True))


def two_accounts_plan() -> Plan:
    """The same cluster/service in staging and production, and production's worker in a
    second region: a plan with three account / region groups."""
    return plan_of(
        in_account(image_change_service("web"), "web-staging", STAGING),
        in_account(image_change_service("web"), "web-production", PRODUCTION),
        in_account(unchanged_service("worker"), "worker-production", PRODUCTION, "us-west-2"),
    )


def all_plans() -> dict[str, Plan]:
    return {
        "image_change": plan_of(image_change_service()),
        "new_service": plan_of(new_service()),
        "count_only": plan_of(count_only_service()),
        "no_changes": plan_of(unchanged_service()),
        "codedeploy": plan_of(codedeploy_service()),
        "scaling": plan_of(scaling_service()),
        "workspace": plan_of(
            new_service("db-migrator"),
            replace(image_change_service("frontend"), depends_on=("db-migrator",)),
            replace(count_only_service("worker"), depends_on=("db-migrator",)),
            unchanged_service("stable"),
            replace(codedeploy_service(), depends_on=("frontend", "stable")),
        ),
        "two_accounts": two_accounts_plan(),
    }


def test_fixture_plans_survive_the_codec() -> None:
    for plan in [*all_plans().values(), big_plan(3), secret_plan()]:
        data = plan_to_data(plan)
        assert plan_to_data(plan_from_data(copy.deepcopy(data))) == data
