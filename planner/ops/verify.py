"""`verify`: the checks ecspresso makes before a deploy, as a tree of OK / NG / SKIP.

A deploy that passes plan can still fail at task start: a role ECS cannot assume, an image
tag never pushed, a secret that was renamed, a target group in another VPC. Each leaf of the
tree is one such fact checked against AWS; a group is NG when any of its leaves is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from planner.config.model import ServiceConfig

if TYPE_CHECKING:
    from planner.ops.session import Session

OK, NG, SKIP = "OK", "NG", "SKIP"
ECS_TASKS = "ecs-tasks.amazonaws.com"
_ECR = re.compile(
    r"^(?P<registry>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?"
    r"/(?P<repo>[^:@]+)(?::(?P<tag>[^@]+))?(?:@(?P<digest>sha256:[0-9a-f]+))?$"
)


class Lookups(Protocol):
    """What verify asks AWS (planner.aws.checks.Checks)."""

    def cluster_status(self, region: str, cluster: str) -> str | None: ...
    def role_trust_policy(self, role_arn: str) -> dict[str, Any] | None: ...
    def ecr_image_exists(
        self, region: str, registry_id: str, repository: str, tag: str | None, digest: str | None
    ) -> bool: ...
    def ssm_parameter_exists(self, region: str, name: str) -> bool: ...
    def secret_exists(self, region: str, secret_id: str) -> bool: ...
    def log_group_exists(self, region: str, name: str) -> bool: ...
    def target_group(self, region: str, arn: str) -> dict[str, Any] | None: ...
    def missing_subnets(self, region: str, ids: list[str]) -> list[str]: ...
    def missing_security_groups(self, region: str, ids: list[str]) -> list[str]: ...


@dataclass(frozen=True)
class Check:
    """One node of the tree: a leaf is a checked fact, a group holds leaves."""

    name: str
    status: str
    reason: str = ""
    children: tuple[Check, ...] = field(default_factory=tuple)

    def leaves(self) -> Iterable[tuple[tuple[str, ...], Check]]:
        """(path of names from this node, leaf) for every leaf under this node."""
        if not self.children:
            yield (self.name,), self
        for child in self.children:
            for path, leaf in child.leaves():
                yield (self.name, *path), leaf


def group(name: str, children: Iterable[Check]) -> Check:
    kids = tuple(children)
    statuses = {c.status for c in kids}
    status = NG if NG in statuses else OK if OK in statuses else SKIP
    return Check(name, status, "", kids)


def summary(trees: Iterable[Check]) -> Counter[str]:
    return Counter(leaf.status for t in trees for _, leaf in t.leaves())


# --- building the tree --------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyOptions:
    """ecspresso's --[no-]get-secrets and --[no-]put-logs: a False one SKIPs those checks
    without any AWS call."""

    get_secrets: bool = True
    put_logs: bool = True


def verify_service(
    cfg: ServiceConfig, region: str, aws: Lookups, opts: VerifyOptions = VerifyOptions()
) -> Check:
    """Every check for one service, against AWS through ``aws``."""
    td = dict(cfg.task_definition or {})
    sd = dict(cfg.service_definition or {})
    parts = [_cluster(cfg.cluster, region, aws)]
    if td:
        parts.append(_task_definition(td, region, aws, opts))
    if sd:
        parts.append(_service_definition(sd, td, region, aws))
    return group(f"{cfg.cluster}/{cfg.service}", parts)


def _cluster(cluster: str, region: str, aws: Lookups) -> Check:
    status = aws.cluster_status(region, cluster)
    name = f"cluster {cluster}"
    if status is None:
        return Check(name, NG, "cluster not found")
    if status != "ACTIVE":
        return Check(name, NG, f"cluster is {status}")
    return Check(name, OK)


def _task_definition(
    td: Mapping[str, Any], region: str, aws: Lookups, opts: VerifyOptions
) -> Check:
    parts = [
        _role("execution role", td.get("executionRoleArn"), aws),
        _role("task role", td.get("taskRoleArn"), aws),
    ]
    for c in td.get("containerDefinitions") or []:
        parts.append(_container(c, region, aws, opts))
    return group(f"task definition {td.get('family', '')}".rstrip(), parts)


def _role(label: str, arn: Any, aws: Lookups) -> Check:
    if not arn:
        return Check(label, SKIP, "not set")
    name = f"{label} {arn}"
    policy = aws.role_trust_policy(str(arn))
    if policy is None:
        return Check(name, NG, "role not found")
    if not trusts(policy, ECS_TASKS):
        return Check(name, NG, f"trust policy does not allow {ECS_TASKS} to assume it")
    return Check(name, OK)


def trusts(policy: Mapping[str, Any], service: str) -> bool:
    """Whether an assume role policy lets ``service`` call sts:AssumeRole."""
    statements = policy.get("Statement") or []
    if isinstance(statements, Mapping):
        statements = [statements]
    for st in statements:
        if st.get("Effect") != "Allow":
            continue
        actions = _as_list(st.get("Action"))
        if not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            continue
        principal = st.get("Principal") or {}
        if principal == "*":
            return True
        if isinstance(principal, Mapping) and service in _as_list(principal.get("Service")):
            return True
    return False


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _container(c: Mapping[str, Any], region: str, aws: Lookups, opts: VerifyOptions) -> Check:
    def secret(label: str, value_from: str) -> Check:
        if not opts.get_secrets:
            return Check(f"{label} {value_from}", SKIP, "--no-get-secrets")
        return _secret(label, value_from, region, aws)

    parts = [_image(str(c.get("image", "")), aws)]
    creds = (c.get("repositoryCredentials") or {}).get("credentialsParameter")
    if creds:
        parts.append(secret("repository credentials", str(creds)))
    for s in c.get("secrets") or []:
        parts.append(secret(f"secret {s.get('name')}", str(s.get("valueFrom", ""))))
    log = c.get("logConfiguration") or {}
    for s in log.get("secretOptions") or []:
        parts.append(secret(f"log secret {s.get('name')}", str(s.get("valueFrom", ""))))
    if log:
        parts.append(_log(log, region, aws, opts.put_logs))
    return group(f"container {c.get('name')}", parts)


def _image(image: str, aws: Lookups) -> Check:
    name = f"image {image}"
    m = _ECR.match(image)
    if not m:
        return Check(name, SKIP, "not an ECR image")
    found = aws.ecr_image_exists(m["region"], m["registry"], m["repo"], m["tag"], m["digest"])
    if not found:
        what = f"digest {m['digest']}" if m["digest"] else f"tag {m['tag'] or 'latest'}"
        return Check(name, NG, f"{what} not found in repository {m['repo']}")
    return Check(name, OK)


def _secret(label: str, value_from: str, region: str, aws: Lookups) -> Check:
    name = f"{label} {value_from}"
    if value_from.startswith("arn:"):
        parts = value_from.split(":")
        if len(parts) < 6:
            return Check(name, NG, "not a valid ARN")
        service, arn_region, resource = parts[2], parts[3] or region, ":".join(parts[5:])
        if service == "secretsmanager":
            secret_id = ":".join(parts[:7])
            if aws.secret_exists(arn_region, secret_id):
                return Check(name, OK)
            return Check(name, NG, "Secrets Manager secret not found")
        if service == "ssm" and resource.startswith("parameter/"):
            param = resource[len("parameter") :]
            candidates = [param] if param.count("/") > 1 else [param, param[1:]]
            if any(aws.ssm_parameter_exists(arn_region, p) for p in candidates):
                return Check(name, OK)
            return Check(name, NG, "SSM parameter not found")
        return Check(name, SKIP, f"{service} ARNs are not checked")
    if aws.ssm_parameter_exists(region, value_from):
        return Check(name, OK)
    return Check(name, NG, "SSM parameter not found")


def _log(log: Mapping[str, Any], region: str, aws: Lookups, check_group: bool = True) -> Check:
    driver = str(log.get("logDriver", ""))
    if driver != "awslogs":
        return Check(f"log driver {driver}", SKIP, "only awslogs is checked")
    options = log.get("options") or {}
    group_name = options.get("awslogs-group")
    if not group_name:
        return Check("log group", NG, "awslogs-group is not set")
    name = f"log group {group_name}"
    if not check_group:
        return Check(name, SKIP, "--no-put-logs")
    if aws.log_group_exists(str(options.get("awslogs-region") or region), str(group_name)):
        return Check(name, OK)
    if str(options.get("awslogs-create-group", "")).lower() == "true":
        return Check(name, OK, "will be created (awslogs-create-group)")
    return Check(name, NG, "log group not found (and awslogs-create-group is not true)")


def _service_definition(
    sd: Mapping[str, Any], td: Mapping[str, Any], region: str, aws: Lookups
) -> Check:
    parts = [_load_balancer(lb, td, region, aws) for lb in sd.get("loadBalancers") or []]
    parts.append(_network(sd, td, region, aws))
    return group("service definition", parts)


def network_mode(td: Mapping[str, Any]) -> str:
    if td.get("networkMode"):
        return str(td["networkMode"])
    return "awsvpc" if "FARGATE" in (td.get("requiresCompatibilities") or []) else "bridge"


def _load_balancer(
    lb: Mapping[str, Any], td: Mapping[str, Any], region: str, aws: Lookups
) -> Check:
    arn = lb.get("targetGroupArn")
    if not arn:
        return Check(f"load balancer {lb.get('loadBalancerName')}", SKIP, "classic ELB")
    name = f"target group {arn}"
    tg = aws.target_group(region, str(arn))
    if tg is None:
        return Check(name, NG, "target group not found")
    cname, port = lb.get("containerName"), lb.get("containerPort")
    container = next(
        (c for c in td.get("containerDefinitions") or [] if c.get("name") == cname), None
    )
    if container is None:
        return Check(name, NG, f"containerName {cname} is not a container of the task definition")
    ports = [p.get("containerPort") for p in container.get("portMappings") or []]
    if port not in ports:
        return Check(name, NG, f"container {cname} has no portMapping for containerPort {port}")
    if network_mode(td) == "awsvpc" and tg.get("TargetType") not in (None, "ip"):
        return Check(name, NG, f"target type {tg.get('TargetType')} cannot serve awsvpc tasks")
    return Check(name, OK, f"{cname}:{port}")


def _network(sd: Mapping[str, Any], td: Mapping[str, Any], region: str, aws: Lookups) -> Check:
    mode = network_mode(td)
    if mode != "awsvpc":
        return Check("network configuration", SKIP, f"network mode {mode}")
    vpc = (sd.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if not vpc:
        return Check("network configuration", NG, "awsvpc tasks need awsvpcConfiguration")
    subnets = [str(s) for s in vpc.get("subnets") or []]
    groups = [str(s) for s in vpc.get("securityGroups") or []]
    if not subnets:
        sub = Check("subnets", NG, "no subnets")
    else:
        missing = aws.missing_subnets(region, subnets)
        sub = Check(
            f"subnets {', '.join(subnets)}",
            NG if missing else OK,
            f"not found: {', '.join(missing)}" if missing else "",
        )
    parts = [sub]
    if groups:
        missing = aws.missing_security_groups(region, groups)
        parts.append(
            Check(
                f"security groups {', '.join(groups)}",
                NG if missing else OK,
                f"not found: {', '.join(missing)}" if missing else "",
            )
        )
    return group("network configuration (awsvpc)", parts)


# --- rendering ------------------------------------------------------------------------------


def verify_all(session: Session, opts: VerifyOptions) -> list[Check]:
    """The tree of checks of every selected service, against AWS."""
    from planner.aws.checks import Checks

    refs = session.refs()
    return [
        verify_service(e.config, refs[e.key].region, Checks(session.aws_for(refs[e.key])), opts)
        for e in session.entries
    ]
