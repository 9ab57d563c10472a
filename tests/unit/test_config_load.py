"""Loading ecspresso configs: formats, defaults, envfiles, Jsonnet, wrappers, warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.config import LoadOptions, load_config, validate_config
from planner.config.duration import parse_duration
from planner.config.envfile import parse_envfile
from planner.errors import ConfigError

TD = {
    "family": "web",
    "containerDefinitions": [{"name": "app", "image": "nginx:{{ must_env `TAG` }}"}],
}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def test_yaml_defaults_and_relative_definition_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("TAG", "1.2")
    _write(tmp_path, "defs/td.json", json.dumps(TD))
    cfg = load_config(
        _write(tmp_path, "ecspresso.yml", "service: web\ntask_definition: defs/td.json\n")
    )
    assert (cfg.region, cfg.cluster, cfg.service, cfg.timeout_seconds) == (
        "eu-west-1",
        "default",
        "web",
        600.0,
    )
    assert cfg.task_definition is not None
    assert cfg.task_definition["containerDefinitions"][0]["image"] == "nginx:1.2"
    assert cfg.task_definition_path == tmp_path / "defs/td.json"
    assert cfg.service_definition is None
    assert cfg.warnings == ()


def test_all_known_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAG", "1")
    _write(tmp_path, "td.json", json.dumps(TD))
    _write(tmp_path, "sd.json", '{"desiredCount": 2}')
    cfg = load_config(
        _write(
            tmp_path,
            "ecspresso.yaml",
            """region: us-east-2
cluster: c1
service: s1
service_definition: sd.json
task_definition: td.json
timeout: 1h30m
required_version: ">= v2.0.0, < 3"
codedeploy:
  application_name: app
  deployment_group_name: grp
  deployment_config_name: CodeDeployDefault.ECSAllAtOnce
  auto_rollback: true
appspec:
  Hooks:
    - BeforeInstall: fn
ignore:
  tags: [Owner, CostCenter]
ecsplan:
  state: s3://bucket/prefix
""",
        )
    )
    assert cfg.region == "us-east-2" and cfg.cluster == "c1" and cfg.timeout_seconds == 5400
    assert cfg.codedeploy is not None
    assert (cfg.codedeploy.application_name, cfg.codedeploy.auto_rollback) == ("app", True)
    assert cfg.appspec == {"Hooks": [{"BeforeInstall": "fn"}]}
    assert cfg.ignore_tags == ("Owner", "CostCenter")
    assert cfg.state == "s3://bucket/prefix"
    assert cfg.service_definition == {"desiredCount": 2}
    assert validate_config(cfg) == []


def test_unknown_keys_warn_with_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path, "td.json", '{"family": "x", "containerDefinitions": []}')
    p = _write(
        tmp_path,
        "ecspresso.yml",
        "service: s\ntask_definition: td.json\nfoo: 1\necsplan:\n  stat: ./state\n",
    )
    cfg = load_config(p)
    assert cfg.warnings == (
        f"{p}:3: $.foo: unknown key 'foo' is ignored",
        f"{p}:5: $.ecsplan.stat: unknown ecsplan key 'stat' is ignored; did you mean 'state'?",
    )


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("td.json", json.dumps({"taskDefinition": TD, "tags": []})),
        (
            "td.yml",
            "taskDefinition:\n  family: web\n  containerDefinitions:\n    - name: app\n      image: nginx:{{ must_env `TAG` }}\n",
        ),
    ],
)
def test_task_definition_wrapper_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str
) -> None:
    monkeypatch.setenv("TAG", "w")
    _write(tmp_path, name, text)
    _write(tmp_path, "sd.json", json.dumps({"services": [{"desiredCount": 3}], "failures": []}))
    cfg = load_config(
        _write(
            tmp_path,
            "ecspresso.yml",
            f"service: s\ntask_definition: {name}\nservice_definition: sd.json\n",
        )
    )
    assert cfg.task_definition == {
        **TD,
        "containerDefinitions": [{"name": "app", "image": "nginx:w"}],
    }
    assert cfg.service_definition == {"desiredCount": 3}
    # Paths of errors stay file-wide: the wrapper key is part of them.
    assert str(cfg.sources["taskdef"].location(["family"])).endswith(": $.taskDefinition.family")


def test_envfile_loaded_before_templates_and_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAG", "from-shell")
    env = _write(
        tmp_path,
        ".env",
        "# comment\nexport TAG=from-file\nQUOTED=\"a b\\n\"\nSINGLE='$x # not a comment'\nPLAIN=v # comment\n\n",
    )
    assert parse_envfile(env) == {
        "TAG": "from-file",
        "QUOTED": "a b\n",
        "SINGLE": "$x # not a comment",
        "PLAIN": "v",
    }
    _write(tmp_path, "td.json", json.dumps(TD))
    cfg = load_config(
        _write(tmp_path, "ecspresso.yml", "service: s\ntask_definition: td.json\n"),
        LoadOptions(envfiles=(str(env),)),
    )
    assert cfg.task_definition is not None
    assert cfg.task_definition["containerDefinitions"][0]["image"] == "nginx:from-file"


def test_envfile_bad_line(tmp_path: Path) -> None:
    env = _write(tmp_path, ".env", "A=1\nnot a pair\n")
    with pytest.raises(ConfigError, match=r":2: \$: expected KEY=VALUE in envfile"):
        parse_envfile(env)


def test_jsonnet_config_and_definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLUSTER", "from-env")
    monkeypatch.delenv("MISSING", raising=False)
    _write(tmp_path, "lib/common.libsonnet", "{ family: 'web', cpu: '256' }")
    _write(
        tmp_path,
        "td.jsonnet",
        """local common = import 'lib/common.libsonnet';
common + {
  memory: std.extVar('memory'),
  containerDefinitions: [{ name: 'app', image: 'nginx:' + std.extVar('tag') }] + std.extVar('extra'),
}
""",
    )
    cfg_path = _write(
        tmp_path,
        "ecspresso.jsonnet",
        """local env = std.native('env');
{ service: 'web', cluster: env('CLUSTER', 'dflt'), region: env('MISSING', 'ap-northeast-1'),
  task_definition: 'td.jsonnet' }
""",
    )
    cfg = load_config(
        cfg_path,
        LoadOptions(
            ext_str={"tag": "1.27", "memory": "512"},
            ext_code={"extra": '[{name: "side", image: "busybox"}]'},
        ),
    )
    assert (cfg.cluster, cfg.region) == ("from-env", "ap-northeast-1")
    assert cfg.task_definition == {
        "family": "web",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [
            {"name": "app", "image": "nginx:1.27"},
            {"name": "side", "image": "busybox"},
        ],
    }


def test_jsonnet_must_env_error_names_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MISSING", raising=False)
    p = _write(
        tmp_path, "ecspresso.jsonnet", "{\n  service: std.native('must_env')('MISSING'),\n}\n"
    )
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert str(e.value) == f"{p}:2: $: Jsonnet: must_env: environment variable MISSING is not set"


def test_tfstate_plugin_with_prefix_relative_to_config(tmp_path: Path) -> None:
    state = {
        "version": 4,
        "resources": [
            {
                "mode": "managed",
                "type": "aws_ecs_cluster",
                "name": "main",
                "instances": [{"attributes": {"name": "tf-cluster"}}],
            }
        ],
    }
    _write(tmp_path, "tf/terraform.tfstate", json.dumps(state))
    _write(
        tmp_path,
        "td.json",
        '{"family": "{{ net_tfstate `aws_ecs_cluster.main.name` }}", "containerDefinitions": []}',
    )
    cfg = load_config(
        _write(
            tmp_path,
            "ecspresso.yml",
            "service: s\ntask_definition: td.json\nplugins:\n  - name: tfstate\n    func_prefix: net_\n    config:\n      path: tf/terraform.tfstate\n",
        )
    )
    assert cfg.task_definition == {"family": "tf-cluster", "containerDefinitions": []}
    assert [p.name for p in cfg.plugins] == ["tfstate"]


def test_template_error_in_definition_points_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAG", raising=False)
    td = _write(tmp_path, "td.json", json.dumps(TD, indent=2))
    with pytest.raises(ConfigError) as e:
        load_config(_write(tmp_path, "ecspresso.yml", "service: s\ntask_definition: td.json\n"))
    assert str(e.value) == f"{td}:6: $: must_env: environment variable TAG is not set"


def test_json_config_and_unsupported_extension(tmp_path: Path) -> None:
    _write(tmp_path, "td.json", '{"family": "x", "containerDefinitions": []}')
    cfg = load_config(
        _write(tmp_path, "ecspresso.json", '{"service": "s", "task_definition": "td.json"}')
    )
    assert cfg.service == "s"
    p = _write(tmp_path, "ecspresso.toml", "")
    with pytest.raises(
        ConfigError, match=r"ecspresso.toml:1: \$: unsupported file extension '.toml'"
    ):
        load_config(p)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope.yml:1: \$: file not found"):
        load_config(tmp_path / "nope.yml")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10m", 600), ("1h30m", 5400), ("90s", 90), ("1.5h", 5400), ("250ms", 0.25)],
)
def test_go_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_bad_duration() -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration("10 minutes")
