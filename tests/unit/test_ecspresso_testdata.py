"""ecspresso's own test cases, replayed on its test data through ecsplan's loader.

Each test is one case of a Go test in kayac/ecspresso (named in the test id); the fixture
files under tests/data/ecspresso/ carry the inputs of ecspresso's tests/ folder (see the
README there for the source of each file). Files are loaded the way the CLI's ``render`` and
``validate`` load them: :func:`planner.config.load_config` with :class:`LoadOptions`.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from planner.canonical.service import canonical_service, managed_fields, service_view
from planner.canonical.taskdef import canonical_task_definition, task_definition_register_payload
from planner.cli.context import Globals
from planner.config import LoadOptions, ServiceConfig, load_config, validate_config
from planner.errors import ConfigError, ValidationFailed

DATA = Path(__file__).resolve().parent.parent / "data" / "ecspresso"
DEF_KEYS = ("service_definition", "task_definition")


def _config_with(tmp_path: Path, config: str, **defs: str) -> Path:
    """``config`` (a fixture) with its definition keys pointing at fixture files.

    ecspresso's tests call ``app.LoadTaskDefinition(path)`` with a path of their choosing
    under the app of ``config``; ecsplan loads definitions through the config, so the same
    pairing is a copy of the config whose ``task_definition``/``service_definition`` name
    that path (absolute, so the copy can live in tmp_path). Everything else is unchanged.
    """
    lines = (DATA / config).read_text().splitlines()
    out: list[str] = []
    for line in lines:
        key, _, value = line.partition(":")
        if key in DEF_KEYS:
            if key in defs:
                continue
            line = f"{key}: {DATA / value.strip()}"
        out.append(line)
    out += [f"{key}: {DATA / name}" for key, name in defs.items()]
    path = tmp_path / config
    path.write_text("\n".join(out) + "\n")
    return path


def _alone(tmp_path: Path, config: str) -> Path:
    """A copy of ``config`` without its definition files beside it.

    ecspresso's ConfigLoader.Load reads the config only; its definitions are read later, by
    the commands that need them. ecsplan renders the definitions while loading the config
    (so that ``validate`` reports every problem at once), and ecspresso's ecs-task-def.json
    calls ``tfstate``, which configs without the tfstate plugin do not define. Loading a copy
    of the config alone checks the config's own values; the absent definition files become
    non-fatal load problems, asserted to be the only ones.
    """
    path = tmp_path / config
    path.write_text((DATA / config).read_text())
    return path


def _only_missing_definitions(cfg: ServiceConfig) -> None:
    reasons = sorted(p.reason.split(":", 1)[0] for p in cfg.problems)
    assert reasons == ["file not found", "file not found"], cfg.problems


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The environment ecspresso's tests set (t.Setenv), restored afterwards."""
    for name in ("TAG", "JSON", "AWS_REGION", "ECSPRESSO_TEST", "ECSPRESSO_TEST2"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# --- config_test.go ---------------------------------------------------------------------


@pytest.mark.parametrize("definition", ["sv.json", "sv.jsonnet"])
def test_config_TestLoadServiceDefinition(tmp_path: Path, env: Any, definition: str) -> None:
    # app from tests/test.yaml; LoadServiceDefinition(c.ServiceDefinitionPath + ext), ext "" / "net"
    cfg = load_config(_config_with(tmp_path, "test.yaml", service_definition=definition))
    sv = cfg.service_definition
    assert sv is not None
    # serviceName comes from the config (ecspresso sets it on the loaded definition).
    assert cfg.service == "test"
    assert sv["desiredCount"] == 2
    assert sv["loadBalancers"][0]["targetGroupArn"] == (
        "arn:aws:elasticloadbalancing:us-east-1:1111111111:targetgroup/test/12345678"
    )
    assert sv["launchType"] == "EC2"
    assert sv["schedulingStrategy"] == "REPLICA"
    assert sv["propagateTags"] == "SERVICE"
    assert sv["tags"][0] == {"key": "cluster", "value": "default2"}
    dc = sv["deploymentConfiguration"]
    assert (dc["maximumPercent"], dc["minimumHealthyPercent"]) == (200, 50)
    assert dc["alarms"]["alarmNames"] == ["HighResponseLatencyAlarm"]
    assert cfg.problems == ()


def _expect_plugin_config(cfg: ServiceConfig) -> None:
    """The checks of ecspresso's testLoadConfigWithPlugin."""
    assert f"{cfg.service}/{cfg.cluster}" == "test/default"  # app.Name()
    assert cfg.timeout_seconds == 600.0
    sv = cfg.service_definition
    assert sv is not None
    vpc = sv["networkConfiguration"]["awsvpcConfiguration"]
    assert vpc["securityGroups"][0] == "sg-12345678"
    assert vpc["subnets"][0] == "subnet-07ac54af5e41a4fc4"
    cb = sv["deploymentConfiguration"]["deploymentCircuitBreaker"]
    assert cb["enable"] is True
    assert cb["rollback"] is True
    td = cfg.task_definition
    assert td is not None
    container = td["containerDefinitions"][0]
    assert container["image"] == "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:testing"
    assert container["environment"][0] == {"name": "JSON", "value": '{"foo":"bar"}'}
    assert cfg.problems == ()


def _plugin_env(env: pytest.MonkeyPatch) -> None:
    env.setenv("TAG", "testing")
    env.setenv("JSON", '{"foo":"bar"}')
    env.setenv("AWS_REGION", "ap-northeast-1")


@pytest.mark.parametrize(
    "config", ["ecspresso.yml", "ecspresso.yaml", "ecspresso.json", "ecspresso.jsonnet"]
)
def test_config_TestLoadConfigWithPlugin(env: Any, config: str) -> None:
    _plugin_env(env)
    cfg = load_config(DATA / config)
    _expect_plugin_config(cfg)
    assert cfg.region == "ap-northeast-1"  # {{ must_env `AWS_REGION` }}


@pytest.fixture
def pwd(tmp_path: Path, env: pytest.MonkeyPatch) -> Path:
    """A $PWD whose tests/ is the fixture folder (the configs name '$PWD/tests/...')."""
    (tmp_path / "tests").symlink_to(DATA, target_is_directory=True)
    env.setenv("PWD", str(tmp_path))
    return tmp_path


def test_config_TestLoadConfigWithPluginAbsPath(env: Any, pwd: Path) -> None:
    _plugin_env(env)
    cfg = load_config(DATA / "config_abs.yaml")
    _expect_plugin_config(cfg)
    assert cfg.task_definition_path == pwd / "tests" / "ecs-task-def.json"


def test_config_TestLoadConfigWithPluginMultiple(env: Any, pwd: Path) -> None:
    _plugin_env(env)
    cfg = load_config(DATA / "config_multiple_plugins.yaml")
    _expect_plugin_config(cfg)
    assert [(p.name, p.func_prefix) for p in cfg.plugins] == [
        ("tfstate", "bucket_"),
        ("tfstate", ""),
    ]
    # The prefixed plugin's function reads the other state file (bucket.tfstate).
    assert cfg.task_definition is not None
    env_vars = cfg.task_definition["containerDefinitions"][0]["environment"]
    assert env_vars[1] == {"name": "S3_URL", "value": "s3://example/"}


def test_config_TestLoadConfigWithPluginDuplicate(env: Any, pwd: Path) -> None:
    _plugin_env(env)
    # ecspresso: the load fails, the error ends with
    # "already exists. set func_prefix to tfstate plugin". ecsplan words it its own way
    # and reports it at the plugin entry, with what else the load found.
    with pytest.raises((ConfigError, ValidationFailed)) as e:
        cfg = load_config(DATA / "config_duplicate_plugins.yaml")
        raise ValidationFailed(validate_config(cfg))
    errors = e.value.errors if isinstance(e.value, ValidationFailed) else [e.value]
    duplicate = [x for x in errors if "already exists" in x.reason]
    assert len(duplicate) == 1, errors
    assert "tfstate" in duplicate[0].reason
    assert "func_prefix" in duplicate[0].reason
    assert duplicate[0].location.path == "$.plugins[1]"


def test_config_TestLoadConfigWithoutTimeout(tmp_path: Path, env: Any) -> None:
    env.setenv("AWS_REGION", "ap-northeast-2")
    cfg = load_config(_alone(tmp_path, "notimeout.yml"))
    assert cfg.timeout_seconds == 600.0  # ecspresso.DefaultTimeout
    assert cfg.region == "ap-northeast-2"  # from AWS_REGION
    _only_missing_definitions(cfg)


@pytest.mark.parametrize(
    "config", ["config_codedeploy.yml", "config_codedeploy.json", "config_codedeploy.jsonnet"]
)
def test_config_TestLoadConfigForCodeDeploy(tmp_path: Path, env: Any, config: str) -> None:
    cfg = load_config(_alone(tmp_path, config))
    assert cfg.codedeploy is not None
    assert cfg.codedeploy.application_name == "myapp"
    assert cfg.codedeploy.deployment_group_name == "mydeployment"
    _only_missing_definitions(cfg)


@pytest.mark.parametrize(("cli_filter", "expected"), [("", "fzf"), ("peco", "peco")])
def test_config_TestFilterCommandDeprecated(
    tmp_path: Path, env: Any, cli_filter: str, expected: str
) -> None:
    cfg = load_config(_alone(tmp_path, "filter_command.yml"))
    assert Globals(filter_command=cli_filter or None).filter_for(cfg.filter_command) == expected
    assert not [w for w in cfg.warnings if "filter_command" in w]
    _only_missing_definitions(cfg)


# --- ecspresso_test.go ------------------------------------------------------------------

TD_OPTIONS = LoadOptions(ext_str={"WorkerID": "3"}, ext_code={"EphemeralStorage": "24 + 1"})
TD_FILES = ["td.json", "td-plain.json", "td-in-tags.json", "td-plain-in-tags.json", "td.jsonnet"]


@pytest.mark.parametrize("definition", TD_FILES)
def test_ecspresso_TestLoadTaskDefinition(tmp_path: Path, env: Any, definition: str) -> None:
    config = _config_with(tmp_path, "td-config.yml", task_definition=definition)
    cfg = load_config(config, TD_OPTIONS)
    td = cfg.task_definition
    assert td is not None
    assert td["ephemeralStorage"]["sizeInGiB"] == 25  # ext-code "24 + 1" for td.jsonnet
    container = td["containerDefinitions"][0]
    assert container["dockerLabels"]["name"] == "katsubushi"
    assert container["logConfiguration"]["options"]["awslogs-group"] == "fargate"
    assert container["environment"][0] == {"name": "worker_id", "value": "3"}  # ext-str
    assert container["image"] == "katsubushi/katsubushi:latest"  # env `TAG` `latest`


@pytest.mark.parametrize(
    ("definition", "tags"),
    [
        ("td.json", []),
        ("td-plain.json", []),
        ("td.jsonnet", []),
        ("td-in-tags.json", [{"key": "TagKey", "value": "TagValue"}]),
        ("td-plain-in-tags.json", [{"key": "TagKey", "value": "TagValue"}]),
    ],
)
def test_ecspresso_TestLoadTaskDefinitionTags(
    tmp_path: Path, env: Any, definition: str, tags: list[dict[str, str]]
) -> None:
    # ecspresso: Tags is nil for the first three (td.jsonnet writes `tags: []`), non-empty
    # for the *-in-tags files. What a user sees of that is the RegisterTaskDefinition call:
    # no tags at all, or these tags.
    options = TD_OPTIONS if definition.endswith(".jsonnet") else LoadOptions()
    cfg = load_config(_config_with(tmp_path, "td-config.yml", task_definition=definition), options)
    assert cfg.task_definition is not None
    payload = task_definition_register_payload(cfg.task_definition)
    assert payload.get("tags", []) == tags
    if not tags:
        assert "tags" not in payload


# --- run_test.go (the cases that need no AWS) -------------------------------------------


@pytest.mark.parametrize(
    ("config", "task_def", "family"),
    [
        ("run-with-sv.yaml", None, "katsubushi"),
        ("run-with-sv.yaml", "run-test-td.json", "test"),
        ("run-without-sv.yaml", None, "katsubushi"),
        ("run-without-sv.yaml", "run-test-td.json", "test"),
    ],
)
def test_run_TestTaskDefinitionArnForRun_registers(
    tmp_path: Path, env: Any, config: str, task_def: str | None, family: str
) -> None:
    # "family <name> will be registered": `run` with no revision flag registers the config's
    # task definition, or the one given by --task-def.
    defs = {"task_definition": task_def} if task_def else {}
    cfg = load_config(_config_with(tmp_path, config, **defs))
    assert cfg.task_definition is not None
    assert task_definition_register_payload(cfg.task_definition)["family"] == family
    assert cfg.timeout_seconds == 300.0
    assert cfg.service == ("test" if config == "run-with-sv.yaml" else "")


# run_test.go TestTaskDefinitionArnForRun picks revisions from answers its AWS SDK mocks: its
# cases with a service run against the sandbox in
# tests/integration/test_ecspresso_flags.py::test_run_picks_the_revision_as_ecspressos_run_test;
# those without a service need a config with no `service`, which ecsplan does not take.


# --- cli_test.go: --envfile -------------------------------------------------------------


@pytest.mark.parametrize(
    ("envfiles", "expected"),
    [
        (["envfile"], {"ECSPRESSO_TEST": "ok"}),
        (["envfile", "envfile2"], {"ECSPRESSO_TEST": "ok2", "ECSPRESSO_TEST2": "ok2"}),
    ],
)
def test_cli_TestParseCLIv2_envfile(
    tmp_path: Path, env: pytest.MonkeyPatch, envfiles: list[str], expected: dict[str, str]
) -> None:
    # The variables are exported before templates run: a definition can read them.
    td = tmp_path / "td.json"
    td.write_text(
        json.dumps(
            {
                "family": "f",
                "containerDefinitions": [
                    {"name": n, "image": f"x:{{{{ must_env `{n}` }}}}"} for n in expected
                ],
            }
        )
    )
    config = tmp_path / "ecspresso.yml"
    config.write_text(f"region: ap-northeast-1\nservice: s\ntask_definition: {td}\n")
    options = LoadOptions(envfiles=tuple(str(DATA / f) for f in envfiles))
    cfg = load_config(config, options)
    for name, value in expected.items():
        assert os.environ[name] == value
    assert cfg.task_definition is not None
    images = {c["name"]: c["image"] for c in cfg.task_definition["containerDefinitions"]}
    assert images == {n: f"x:{v}" for n, v in expected.items()}


# --- diff_test.go -----------------------------------------------------------------------


def _definition(tmp_path: Path, key: str, name: str) -> dict[str, Any]:
    config = tmp_path / f"{Path(name).stem}.yml"
    config.write_text(f"region: ap-northeast-1\nservice: s\n{key}: {DATA / 'diff_test' / name}\n")
    cfg = load_config(config)
    doc = cfg.task_definition if key == "task_definition" else cfg.service_definition
    assert doc is not None
    return dict(doc)


def test_diff_TestTaskDefinitionDiffer(tmp_path: Path) -> None:
    # Same definition, written with units, other orders and an empty volumes list.
    td1 = _definition(tmp_path, "task_definition", "td1.json")
    td2 = _definition(tmp_path, "task_definition", "td2.json")
    assert td1 != td2
    assert canonical_task_definition(td1) == canonical_task_definition(td2)


def test_diff_TestServiceDefinitionDiffer(tmp_path: Path) -> None:
    # sv2 spells out the defaults sv1 leaves to AWS, and lists subnets/sgs in another order.
    sv1 = _definition(tmp_path, "service_definition", "sv1.json")
    sv2 = _definition(tmp_path, "service_definition", "sv2.json")
    assert canonical_service(sv1) == canonical_service(sv2)


UNITS = json.loads((DATA / "diff_test" / "units.json").read_text())


@pytest.mark.parametrize(
    ("kind", "given", "expected"),
    [("cpu", *pair) for pair in UNITS["cpu"]] + [("memory", *pair) for pair in UNITS["memory"]],
    ids=lambda v: re.sub(r"\s", "_", str(v)),
)
def test_diff_TestToNumber(tmp_path: Path, kind: str, given: str, expected: str) -> None:
    # ToNumberCPU / ToNumberMemory, seen through a loaded task definition.
    td = tmp_path / "td.json"
    td.write_text(json.dumps({"family": "f", "containerDefinitions": [], kind: given}))
    config = tmp_path / "ecspresso.yml"
    config.write_text(f"region: ap-northeast-1\nservice: s\ntask_definition: {td}\n")
    cfg = load_config(config)
    assert cfg.task_definition is not None
    assert cfg.task_definition[kind] == given
    assert canonical_task_definition(cfg.task_definition)[kind] == expected
    assert task_definition_register_payload(cfg.task_definition)[kind] == expected


@pytest.mark.parametrize(
    ("local", "remote", "differs"),
    [
        ("sv-no-desired-count.json", "sv-has-desired-count.json", False),
        ("sv-has-desired-count.json", "sv-no-desired-count.json", True),
    ],
    ids=["local desiredCount nil: ignored", "local desiredCount set: detected"],
)
def test_diff_TestDiffServices_desired_count(
    tmp_path: Path, local: str, remote: str, differs: bool
) -> None:
    local_sd = _definition(tmp_path, "service_definition", local)
    managed = managed_fields(local_sd)
    desired = service_view(canonical_service(local_sd), managed)
    live = service_view(
        canonical_service(_definition(tmp_path, "service_definition", remote)), managed
    )
    assert (desired != live) is differs


# --- tests/config_tfstate_in_config.* ----------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        "config_tfstate_in_config.yaml",
        "config_tfstate_in_config.json",
        "config_tfstate_in_config.jsonnet",
    ],
)
def test_config_tfstate_in_config(env: pytest.MonkeyPatch, config: str) -> None:
    # The files say what they check: config-level fields resolved from the tfstate plugin
    # the same file declares. So the cluster is the state's aws_ecs_cluster.main name.
    _plugin_env(env)
    state = json.loads((DATA / "terraform.tfstate").read_text())
    cluster = next(r for r in state["resources"] if r["type"] == "aws_ecs_cluster")
    cfg = load_config(DATA / config)
    assert cfg.cluster == cluster["instances"][0]["attributes"]["name"]
    assert f"{cfg.service}/{cfg.cluster}" == "test/default"
    assert [p.name for p in cfg.plugins] == ["tfstate"]
    _expect_plugin_config(cfg)
