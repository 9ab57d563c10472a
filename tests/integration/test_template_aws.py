"""AWS-backed template functions against the sandbox (moto over real HTTP)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from planner.aws.clients import AwsContext
from planner.aws.template_sources import AwsTemplateSources
from planner.config import LoadOptions, load_config
from planner.errors import ConfigError
from planner.render.secrets import PLACEHOLDER as MASK
from planner.render.secrets import mask

pytestmark = pytest.mark.integration
REGION = "ap-northeast-1"


def _client(sandbox, service: str):  # type: ignore[no-untyped-def]
    return boto3.client(service, endpoint_url=sandbox.endpoint, region_name=REGION)


def _load(
    tmp_path: Path, taskdef: str, extra: str = "", ctx: AwsContext | None = None
) -> tuple[Path, Any]:
    td = tmp_path / "td.json"
    td.write_text(taskdef)
    cfg = tmp_path / "ecspresso.yml"
    cfg.write_text(f"region: {REGION}\nservice: s\ntask_definition: td.json\n{extra}")
    sources = AwsTemplateSources(ctx or AwsContext(max_attempts=1))
    return td, load_config(cfg, LoadOptions(sources=sources))


def test_ssm_string_securestring_and_stringlist(sandbox, tmp_path: Path) -> None:
    ssm = _client(sandbox, "ssm")
    ssm.put_parameter(Name="/app/plain", Value="hello", Type="String")
    ssm.put_parameter(Name="/app/secret", Value="s3cr3t", Type="SecureString")
    ssm.put_parameter(Name="/app/list", Value="a,b,c", Type="StringList")
    _, cfg = _load(
        tmp_path,
        '{"family": "{{ ssm `/app/plain` }}", "x": "{{ ssm `/app/secret` }}", "y": "{{ ssm `/app/list` 1 }}"}',
    )
    assert cfg.task_definition == {"family": "hello", "x": "s3cr3t", "y": "b"}
    assert cfg.sensitive == frozenset({"s3cr3t"})
    assert mask(cfg.task_definition, cfg.sensitive) == {"family": "hello", "x": MASK, "y": "b"}


def test_ssm_missing_parameter_is_a_config_error_at_the_line(sandbox, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        _load(tmp_path, '{\n  "family": "{{ ssm `/nope` }}"\n}')
    assert (
        str(e.value)
        == f"{tmp_path / 'td.json'}:2: $: ssm: parameter /nope: not found (ParameterNotFound)"
    )


def test_ssm_stringlist_needs_an_index(sandbox, tmp_path: Path) -> None:
    _client(sandbox, "ssm").put_parameter(Name="/l", Value="a,b", Type="StringList")
    with pytest.raises(
        ConfigError, match=r"td.json:1: \$: ssm: /l is a StringList: give the index"
    ):
        _load(tmp_path, '{"family": "{{ ssm `/l` }}"}')


def test_secretsmanager_arn_is_a_plain_value(sandbox, tmp_path: Path) -> None:
    """The ARN is a reference, shown as ecspresso shows it; the secret value is never read."""
    arn = _client(sandbox, "secretsmanager").create_secret(Name="db-pass", SecretString="pw")["ARN"]
    _, cfg = _load(tmp_path, '{"family": "x", "secret": "{{ secretsmanager_arn `db-pass` }}"}')
    assert cfg.task_definition == {"family": "x", "secret": arn}
    assert arn not in cfg.sensitive
    assert sandbox.stats()["requests"].get("secretsmanager:GetSecretValue", 0) == 0


def test_cfn_output_and_export(sandbox, tmp_path: Path) -> None:
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            "Name": {"Value": "out-value", "Export": {"Name": "shared-name"}},
        },
    }
    _client(sandbox, "cloudformation").create_stack(
        StackName="net", TemplateBody=json.dumps(template)
    )
    _, cfg = _load(
        tmp_path,
        '{"family": "{{ cfn_output `net` `Name` }}", "e": "{{ cfn_export `shared-name` }}"}',
    )
    assert cfg.task_definition == {"family": "out-value", "e": "out-value"}
    with pytest.raises(ConfigError, match=r"cfn_export: no CloudFormation export named nope"):
        _load(tmp_path, '{"family": "{{ cfn_export `nope` }}"}')


def test_tfstate_from_s3(sandbox, tmp_path: Path) -> None:
    s3 = _client(sandbox, "s3")
    s3.create_bucket(
        Bucket="tfstate-bucket", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    state = {
        "version": 4,
        "resources": [
            {
                "mode": "managed",
                "type": "aws_lb_target_group",
                "name": "web",
                "instances": [{"attributes": {"arn": "arn:tg/web"}}],
            }
        ],
    }
    s3.put_object(
        Bucket="tfstate-bucket", Key="app/terraform.tfstate", Body=json.dumps(state).encode()
    )
    _, cfg = _load(
        tmp_path,
        '{"family": "{{ tfstate `aws_lb_target_group.web.arn` }}"}',
        "plugins:\n  - name: tfstate\n    config:\n      url: s3://tfstate-bucket/app/terraform.tfstate\n",
    )
    assert cfg.task_definition == {"family": "arn:tg/web"}


def test_no_aws_call_when_no_aws_function_is_used(tmp_path: Path, monkeypatch) -> None:
    # An unreachable endpoint: any AWS call would fail loudly.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    ctx = AwsContext(max_attempts=1)
    _, cfg = _load(
        tmp_path,
        '{"family": "x"}',
        "plugins:\n  - name: tfstate\n    config:\n      url: s3://tf/none.tfstate\n",
        ctx=ctx,
    )
    assert cfg.task_definition == {"family": "x"}
    assert ctx._clients == {}
