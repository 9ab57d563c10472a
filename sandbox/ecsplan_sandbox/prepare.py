"""`--prepare`: create what configs expect to exist outside ecsplan, idempotently.

Per config: the cluster (FARGATE and FARGATE_SPOT capacity providers), the target groups its
service definition names (with the very ARNs written there), for ECS native blue/green the
alternate target group and placeholder listener rules (loadBalancers[].advancedConfiguration,
same ARNs), for CodeDeploy services its service role (ecsCodeDeployRole), a load
balancer with production and test listeners, a "green" target group, the CodeDeploy
application and ECS deployment group; the Cloud Map namespace of Service Connect; and what a
`sandbox-prepare.json` next to the config lists:

    {"service": {"desiredCount": 2},           # create the service from the config first
     "calls": [{"service": "application-autoscaling",
                "operation": "register_scalable_target", "params": {...}}, ...]}

Calls go over HTTP through botocore marked internal (not counted, never faulted), so moto
validates them as it does any client's. A config (or workspace entry) that names an
``assume_role_arn`` (issue 21) is prepared in that role's account (moto's
``x-moto-account-id`` header), and in the entry's ``region`` when it names one: its CodeDeploy
service role, target groups (whatever account their ARNs name) and listeners too.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import yaml
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from ecsplan_sandbox.control import Control

log = logging.getLogger("ecsplan_sandbox")

INTERNAL_HEADER = "x-sandbox-internal"
PREPARE_FILE = "sandbox-prepare.json"
DEFAULT_REGION = "ap-northeast-1"
DEFAULT_ACCOUNT = "123456789012"
ACCOUNT_HEADER = "x-moto-account-id"
CODEDEPLOY_ROLE = "ecsCodeDeployRole"


class Preparer:
    """Creates resources against one sandbox endpoint; remembers what it created."""

    def __init__(self, endpoint: str, control: Control) -> None:
        self.endpoint = endpoint
        self.control = control
        self.created: list[str] = []
        self._session = _session()
        self._clients: dict[tuple[str, str, str], BaseClient] = {}
        self.account = DEFAULT_ACCOUNT  # where the config being prepared lives

    def client(self, service: str, region: str) -> BaseClient:
        key = (service, region, self.account)
        if key not in self._clients:
            c = self._session.create_client(
                service,
                region_name=region,
                endpoint_url=self.endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            c.meta.events.register("before-send", _mark_internal)
            if self.account != DEFAULT_ACCOUNT:
                c.meta.events.register("before-send", _in_account(self.account))
            self._clients[key] = c
        return self._clients[key]

    # --- per config ----------------------------------------------------------------------

    def config(self, path: Path, entry: dict[str, Any] | None = None) -> None:
        """What the config expects; ``entry``: its workspace entry (region, role)."""
        from planner.config import LoadOptions, load_config

        entry = entry or {}
        cfg = load_config(path, LoadOptions())
        role = entry.get("assume_role_arn") or cfg.extras.get("assume_role_arn")
        self.account = _account_of(role) or DEFAULT_ACCOUNT
        region = entry.get("region") or cfg.region or os.environ.get("AWS_REGION") or DEFAULT_REGION
        sdef = dict(cfg.service_definition or {})
        self.cluster(cfg.cluster, region)
        controller = (sdef.get("deploymentController") or {}).get("type", "ECS")
        tg_arns = [
            lb["targetGroupArn"]
            for lb in sdef.get("loadBalancers") or []
            if lb.get("targetGroupArn")
        ]
        for arn in tg_arns:
            self.target_group(arn, region)
        self.advanced_load_balancing(sdef, region)
        ns = (sdef.get("serviceConnectConfiguration") or {}).get("namespace")
        if ns:
            self.namespace(ns, region)
        if controller == "CODE_DEPLOY" or cfg.codedeploy is not None:
            cd = cfg.codedeploy
            app = (cd.application_name if cd else None) or f"AppECS-{cfg.cluster}-{cfg.service}"
            group = (
                cd.deployment_group_name if cd else None
            ) or f"DgpECS-{cfg.cluster}-{cfg.service}"
            rollback = True if cd is None or cd.auto_rollback is None else bool(cd.auto_rollback)
            config_name = (
                cd.deployment_config_name if cd else None
            ) or "CodeDeployDefault.ECSAllAtOnce"
            self.codedeploy(
                app, group, config_name, rollback, cfg.cluster, cfg.service, tg_arns, region
            )
        extra = path.parent / PREPARE_FILE
        if extra.is_file():
            self.extras(
                json.loads(extra.read_text()),
                cfg.cluster,
                cfg.service,
                sdef,
                cfg.task_definition,
                region,
            )

    def cluster(self, name: str, region: str) -> None:
        ecs = self.client("ecs", region)
        found = ecs.describe_clusters(clusters=[name])["clusters"]
        if any(c["status"] == "ACTIVE" for c in found):
            return
        ecs.create_cluster(clusterName=name, capacityProviders=["FARGATE", "FARGATE_SPOT"])
        self.created.append(f"ecs cluster {name}")

    def target_group(self, arn: str, region: str, port: int = 80) -> str:
        """A target group with exactly this ARN (moto picks its own; we re-key it)."""
        elb = self.client("elbv2", region)
        try:
            elb.describe_target_groups(TargetGroupArns=[arn])
            return arn
        except ClientError:
            pass
        name = arn.split(":targetgroup/")[-1].split("/")[0]
        tg = elb.create_target_group(
            Name=name, Protocol="HTTP", Port=port, VpcId=self._vpc(region), TargetType="ip"
        )["TargetGroups"][0]
        self._rekey_target_group(tg["TargetGroupArn"], arn, region)
        self.created.append(f"target group {name}")
        return arn

    def advanced_load_balancing(self, sdef: dict[str, Any], region: str) -> None:
        """ECS native blue/green: the alternate target group and the listener rules that
        loadBalancers[].advancedConfiguration names, with those very ARNs."""
        for lb in sdef.get("loadBalancers") or []:
            adv = lb.get("advancedConfiguration") or {}
            if not adv:
                continue
            blue = lb.get("targetGroupArn")
            if adv.get("alternateTargetGroupArn"):
                self.target_group(adv["alternateTargetGroupArn"], region)
            for port, key in ((80, "productionListenerRule"), (10080, "testListenerRule")):
                if adv.get(key) and blue:
                    self.listener_rule(adv[key], blue, port, region)

    def listener_rule(self, arn: str, target_group: str, port: int, region: str) -> None:
        """A placeholder rule with exactly this ARN (forward to the target group) on a listener
        of the load balancer the ARN names; moto picks its own ARN, we re-key it."""
        elb = self.client("elbv2", region)
        try:
            elb.describe_rules(RuleArns=[arn])
            return
        except ClientError:
            pass
        parts = arn.split(":listener-rule/")[-1].split("/")  # app/<lb>/<lb id>/<listener>/<rule>
        lb_name = parts[1] if len(parts) >= 2 else "sandbox-alb"
        listener = self._listener(lb_name, port, target_group, region)
        taken = {r["Priority"] for r in elb.describe_rules(ListenerArn=listener)["Rules"]}
        priority = next(p for p in range(1, 50000) if str(p) not in taken)
        rule = elb.create_rule(
            ListenerArn=listener,
            Priority=priority,
            Conditions=[{"Field": "path-pattern", "Values": ["/*"]}],
            Actions=[{"Type": "forward", "TargetGroupArn": target_group}],
        )["Rules"][0]
        from moto.elbv2.models import elbv2_backends

        with self.control.state_lock:
            backend = elbv2_backends[self.account][region]
            fake = backend.load_balancers[_lb_arn_of(listener)].listeners[listener]
            moved = fake._non_default_rules.pop(rule["RuleArn"])
            moved.arn = arn
            fake._non_default_rules[arn] = moved
        self.created.append(f"listener rule {arn.rsplit('/', 1)[-1]} on {lb_name}:{port}")

    def _listener(self, lb_name: str, port: int, target_group: str, region: str) -> str:
        elb = self.client("elbv2", region)
        try:
            lb = elb.describe_load_balancers(Names=[lb_name])["LoadBalancers"][0]
        except ClientError:
            lb = elb.create_load_balancer(
                Name=lb_name, Subnets=self._subnets(region), Type="application"
            )["LoadBalancers"][0]
            self.created.append(f"load balancer {lb_name}")
        for listener in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
            if listener["Port"] == port:
                return str(listener["ListenerArn"])
        return str(
            elb.create_listener(
                LoadBalancerArn=lb["LoadBalancerArn"],
                Protocol="HTTP",
                Port=port,
                DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}],
            )["Listeners"][0]["ListenerArn"]
        )

    def _rekey_target_group(self, old: str, new: str, region: str) -> None:
        """In the account being prepared, whatever account the config's ARN names: the
        service acts as that account's role, so that is where it looks the group up."""
        from moto.elbv2.models import elbv2_backends

        with self.control.state_lock:
            groups = elbv2_backends[self.account][region].target_groups
            tg = groups.pop(old)
            tg.arn = new
            groups[new] = tg

    def _vpc(self, region: str) -> str:
        ec2 = self.client("ec2", region)
        vpcs = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
        return str(vpcs[0]["VpcId"])

    def _subnets(self, region: str) -> list[str]:
        ec2 = self.client("ec2", region)
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [self._vpc(region)]}])
        return [s["SubnetId"] for s in subnets["Subnets"]][:2]

    def namespace(self, name: str, region: str) -> None:
        sd = self.client("servicediscovery", region)
        names = [n["Name"] for n in sd.list_namespaces()["Namespaces"]]
        if name not in names:
            sd.create_http_namespace(Name=name)
            self.created.append(f"cloud map namespace {name}")

    def codedeploy(
        self,
        app: str,
        group: str,
        config_name: str,
        rollback: bool,
        cluster: str,
        service: str,
        tg_arns: list[str],
        region: str,
    ) -> None:
        cd = self.client("codedeploy", region)
        if app not in cd.list_applications()["applications"]:
            cd.create_application(applicationName=app, computePlatform="ECS")
            self.created.append(f"codedeploy application {app}")
        if group in cd.list_deployment_groups(applicationName=app)["deploymentGroups"]:
            return
        blue, blue_name, green_name = self._blue_green(service, tg_arns, region)
        prod, test = self._listeners(service, blue, region)
        cd.create_deployment_group(
            applicationName=app,
            deploymentGroupName=group,
            deploymentConfigName=config_name,
            serviceRoleArn=self._codedeploy_role(region),
            deploymentStyle={
                "deploymentType": "BLUE_GREEN",
                "deploymentOption": "WITH_TRAFFIC_CONTROL",
            },
            blueGreenDeploymentConfiguration={
                "terminateBlueInstancesOnDeploymentSuccess": {
                    "action": "TERMINATE",
                    "terminationWaitTimeInMinutes": 0,
                },
                "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
            },
            loadBalancerInfo={
                "targetGroupPairInfoList": [
                    {
                        "targetGroups": [{"name": blue_name}, {"name": green_name}],
                        "prodTrafficRoute": {"listenerArns": [prod]},
                        "testTrafficRoute": {"listenerArns": [test]},
                    }
                ]
            },
            ecsServices=[{"serviceName": service, "clusterName": cluster}],
            autoRollbackConfiguration={
                "enabled": rollback,
                "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"],
            },
        )
        self.created.append(f"codedeploy deployment group {app}/{group}")

    def _codedeploy_role(self, region: str) -> str:
        """CodeDeploy's service role (ecsCodeDeployRole) in the account being prepared."""
        iam = self.client("iam", region)
        try:
            return str(iam.get_role(RoleName=CODEDEPLOY_ROLE)["Role"]["Arn"])
        except ClientError:
            pass
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "codedeploy.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role = iam.create_role(RoleName=CODEDEPLOY_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
        self.created.append(f"iam role {CODEDEPLOY_ROLE}")
        return str(role["Role"]["Arn"])

    def _blue_green(self, service: str, tg_arns: list[str], region: str) -> tuple[str, str, str]:
        """The blue target group (the service's, or one made up) and a green one beside it:
        (blue ARN, blue name, green name)."""
        blue = (
            tg_arns[0]
            if tg_arns
            else self.target_group(
                f"arn:aws:elasticloadbalancing:{region}:{self.account}:targetgroup/{service[:26]}-blue/0000000000000001",
                region,
            )
        )
        blue_name = blue.split(":targetgroup/")[-1].split("/")[0]
        green_name = (
            blue_name.replace("blue", "green") if "blue" in blue_name else f"{blue_name[:26]}-green"
        )
        green = blue.replace(f"targetgroup/{blue_name}/", f"targetgroup/{green_name}/")
        self.target_group(green, region)
        return blue, blue_name, green_name

    def _listeners(self, service: str, target_group: str, region: str) -> tuple[str, str]:
        elb = self.client("elbv2", region)
        name = f"{service[:28]}-alb"
        try:
            lb = elb.describe_load_balancers(Names=[name])["LoadBalancers"][0]
        except ClientError:
            lb = elb.create_load_balancer(
                Name=name, Subnets=self._subnets(region), Type="application"
            )["LoadBalancers"][0]
            self.created.append(f"load balancer {name}")
        existing = {
            listener["Port"]: listener["ListenerArn"]
            for listener in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])[
                "Listeners"
            ]
        }
        arns = []
        for port in (80, 10080):
            if port not in existing:
                existing[port] = elb.create_listener(
                    LoadBalancerArn=lb["LoadBalancerArn"],
                    Protocol="HTTP",
                    Port=port,
                    DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}],
                )["Listeners"][0]["ListenerArn"]
            arns.append(existing[port])
        return arns[0], arns[1]

    def extras(
        self,
        spec: dict[str, Any],
        cluster: str,
        service: str,
        sdef: dict[str, Any],
        tdef: Any,
        region: str,
    ) -> None:
        svc_spec = spec.get("service")
        if isinstance(svc_spec, dict) and tdef:
            self.service(cluster, service, sdef, dict(tdef), svc_spec, region)
        for call in spec.get("calls") or []:
            client = self.client(call["service"], call.get("region", region))
            getattr(client, call["operation"])(**call.get("params", {}))
            self.created.append(f"{call['service']} {call['operation']}")

    def service(
        self,
        cluster: str,
        name: str,
        sdef: dict[str, Any],
        tdef: dict[str, Any],
        overrides: dict[str, Any],
        region: str,
    ) -> None:
        ecs = self.client("ecs", region)
        found = ecs.describe_services(cluster=cluster, services=[name])["services"]
        if any(s["status"] == "ACTIVE" for s in found):
            return
        td = ecs.register_task_definition(**tdef)["taskDefinition"]["taskDefinitionArn"]
        params = {
            k: v for k, v in {**sdef, **overrides}.items() if k not in ("cluster", "serviceName")
        }
        ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=td, **params)
        self.created.append(f"ecs service {cluster}/{name}")


def _lb_arn_of(listener_arn: str) -> str:
    """arn:...:listener/app/<name>/<lb id>/<listener id> -> the load balancer's ARN."""
    head, _, tail = listener_arn.partition(":listener/")
    return f"{head}:loadbalancer/{tail.rsplit('/', 1)[0]}"


_SESSION: botocore.session.Session | None = None


def _session() -> botocore.session.Session:
    """One botocore session per process: its loaded service models make clients cheap."""
    global _SESSION
    if _SESSION is None:
        _SESSION = botocore.session.get_session()
    return _SESSION


def _mark_internal(request: Any, **_: Any) -> None:
    request.headers[INTERNAL_HEADER] = "1"


def _in_account(account: str) -> Any:
    def mark(request: Any, **_: Any) -> None:
        request.headers[ACCOUNT_HEADER] = account

    return mark


def _account_of(role_arn: Any) -> str | None:
    """The account an IAM role ARN names (arn:aws:iam::ACCOUNT:role/...)."""
    parts = str(role_arn or "").split(":")
    return parts[4] if len(parts) >= 6 and parts[2] == "iam" and parts[4].isdigit() else None


def expand(paths: list[str]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Config paths and their workspace entries, with workspace files (`services: {name:
    {config: path, ...}}`) expanded; a config given alone has an empty entry."""
    for raw in paths:
        path = Path(raw)
        data: Any = None
        if path.suffix in (".yml", ".yaml"):
            data = yaml.safe_load(path.read_text())
        if isinstance(data, dict) and isinstance(data.get("services"), dict):
            for entry in data["services"].values():
                yield (path.parent / str(entry["config"])).resolve(), dict(entry)
        else:
            yield path, {}


def prepare(endpoint: str, control: Control, paths: list[str]) -> list[str]:
    p = Preparer(endpoint, control)
    for path, entry in expand(paths):
        log.info("sandbox: preparing for %s", path)
        p.config(path, entry)
    return p.created
