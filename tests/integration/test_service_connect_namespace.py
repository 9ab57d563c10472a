"""A Service Connect namespace written by name (as in the seed) is the namespace ECS reports
by ARN: no false diff (ecspresso #759), and a real change of namespace still shows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
from helpers_cli import EXAMPLES, run_inproc

from ecsplan_sandbox.server import Sandbox


def test_namespace_by_name_matches_the_arn_ecs_reports(sandbox: Sandbox, tmp_path: Path) -> None:
    work = tmp_path / "sc"
    shutil.copytree(EXAMPLES / "service-connect", work)
    cfg = work / "ecspresso.yml"
    sandbox.prepare([cfg])
    sd = boto3.client("servicediscovery")
    arn = next(n["Arn"] for n in sd.list_namespaces()["Namespaces"] if n["Name"] == "my-namespace")
    # The service as a console or Terraform would have created it: namespace by ARN.
    ecs = boto3.client("ecs")
    td = json.loads(
        (work / "ecs-task-def.json").read_text().replace("{{ env `IMAGE_TAG` `1.27` }}", "1.27")
    )
    td_arn = ecs.register_task_definition(**td)["taskDefinition"]["taskDefinitionArn"]
    svc = json.loads((work / "ecs-service-def.json").read_text())
    svc["serviceConnectConfiguration"]["namespace"] = arn
    ecs.create_service(cluster="my-cluster", serviceName="sc-service", taskDefinition=td_arn, **svc)

    r = run_inproc([cfg], tmp_path / "state", "plan", "--detailed-exitcode")
    assert r.code == 0, r
    assert "No changes." in r.stdout

    other = sd.create_http_namespace(Name="other-namespace")
    assert other["OperationId"]
    doc = json.loads((work / "ecs-service-def.json").read_text())
    doc["serviceConnectConfiguration"]["namespace"] = "other-namespace"
    (work / "ecs-service-def.json").write_text(json.dumps(doc))
    r = run_inproc([cfg], tmp_path / "state", "plan", "--detailed-exitcode")
    assert r.code == 2, r
    assert "serviceConnectConfiguration" in r.stdout
