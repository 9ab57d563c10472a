"""CodeDeploy blue/green in the second account of a workspace (issues 6 and 21).

examples/blue-green runs in production's account (its ARNs name that account; the workspace
entry names production's role) beside staging's plain `my-cluster/web`. The sandbox prepares
its CodeDeploy application, deployment group, service role, blue/green target groups and
listeners in production's account; a new image goes out through CodeDeploy as production's
role, and nothing of it exists in, or is asked of, any other account.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers_accounts import (
    PRODUCTION,
    PRODUCTION_ROLE,
    STAGING,
    STAGING_ROLE,
    TOKYO,
    client_as,
    write_service,
)
from helpers_cli import EXAMPLES, Result, run_inproc

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration

DEFAULT_ACCOUNT = "123456789012"  # the sandbox's own key acts here
TIMEOUT = ("--timeout", "60s")
APP, GROUP = "myapp", "myapp-group"


@pytest.fixture(params=["production-arns", "example-arns"])
def ws(sandbox: Sandbox, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """Staging's web (its role in its config) and production's blue/green service, both
    created at nginx:1.27. Its ARNs name production's account, or are the example's
    placeholders (the default account's): either way all of it lives in production's."""
    write_service(
        tmp_path / "staging", "web", "STAGING_TAG", f"ecsplan:\n  assume_role_arn: {STAGING_ROLE}\n"
    )
    bg = tmp_path / "blue-green"
    shutil.copytree(EXAMPLES / "blue-green", bg)
    for name in ("ecs-service-def.json", "ecs-task-def.json"):
        if request.param == "production-arns":
            (bg / name).write_text((bg / name).read_text().replace(DEFAULT_ACCOUNT, PRODUCTION))
    ws = tmp_path / "workspace.yml"
    ws.write_text(
        "services:\n"
        "  web-staging:\n    config: staging/ecspresso.yml\n"
        "  bg-production:\n    config: blue-green/ecspresso.yml\n"
        f"    assume_role_arn: {PRODUCTION_ROLE}\n"
    )
    sandbox.prepare([str(ws)])
    assert run(ws, tmp_path / "state", "apply", "--auto-approve").code == 0
    return ws


def run(ws: Path, state: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return run_inproc([], state, "-w", str(ws), *args, *TIMEOUT, env=env)


def as_production(sandbox: Sandbox, service: str) -> Any:
    return client_as(sandbox, service, PRODUCTION_ROLE, TOKYO)


def test_prepare_puts_the_codedeploy_setup_in_the_roles_account(sandbox: Sandbox, ws: Path) -> None:
    cd = as_production(sandbox, "codedeploy")
    group = cd.get_deployment_group(applicationName=APP, deploymentGroupName=GROUP)
    info = group["deploymentGroupInfo"]
    assert info["serviceRoleArn"] == f"arn:aws:iam::{PRODUCTION}:role/ecsCodeDeployRole"
    assert as_production(sandbox, "iam").get_role(RoleName="ecsCodeDeployRole")
    pair = info["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    elb = as_production(sandbox, "elbv2")
    names = [tg["name"] for tg in pair["targetGroups"]]
    found = elb.describe_target_groups(Names=names)["TargetGroups"]
    assert len(found) == 2  # blue and green, found as production's role
    listeners = pair["prodTrafficRoute"]["listenerArns"] + pair["testTrafficRoute"]["listenerArns"]
    assert {arn.split(":")[4] for arn in listeners} == {PRODUCTION}
    assert len(elb.describe_listeners(ListenerArns=listeners)["Listeners"]) == 2
    # nothing of it in the default account (nor in staging's)
    for role in (None, STAGING_ROLE):
        assert (
            client_as(sandbox, "codedeploy", role, TOKYO).list_applications()["applications"] == []
        )
        elb_other = client_as(sandbox, "elbv2", role, TOKYO)
        assert elb_other.describe_load_balancers()["LoadBalancers"] == []
        assert elb_other.describe_target_groups()["TargetGroups"] == []


def test_a_new_image_goes_out_through_codedeploy_as_the_second_accounts_role(
    sandbox: Sandbox, ws: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    sandbox.control.reset()  # the deploy's calls only
    r = run(ws, state, "apply", "--auto-approve", env={"IMAGE_TAG": "1.28"})
    assert r.code == 0, r

    cd = as_production(sandbox, "codedeploy")
    ids = cd.list_deployments(applicationName=APP, deploymentGroupName=GROUP)["deployments"]
    infos = [cd.get_deployment(deploymentId=i)["deploymentInfo"] for i in ids]
    (dep,) = [d for d in infos if d.get("creator") != "codeDeployRollback"]
    assert dep["status"] == "Succeeded"
    ecs = as_production(sandbox, "ecs")
    svc = ecs.describe_services(cluster="my-cluster", services=["bg-service"])["services"][0]
    td = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
    assert td["containerDefinitions"][0]["image"] == "nginx:1.28"
    assert td["taskDefinitionArn"].split(":")[4] == PRODUCTION
    assert [s["externalId"] for s in svc["taskSets"]] == [dep["deploymentId"]]

    calls = sandbox.signed_calls()
    assert sum(c.operation == "codedeploy:CreateDeployment" for c in calls) == 1
    for c in calls:  # the blue/green service's calls: production's role only
        if c.operation.startswith(("codedeploy:", "elasticloadbalancing:")):
            assert (c.account, c.role_arn) == (PRODUCTION, PRODUCTION_ROLE), c
        elif c.operation.startswith("ecs:"):
            assert (c.account, c.role_arn) in {
                (STAGING, STAGING_ROLE),
                (PRODUCTION, PRODUCTION_ROLE),
            }, c
    assert set(sandbox.calls_by_account()[DEFAULT_ACCOUNT]) == {"sts:AssumeRole"}
    writes = {
        (c.operation, c.account) for c in calls if c.operation == "ecs:RegisterTaskDefinition"
    }
    assert writes == {("ecs:RegisterTaskDefinition", PRODUCTION)}

    again = run(ws, state, "plan", "--detailed-exitcode", env={"IMAGE_TAG": "1.28"})
    assert again.code == 0 and "No changes." in again.stdout, again
