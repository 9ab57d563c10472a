"""The field-rule table against the installed botocore ECS model: a new AWS field cannot slip
by unclassified, and each rule that botocore can confirm is confirmed."""

from __future__ import annotations

import re

import botocore.session
import pytest

from planner.canonical import fields
from planner.canonical.service_rules import (
    ALWAYS_MANAGED,
    APPSPEC_FIELDS,
    CODE_DEPLOY,
    CREATE_ONLY,
    ECS,
    EXTERNAL,
    RULES,
    UNOBSERVABLE,
    updatable,
)

MODEL = botocore.session.get_session().get_service_model("ecs")


def _members(operation: str) -> dict[str, str]:
    shape = MODEL.operation_model(operation).input_shape
    return {
        n: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", s.documentation or ""))
        for n, s in shape.members.items()
    }


CREATE, UPDATE = _members("CreateService"), _members("UpdateService")


def test_every_create_and_update_member_is_classified() -> None:
    assert set(CREATE) | set(UPDATE) == set(RULES)


def test_create_only_rows_are_the_members_update_service_lacks() -> None:
    lacking = set(CREATE) - set(UPDATE) - {"serviceName", "clientToken", "tags"}
    assert set(CREATE_ONLY) == lacking
    assert RULES["tags"].kind == "tags"  # changed later with TagResource/UntagResource


def test_update_rows_are_update_service_members() -> None:
    for rule in RULES.values():
        if rule.kind in ("update", "controller", "unobservable"):
            assert rule.name in UPDATE, rule.name


@pytest.mark.parametrize("name", sorted(n for n, r in RULES.items() if r.kind == "update"))
def test_deployment_trigger_matches_botocore(name: str) -> None:
    doc = UPDATE[name]
    if RULES[name].deploys:
        assert "triggers a new service deployment" in doc or "triggers a new deployment" in doc
    else:
        assert "triggers a new" not in doc or "doesn't trigger" in doc


def test_unobservable_rows_are_not_described() -> None:
    service = set(MODEL.shape_for("Service").members)
    deployment = set(MODEL.shape_for("Deployment").members)
    for name in UNOBSERVABLE:
        assert name not in service and name not in deployment
    for name in fields.SERVICE_FROM_DEPLOYMENT:
        assert name not in service and name in deployment
    observable = set(updatable(ECS)) - set(fields.SERVICE_FROM_DEPLOYMENT)
    assert observable <= service


def test_controller_rows_follow_the_update_service_doc() -> None:
    """botocore's UpdateService operation doc lists what each controller may change."""
    doc = MODEL.operation_model("UpdateService").documentation or ""
    assert "only the desired count, deployment configuration, health check grace period" in doc
    assert set(updatable(EXTERNAL)) == {
        "desiredCount",
        "placementConstraints",
        "placementStrategy",
        "healthCheckGracePeriodSeconds",
        "enableECSManagedTags",
        "propagateTags",
    }
    assert set(APPSPEC_FIELDS) == {
        "networkConfiguration",
        "platformVersion",
        "loadBalancers",
        "capacityProviderStrategy",
    }
    assert {"desiredCount", "deploymentConfiguration"} <= set(updatable(CODE_DEPLOY))


def test_every_rule_says_where_it_comes_from() -> None:
    assert all(r.source for r in RULES.values())
    assert ALWAYS_MANAGED == {"enableECSManagedTags": False, "enableExecuteCommand": False}
