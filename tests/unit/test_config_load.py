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


# --- hostile or broken files: one located error each --------------------------------------


PLAIN_TD = {"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx"}]}


def _cfg(tmp_path: Path, td_name: str = "td.json") -> Path:
    return _write(tmp_path, "ecspresso.yml", f"service: s\ntask_definition: {td_name}\n")


def _load_error(cfg: Path) -> str:
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    return str(e.value)


def test_file_over_one_mib_is_refused_before_parsing(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path)
    blob = "x" * (1024 * 1024)
    _write(tmp_path, "td.json", json.dumps({"family": blob}))
    assert _load_error(cfg) == (
        f"{tmp_path / 'td.json'}:1: $: file too large: {1024 * 1024 + 14} bytes; "
        "ecsplan reads at most 1 MiB"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{\n"family": "\xc3\x28"}', "2: $: not a UTF-8 text file (byte 0xc3 at offset 13)"),
        (b"\xff\xfe{\x00}\x00", "1: $: not a UTF-8 text file"),
        (b'{"family":\n "a\x00b"}', "2: $: not a text file: it contains a NUL byte"),
    ],
)
def test_binary_definition_is_refused(tmp_path: Path, data: bytes, message: str) -> None:
    cfg = _cfg(tmp_path)
    (tmp_path / "td.json").write_bytes(data)
    assert _load_error(cfg).startswith(f"{tmp_path / 'td.json'}:{message}")


def test_envfile_with_nul_or_bad_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.env").write_bytes(b"A=1\nB=x\x00y\n")
    (tmp_path / "b.env").write_bytes(b"A=1\nB=\xff\n")
    with pytest.raises(ConfigError, match=r"a\.env:2: \$: not a text file"):
        parse_envfile(tmp_path / "a.env")
    with pytest.raises(ConfigError, match=r"b\.env:2: \$: not a UTF-8 text file"):
        parse_envfile(tmp_path / "b.env")


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path)
    _write(tmp_path, "td.json", "[" * 1500 + "]" * 1500)
    assert "td.json:1: $: invalid JSON: nested deeper than 100 levels" in _load_error(cfg)
    _write(tmp_path, "td.json", '{"a":\n' + "[" * 150 + "]" * 150 + "}")
    assert "td.json:2: $.a" in _load_error(cfg)
    _write(tmp_path, "ecspresso.yml", "service: " + "[" * 400 + "]" * 400 + "\n")
    assert "ecspresso.yml:1: $: invalid YAML: nested deeper than 100 levels" in _load_error(
        tmp_path / "ecspresso.yml"
    )


def test_yaml_alias_expansion_is_bounded_but_anchors_work(tmp_path: Path) -> None:
    _write(tmp_path, "td.json", json.dumps(PLAIN_TD))
    cfg = _write(
        tmp_path,
        "ecspresso.yml",
        "x-common: &c {cluster: c1}\nservice: s\ntask_definition: td.json\nignore: [*c, *c]\n",
    )
    assert load_config(cfg).sources["config"].line_of(["ignore", 1, "cluster"]) == 1
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 6)
    )
    _write(tmp_path, "ecspresso.yml", bomb)
    assert _load_error(cfg).endswith(
        "ecspresso.yml:4: $.a3: YAML aliases expand to more than 10000 nodes; refusing "
        "(an alias bomb?)"
    )


def test_libyaml_keeps_line_numbers(tmp_path: Path) -> None:
    _write(tmp_path, "td.yml", "family: web\n\ncontainerDefinitions:\n  - name: app\n    cpu: 1\n")
    doc = load_config(_cfg(tmp_path, "td.yml")).sources["taskdef"]
    assert doc.line_of(["containerDefinitions", 0, "cpu"]) == 5
    assert doc.line_of(["family"]) == 1


def test_unterminated_yaml_points_at_the_opening_line(tmp_path: Path) -> None:
    cfg = _write(tmp_path, "ecspresso.yml", 'service: s\ncluster: "c1\ntask_definition: td.json\n')
    assert _load_error(cfg).startswith(f"{cfg}:2: $: invalid YAML: while scanning a quoted")


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    (tmp_path / "td.json").mkdir()
    cfg = _cfg(tmp_path)
    (problem,) = load_config(cfg).problems
    assert (
        str(problem)
        == f"{cfg}:2: $.task_definition: is a directory, not a file: {tmp_path}/td.json"
    )
    assert _load_error(tmp_path) == f"{tmp_path}:1: $: is a directory, not a file"


def test_template_newlines_do_not_shift_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MULTI", "[\n1,\n2\n]")
    _write(
        tmp_path,
        "td.json",
        '{\n  "family": "web",\n  "x": {{ env `MULTI` }},\n  "y": 1,\n  "z": [\n]}',
    )
    doc = load_config(_cfg(tmp_path)).sources["taskdef"]
    assert [doc.line_of([k]) for k in ("family", "y", "z")] == [2, 4, 5]


def test_json_with_comments_and_trailing_commas_keeps_lines(tmp_path: Path) -> None:
    _write(tmp_path, "td.json", '{\n  // a comment\n  "family": "web",\n  "cpu": "256",\n}\n')
    doc = load_config(_cfg(tmp_path)).sources["taskdef"]
    assert doc.data == {"family": "web", "cpu": "256"}
    assert doc.line_of(["cpu"]) == 4
    # Jsonnet proper (locals, unquoted keys): the data differ from the text, lines are 1.
    _write(tmp_path, "td.json", '{\n  family: "web",\n  cpu: "256",\n}\n')
    assert load_config(_cfg(tmp_path)).sources["taskdef"].line_of(["cpu"]) == 1


def test_mistyped_key_suggests_the_known_one(tmp_path: Path) -> None:
    _write(tmp_path, "td.json", json.dumps(PLAIN_TD))
    cfg = _write(tmp_path, "ecspresso.yml", "service: s\ntask_definition: td.json\nclustr: c\n")
    assert load_config(cfg).warnings == (
        f"{cfg}:3: $.clustr: unknown key 'clustr' is ignored; did you mean 'cluster'?",
    )
