"""The recorded live state of a plan and the stale check over it (pure parts)."""

from __future__ import annotations

import json
from dataclasses import replace

from planner.plan.codec import plan_from_data, plan_to_data
from planner.plan.drift import live_state, moved_fields
from planner.plan.fingerprint import fingerprint_of, unmanaged_paths
from planner.plan.inputs import LiveService
from planner.plan.model import Action, Fingerprint, Plan, ServicePlan
from planner.plan.stale import NO_LIVE_STATE, stale_reasons

SERVICE = {
    "serviceName": "web",
    "status": "ACTIVE",
    "taskDefinition": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1",
    "desiredCount": 3,
    "launchType": "FARGATE",
    "deployments": [{"id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": "COMPLETED"}],
    "tags": [{"key": "team", "value": "web"}, {"key": "cost", "value": "1"}],
}
TD = {
    "taskDefinition": {
        "family": "web",
        "containerDefinitions": [
            {
                "name": "app",
                "image": "nginx:1.27",
                "memory": 128,
                "environment": [{"name": "DB_PASSWORD", "value": "hunter2-very-secret"}],
            }
        ],
    },
    "tags": [],
}


def _fp(service: dict, td: dict = TD, unmanaged: tuple[str, ...] = ()) -> Fingerprint:
    return fingerprint_of(LiveService(service=service, task_definition=td), unmanaged=unmanaged)


def _plan(fp: Fingerprint) -> ServicePlan:
    return ServicePlan(
        key="web",
        config_path="ecspresso.yml",
        region="ap-northeast-1",
        cluster="c",
        service="web",
        controller="ECS",
        action=Action.NOOP,
        fingerprint=fp,
    )


def test_unchanged_live_state_is_not_stale() -> None:
    assert stale_reasons(_plan(_fp(SERVICE)), _fp(dict(SERVICE))) == []


def test_moved_scalar_is_named_with_both_values() -> None:
    now = _fp({**SERVICE, "desiredCount": 5})
    assert stale_reasons(_plan(_fp(SERVICE)), now) == ["desiredCount 3 -> 5"]


def test_unmanaged_fields_are_not_recorded_and_may_move() -> None:
    unmanaged = unmanaged_paths(("launchType", "tags"), ("cost",), auto_scaled=False)
    assert "service:desiredCount" in unmanaged and "service:tags.cost" in unmanaged
    was = _fp(SERVICE, unmanaged=unmanaged)
    assert "service:desiredCount" not in was.live.fields
    assert "service:tags.team" in was.live.fields
    moved = {**SERVICE, "desiredCount": 9, "tags": [{"key": "team", "value": "web"}]}
    assert stale_reasons(_plan(was), _fp(moved, unmanaged=unmanaged)) == []


def test_a_tag_key_is_not_a_prefix_of_another() -> None:
    unmanaged = ("service:tags.team",)
    was = _fp({**SERVICE, "tags": [{"key": "teamlead", "value": "a"}]}, unmanaged=unmanaged)
    now = _fp({**SERVICE, "tags": [{"key": "teamlead", "value": "b"}]}, unmanaged=unmanaged)
    assert stale_reasons(_plan(was), now) == ["tags.teamlead a -> b"]


def test_auto_scaling_owns_desired_count() -> None:
    assert "service:desiredCount" in unmanaged_paths({"desiredCount": 3}, (), auto_scaled=True)
    assert "service:desiredCount" not in unmanaged_paths({"desiredCount": 3}, (), auto_scaled=False)


def test_progressing_deployments_are_no_change_but_a_new_one_is() -> None:
    was = _fp(SERVICE)
    done = {**SERVICE, "deployments": [{**SERVICE["deployments"][0], "rolloutState": "X"}]}
    assert stale_reasons(_plan(was), _fp(done)) == []
    new = {**SERVICE, "deployments": [*SERVICE["deployments"], {"id": "ecs-svc/2"}]}
    assert stale_reasons(_plan(was), _fp(new)) == ["new deployment ecs-svc/2"]


def test_no_raw_secret_in_the_recorded_state() -> None:
    fp = _fp(SERVICE)
    text = json.dumps(plan_to_data(Plan(services=(_plan(fp),))))
    assert "hunter2" not in text
    env_key = "task definition:containerDefinitions[app].environment"
    assert set(fp.live.fields[env_key]) == {"digest"}
    td2 = json.loads(json.dumps(TD))
    td2["taskDefinition"]["containerDefinitions"][0]["environment"][0]["value"] = "rotated-1234"
    assert stale_reasons(_plan(fp), _fp(SERVICE, td2)) == [f"{env_key.replace(':', ' ')} changed"]


def test_policies_and_alarms_appearing_are_one_entry_each() -> None:
    policy = {
        "PolicyName": "cpu",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 70,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "X"},
        },
    }
    was = live_state(
        service=None, task_definition=None, scalable_target=None, scaling_policies=[], alarms=[]
    )
    now = replace(
        was,
        **vars(
            live_state(
                service=None,
                task_definition=None,
                scalable_target=None,
                scaling_policies=[policy],
                alarms=[{"AlarmName": "hi", "Threshold": 1}],
            )
        ),
    )
    assert moved_fields(was, now) == ["alarm hi added", "scaling policy cpu added"]


def test_codec_round_trip_and_old_files() -> None:
    plan = Plan(services=(_plan(_fp(SERVICE)),), tool_version="0")
    data = json.loads(json.dumps(plan_to_data(plan)))
    back = plan_from_data(data)
    assert back.services[0].fingerprint == plan.services[0].fingerprint
    del data["services"][0]["fingerprint"]["live"]
    old = plan_from_data(data).services[0]
    assert old.fingerprint.live is None
    assert stale_reasons(old, _fp(SERVICE)) == [NO_LIVE_STATE]
