"""Task definitions cached in the state location (issue 13, part 3), against the sandbox.

A repeat plan skips DescribeTaskDefinition for revisions seen before, reads only their tags
(in bulk), never trusts the cache for a revision it has not seen, and reads AWS again, with a
warning, when an entry is damaged. Calls are counted by the sandbox.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import client, copy_example, delta, requests, run_inproc

from ecsplan_sandbox.server import Sandbox
from planner.aws.clients import AwsContext
from planner.config import LoadOptions, load_valid_config
from planner.plan.model import Plan, PlanOptions
from planner.state.backend import StateBackend, open_backend
from planner.state.cache import TaskDefinitionCache
from planner.state.errors import StateWarning
from planner.state.local import LocalBackend
from planner.workspace.planning import ServiceEntry, build_plan

pytestmark = pytest.mark.integration

CLUSTER = "my-cluster"
SERVICE = "myservice"
DESCRIBE = "ecs:DescribeTaskDefinition"


@pytest.fixture
def deployed(sandbox: Sandbox, tmp_path: Path) -> Path:
    """examples/single-service deployed (revision 1, nginx:1.27)."""
    cfg = copy_example("single-service", tmp_path)
    sandbox.prepare([str(cfg)])
    r = run_inproc([cfg], tmp_path / "deploy-state", "deploy", "--timeout", "60s")
    assert r.code == 0, r
    return cfg


def plan(sandbox: Sandbox, cfg: Path, backend: StateBackend) -> tuple[Plan, dict[str, int]]:
    """build_plan with the state's cache; the plan and the calls it made."""
    entry = ServiceEntry(SERVICE, load_valid_config(cfg, LoadOptions()))
    before = requests(sandbox)
    p = build_plan(
        [entry], AwsContext(max_attempts=2), PlanOptions(), cache=TaskDefinitionCache(backend)
    )
    return p, delta(before, requests(sandbox))


def documents(p: Plan) -> Any:
    sp = p.services[0]
    return [(d.name, d.before, d.after) for d in sp.documents], sp.fingerprint


def live_arn(sandbox: Sandbox) -> str:
    svc = client(sandbox, "ecs").describe_services(cluster=CLUSTER, services=[SERVICE])
    return str(svc["services"][0]["taskDefinition"])


def entry_path(state: Path, arn: str) -> Path:
    files = list((state / ".cache" / "task-definitions").glob("*.json"))
    found = [f for f in files if json.loads(f.read_text())["arn"] == arn]
    assert len(found) == 1, files
    return found[0]


def test_repeat_plan_reads_no_task_definition(
    sandbox: Sandbox, deployed: Path, tmp_path: Path
) -> None:
    backend = LocalBackend(tmp_path / "state")
    first, calls = plan(sandbox, deployed, backend)
    assert calls.get(DESCRIBE) == 1, calls
    second, calls = plan(sandbox, deployed, backend)
    assert DESCRIBE not in calls, calls
    assert calls.get("tagging:GetResources") == 1, calls
    assert documents(second) == documents(first)
    assert not second.has_changes
    assert backend.services() == []  # the cache is no service's state


def test_corrupt_entry_is_ignored_with_a_warning_and_repaired(
    sandbox: Sandbox, deployed: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    backend = LocalBackend(state)
    first, _ = plan(sandbox, deployed, backend)
    path = entry_path(state, live_arn(sandbox))
    path.write_text(path.read_text()[:40])  # torn
    with pytest.warns(StateWarning, match=r"cache entry for .*myservice:1 ignored"):
        again, calls = plan(sandbox, deployed, backend)
    assert calls.get(DESCRIBE) == 1, calls
    assert documents(again) == documents(first)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, calls = plan(sandbox, deployed, backend)  # the fresh read replaced the entry
    assert DESCRIBE not in calls, calls


def test_entry_whose_content_does_not_match_its_digest_is_not_trusted(
    sandbox: Sandbox, deployed: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    backend = LocalBackend(state)
    plan(sandbox, deployed, backend)
    path = entry_path(state, live_arn(sandbox))
    entry = json.loads(path.read_text())
    entry["content"]["containerDefinitions"][0]["image"] = "nginx:1.28"  # as if it ran 1.28
    path.write_text(json.dumps(entry))
    with pytest.warns(StateWarning, match="does not match its digest"):
        p, calls = plan(sandbox, deployed, backend)
    assert calls.get(DESCRIBE) == 1, calls
    assert p.services[0].summary.images_before == ("nginx:1.27",)
    assert not p.has_changes


def test_entry_for_another_revision_is_not_trusted(
    sandbox: Sandbox, deployed: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    backend = LocalBackend(state)
    plan(sandbox, deployed, backend)
    arn = live_arn(sandbox)
    path = entry_path(state, arn)
    entry = json.loads(path.read_text())
    other = arn.replace(":1", ":7")
    entry["arn"] = entry["content"]["taskDefinitionArn"] = other
    path.write_text(json.dumps(entry))
    with pytest.warns(StateWarning, match="another revision"):
        _, calls = plan(sandbox, deployed, backend)
    assert calls.get(DESCRIBE) == 1, calls


def test_a_revision_the_cache_has_not_seen_is_read_from_aws(
    sandbox: Sandbox, deployed: Path, tmp_path: Path
) -> None:
    backend = LocalBackend(tmp_path / "state")
    plan(sandbox, deployed, backend)
    ecs = client(sandbox, "ecs")
    body = ecs.describe_task_definition(taskDefinition=live_arn(sandbox))["taskDefinition"]
    body["containerDefinitions"][0]["image"] = "nginx:1.29"
    keep = ("family", "containerDefinitions", "executionRoleArn", "networkMode", "cpu", "memory")
    arn = ecs.register_task_definition(
        **{k: body[k] for k in keep}, requiresCompatibilities=["FARGATE"]
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition=arn)
    p, calls = plan(sandbox, deployed, backend)
    assert calls.get(DESCRIBE) == 1, calls
    assert p.services[0].summary.images_before == ("nginx:1.29",)
    assert p.services[0].has_changes  # back to 1.27, as the config says


def test_tags_of_a_cached_revision_are_read_fresh(
    sandbox: Sandbox, deployed: Path, tmp_path: Path
) -> None:
    """Tags can change on a registered revision: a cached copy must not hide a tag diff."""
    backend = LocalBackend(tmp_path / "state")
    first, _ = plan(sandbox, deployed, backend)
    assert not first.has_changes
    client(sandbox, "ecs").tag_resource(
        resourceArn=live_arn(sandbox), tags=[{"key": "owner", "value": "ops"}]
    )
    p, calls = plan(sandbox, deployed, backend)
    assert DESCRIBE not in calls, calls
    td = p.services[0].documents[0]
    assert td.name == "task definition"
    assert {"key": "owner", "value": "ops"} in td.before["tags"]
    assert p.has_changes


def test_without_the_tagging_api_cached_revisions_are_described(
    sandbox: Sandbox, deployed: Path, tmp_path: Path
) -> None:
    backend = LocalBackend(tmp_path / "state")
    first, _ = plan(sandbox, deployed, backend)
    sandbox.set_faults(error_rate=1.0, operations=["tagging:GetResources"])
    with pytest.warns(UserWarning, match="tags not readable in bulk"):
        p, calls = plan(sandbox, deployed, backend)
    assert calls.get(DESCRIBE) == 1, calls
    assert documents(p) == documents(first)


def test_s3_backend_cache(sandbox: Sandbox, deployed: Path) -> None:
    s3 = client(sandbox, "s3")
    s3.create_bucket(
        Bucket="ecsplan-state", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    backend = open_backend("s3://ecsplan-state/teams/web", AwsContext(max_attempts=2))
    first, calls = plan(sandbox, deployed, backend)
    assert calls.get(DESCRIBE) == 1, calls
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="ecsplan-state")["Contents"]]
    keys = [k for k in keys if k != "teams/web/.secret-key"]
    assert len(keys) == 1 and keys[0].startswith("teams/web/.cache/task-definitions/"), keys
    second, calls = plan(sandbox, deployed, backend)
    assert DESCRIBE not in calls, calls
    assert calls.get("s3:GetObject") == 1, calls
    assert documents(second) == documents(first)
    assert backend.services() == []
    # a damaged object is ignored with a warning and replaced by the fresh read
    s3.put_object(Bucket="ecsplan-state", Key=keys[0], Body=b"{not json")
    with pytest.warns(StateWarning, match="ignored"):
        again, calls = plan(sandbox, deployed, backend)
    assert calls.get(DESCRIBE) == 1, calls
    assert documents(again) == documents(first)
    _, calls = plan(sandbox, deployed, backend)
    assert DESCRIBE not in calls, calls


def test_apply_checks_staleness_through_the_cache(
    sandbox: Sandbox, deployed: Path, tmp_path: Path
) -> None:
    """`apply PLANFILE` re-reads the task definition for its stale check via the same cache:
    the first apply fills it, a later one describes nothing for an unchanged revision."""
    state = tmp_path / "state"
    out = tmp_path / "p.json"
    env = {"IMAGE_TAG": "1.28"}
    assert run_inproc([deployed], state, "plan", "--out", str(out), env=env).code == 0
    ecs = client(sandbox, "ecs")
    ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=4)
    r = run_inproc([deployed], state, "apply", str(out), env=env)
    assert r.code == 1 and "desiredCount 3 -> 4" in r.stderr, r
    before = requests(sandbox)
    r = run_inproc([deployed], state, "apply", str(out), env=env)
    assert r.code == 1 and "desiredCount 3 -> 4" in r.stderr, r
    assert DESCRIBE not in delta(before, requests(sandbox))


def test_a_state_location_that_cannot_be_written_warns_once(
    sandbox: Sandbox, deployed: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / ".cache").write_text("not a directory")  # every write fails
    backend = LocalBackend(state)
    with pytest.warns(StateWarning, match="could not store") as caught:
        p, calls = plan(sandbox, deployed, backend)
    assert len([w for w in caught if "could not store" in str(w.message)]) == 1
    assert calls.get(DESCRIBE) == 1, calls
    assert not p.has_changes
