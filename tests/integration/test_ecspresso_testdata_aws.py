"""ecspresso's ssm and secretsmanager test cases, against the sandbox (moto over real HTTP).

ecspresso's tests mock the AWS SDK; here the same parameters and secrets are created in the
sandbox and the template functions run through ecsplan's loader and its AWS layer. Inputs:
tests/data/ecspresso/ssm/lookup_test.json and secretsmanager/funcs_test.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from planner.aws.clients import AwsContext
from planner.aws.template_sources import AwsTemplateSources
from planner.config import LoadOptions, ServiceConfig, load_config
from planner.errors import ConfigError

pytestmark = pytest.mark.integration
REGION = "ap-northeast-1"
DATA = Path(__file__).resolve().parent.parent / "data" / "ecspresso"
SSM = json.loads((DATA / "ssm" / "lookup_test.json").read_text())
SM = json.loads((DATA / "secretsmanager" / "funcs_test.json").read_text())


def _client(sandbox: Any, service: str) -> Any:
    return boto3.client(service, endpoint_url=sandbox.endpoint, region_name=REGION)


def _load(tmp_path: Path, name: str, taskdef: str) -> ServiceConfig:
    (tmp_path / name).write_text(taskdef)
    cfg = tmp_path / "ecspresso.yml"
    cfg.write_text(f"region: {REGION}\nservice: s\ntask_definition: {name}\n")
    sources = AwsTemplateSources(AwsContext(max_attempts=1))
    return load_config(cfg, LoadOptions(sources=sources))


@pytest.fixture
def parameters(sandbox: Any) -> None:
    ssm = _client(sandbox, "ssm")
    for p in SSM["parameters"]:
        ssm.put_parameter(Name=p["name"], Value=p["value"], Type=p["type"])


def _ssm_call(param: str, index: list[int]) -> str:
    return "{{ ssm `" + param + "`" + "".join(f" {i}" for i in index) + " }}"


@pytest.mark.parametrize("case", SSM["ok"], ids=lambda c: c["testname"])
def test_ssm_TestLookupOk(parameters: None, tmp_path: Path, case: dict[str, Any]) -> None:
    td = json.dumps({"family": "f", "value": _ssm_call(case["param"], case["index"])})
    cfg = _load(tmp_path, "td.json", td)
    assert cfg.task_definition is not None
    assert cfg.task_definition["value"] == case["want"]
    # A SecureString's value is marked sensitive (masked by render/plan); others are not.
    assert (case["want"] in cfg.sensitive) is (case["param"] == "/securestring")


# ecspresso's messages (kept in the data file) and ecsplan's differ in wording; ecsplan's
# name the same facts, at the file and line of the template action.
SSM_ERROR_FACTS = {
    "wrong args count": ["at most 2", "got 3"],
    "String index": ["/string", "String", "StringList"],
    "StringList no index": ["/stringlist", "StringList", "index"],
    "SecureString index": ["/securestring", "SecureString", "StringList"],
}


@pytest.mark.parametrize("case", SSM["errors"], ids=lambda c: c["testname"])
def test_ssm_TestLookupError(parameters: None, tmp_path: Path, case: dict[str, Any]) -> None:
    td = '{\n  "family": "f",\n  "value": "' + _ssm_call(case["param"], case["index"]) + '"\n}'
    with pytest.raises(ConfigError) as e:
        _load(tmp_path, "td.json", td)
    assert e.value.location.file == str(tmp_path / "td.json")
    assert e.value.location.line == 3
    assert e.value.reason.startswith("ssm: ")
    for fact in SSM_ERROR_FACTS[case["testname"]]:
        assert fact in e.value.reason, (fact, e.value.reason, case["err"])


@pytest.mark.parametrize("case", SM["cases"], ids=lambda c: c["testname"])
def test_secretsmanager(sandbox: Any, tmp_path: Path, case: dict[str, Any]) -> None:
    sm = _client(sandbox, "secretsmanager")
    arns = {name: sm.create_secret(Name=name, SecretString="x")["ARN"] for name in SM["secrets"]}
    if case["kind"] == "jsonnet":
        cfg = _load(tmp_path, "td.jsonnet", f"{{ family: 'f', value: ({case['snippet']}) }}")
    else:
        # Templates run on the file's text before JSON parsing: the action goes in as written.
        cfg = _load(tmp_path, "td.json", '{"family": "f", "value": "' + case["template"] + '"}')
    assert cfg.task_definition is not None
    assert cfg.task_definition["value"] == arns[case["secret"]]
    assert (
        arns[case["secret"]] not in cfg.sensitive
    )  # an ARN is a reference, shown as ecspresso shows it
