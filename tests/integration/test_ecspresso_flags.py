"""ecspresso's subcommand flags as ecsplan takes them (docs/ecspresso-compat.md).

Each test runs the CLI in-process against the sandbox and checks what a user sees: the
output, the exit code, and the live AWS state afterwards.
"""

from __future__ import annotations

import json

import pytest
from test_ops_support import active_revisions, client, deployed, ecsplan, example

pytestmark = pytest.mark.integration


def _deployed(sandbox, tmp_path, name: str = "single-service"):
    cfg = example(name, tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    return cfg, state


# --- register ----------------------------------------------------------------------------


def test_register_dry_run_prints_the_definition_and_writes_nothing(sandbox, tmp_path) -> None:
    cfg, state = _deployed(sandbox, tmp_path)
    r = ecsplan([cfg], state, "register", "--dry-run")
    assert r.code == 0, r
    doc = json.loads(r.stdout)
    assert doc["family"] == "myservice"
    assert "taskDefinitionArn" not in doc and "revision" not in doc
    assert "would register 1 task definition" in r.stderr
    assert active_revisions(sandbox, "myservice") == [1]


def test_register_adds_a_revision_and_leaves_the_service(sandbox, tmp_path) -> None:
    cfg, state = _deployed(sandbox, tmp_path)
    r = ecsplan([cfg], state, "register")
    assert r.code == 0, r
    assert "myservice: registered myservice:2" in r.stderr
    assert "Register complete: 1 service(s)." in r.stdout
    assert active_revisions(sandbox, "myservice") == [1, 2]
    svc = client(sandbox, "ecs").describe_services(cluster="my-cluster", services=["myservice"])
    assert svc["services"][0]["taskDefinition"].endswith(":1")

    out = ecsplan([cfg], state, "register", "--output")
    assert out.code == 0, out
    td = json.loads(out.stdout)  # stdout is the JSON alone
    assert td["revision"] == 3 and td["family"] == "myservice"
    assert "Register complete" in out.stderr
