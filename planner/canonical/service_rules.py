"""What AWS lets a plan do with each service field: the field-rule table.

One row per member of CreateService and UpdateService (botocore's ECS model; a unit test
fails when the installed model has a member this table does not classify). Each row says:

- ``kind``: ``update`` (UpdateService changes it in place), ``create_only`` (only
  CreateService has it: a difference cannot be applied), ``controller`` (the deployment
  controller: a transition with conditions, see :data:`CONTROLLER_TRANSITIONS`), ``tags``
  (TagResource/UntagResource), ``unobservable`` (sent, but DescribeServices never returns it,
  so it cannot be compared), or ``request`` (addresses the call: cluster, names, tokens).
- ``under``: per deployment controller, how a change reaches the service: ``update``
  (UpdateService), ``appspec`` (a CodeDeploy deployment's AppSpec: CODE_DEPLOY services),
  or absent (AWS refuses the change for that controller).
- ``omitted``: what leaving the field out of the definition means. ``None``: the field is
  not managed (UpdateService does not send it and AWS keeps the live value, as in
  ecspresso's ``svToUpdateServiceInput``, where a nil field is not sent). A value: the field
  is always managed and this is the value when omitted (ecspresso always sends
  ``enableECSManagedTags`` and ``enableExecuteCommand``, false when omitted).
- ``deploys``: whether changing it starts a new deployment (botocore's UpdateService docs).
- ``source``: where the rule comes from.

Pure data; no botocore import at run time (model/ stays free of I/O and heavy imports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ECS, CODE_DEPLOY, EXTERNAL = "ECS", "CODE_DEPLOY", "EXTERNAL"
UPDATE, APPSPEC = "update", "appspec"

_OP_DOC = (
    "botocore ECS UpdateService operation doc: what each deployment controller lets "
    "UpdateService change"
)
_CD = "CodeDeploy deployment (AppSpec) per the UpdateService operation doc"


@dataclass(frozen=True)
class FieldRule:
    name: str
    kind: str
    under: dict[str, str] = field(default_factory=dict)
    omitted: Any = None
    deploys: bool = False
    source: str = _OP_DOC

    def how(self, controller: str) -> str | None:
        """``update``, ``appspec`` or None (refused) under ``controller``."""
        return self.under.get(controller)


def _u(*controllers: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "update", "under": {c: UPDATE for c in controllers}, **extra}


_ALL = (ECS, CODE_DEPLOY, EXTERNAL)
_ROWS: tuple[FieldRule, ...] = (
    FieldRule("cluster", "request", source="addresses the call (botocore: both inputs)"),
    FieldRule("service", "request", source="UpdateService: the service to update"),
    FieldRule("serviceName", "request", source="CreateService: the service's name"),
    FieldRule("clientToken", "request", source="CreateService idempotency token"),
    FieldRule("forceNewDeployment", "request", source="UpdateService only: forces a deployment"),
    FieldRule(
        "taskDefinition",
        "update",
        {ECS: UPDATE, CODE_DEPLOY: APPSPEC},
        deploys=True,
        source=f"{_OP_DOC}; CODE_DEPLOY: {_CD}; EXTERNAL: task sets (CreateTaskSet)",
    ),
    FieldRule("desiredCount", **_u(*_ALL), source=f"{_OP_DOC}; omitted = unmanaged (auto scaling)"),
    FieldRule(
        "capacityProviderStrategy",
        "update",
        {ECS: UPDATE, CODE_DEPLOY: APPSPEC},
        source=(
            "UpdateService doc: launch type -> strategy, strategy -> strategy, strategy -> []"
            " (back to the launch type) are valid; AWS refuses any change without"
            " forceNewDeployment ('you must force a new deployment')"
        ),
    ),
    FieldRule(
        "platformVersion",
        "update",
        {ECS: UPDATE, CODE_DEPLOY: APPSPEC},
        deploys=True,
        source=f"{_OP_DOC}; CODE_DEPLOY: {_CD}",
    ),
    FieldRule(
        "networkConfiguration",
        "update",
        {ECS: UPDATE, CODE_DEPLOY: APPSPEC},
        deploys=True,
        source=f"{_OP_DOC}; CODE_DEPLOY: {_CD}",
    ),
    FieldRule(
        "loadBalancers",
        "update",
        {ECS: UPDATE, CODE_DEPLOY: APPSPEC},
        deploys=True,
        source=f"{_OP_DOC}; CODE_DEPLOY: {_CD} (LoadBalancerInfo of the first)",
    ),
    FieldRule(
        "serviceRegistries",
        **_u(ECS),
        deploys=True,
        source=f"{_OP_DOC} (rolling only; ecspresso strips it for CODE_DEPLOY)",
    ),
    FieldRule("deploymentConfiguration", **_u(ECS, CODE_DEPLOY)),
    FieldRule("placementConstraints", **_u(*_ALL)),
    FieldRule("placementStrategy", **_u(*_ALL)),
    FieldRule("healthCheckGracePeriodSeconds", **_u(*_ALL)),
    FieldRule("propagateTags", **_u(*_ALL)),
    FieldRule(
        "enableECSManagedTags",
        **_u(*_ALL),
        omitted=False,
        source=f"{_OP_DOC}; ecspresso always sends it (false when omitted)",
    ),
    FieldRule(
        "enableExecuteCommand",
        **_u(ECS, CODE_DEPLOY),
        omitted=False,
        source=(
            "Update Amazon ECS service parameters (developer guide); ecspresso always sends it,"
            " false when omitted, for CODE_DEPLOY services too"
        ),
    ),
    FieldRule(
        "availabilityZoneRebalancing",
        **_u(ECS),
        source="UpdateService doc: omitted keeps the existing value; rolling deployments",
    ),
    FieldRule(
        "serviceConnectConfiguration",
        **_u(ECS),
        deploys=True,
        source="Update Amazon ECS service parameters: rolling deployments only",
    ),
    FieldRule(
        "volumeConfigurations",
        **_u(ECS),
        deploys=True,
        source="UpdateService doc: REPLICA services, rolling deployments",
    ),
    FieldRule(
        "vpcLatticeConfigurations",
        **_u(ECS),
        deploys=True,
        source="Update Amazon ECS service parameters: rolling deployments only",
    ),
    FieldRule(
        "deploymentController",
        "controller",
        source="Update Amazon ECS service parameters, 'Deployment controller' (July 2025)",
    ),
    FieldRule("launchType", "create_only", source="CreateService member only (botocore)"),
    FieldRule("role", "create_only", source="CreateService member only (botocore)"),
    FieldRule("schedulingStrategy", "create_only", source="CreateService member only"),
    FieldRule("tags", "tags", source="CreateService only; later TagResource/UntagResource"),
    FieldRule(
        "gatewayConnectors",
        "unobservable",
        source="not on the Service shape of DescribeServices (DescribeServiceRevisions only)",
    ),
    FieldRule(
        "monitoring",
        "unobservable",
        source="not on the Service shape of DescribeServices (DescribeServiceRevisions only)",
    ),
)

RULES: dict[str, FieldRule] = {r.name: r for r in _ROWS}

#: (from, to) controller switches UpdateService accepts, per the developer guide.
CONTROLLER_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {(CODE_DEPLOY, ECS), (CODE_DEPLOY, EXTERNAL), (ECS, EXTERNAL), (EXTERNAL, ECS)}
)

#: What a definition may manage: every field but the call's addressing.
SERVICE_FIELDS: tuple[str, ...] = tuple(r.name for r in _ROWS if r.kind != "request")
ALWAYS_MANAGED: dict[str, Any] = {r.name: r.omitted for r in _ROWS if r.omitted is not None}
CREATE_ONLY: tuple[str, ...] = tuple(r.name for r in _ROWS if r.kind == "create_only")
UNOBSERVABLE: tuple[str, ...] = tuple(r.name for r in _ROWS if r.kind == "unobservable")
APPSPEC_FIELDS: tuple[str, ...] = tuple(
    r.name for r in _ROWS if r.how(CODE_DEPLOY) == APPSPEC and r.name != "taskDefinition"
)


def updatable(controller: str) -> tuple[str, ...]:
    """Fields UpdateService changes in place under ``controller``."""
    return tuple(r.name for r in _ROWS if r.how(controller) == UPDATE)
