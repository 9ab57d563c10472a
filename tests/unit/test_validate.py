"""`validate` reports every problem as FILE:LINE: $.path: message, all at once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner.config import LoadOptions, config_warnings, load_config, validate_config
from planner.config.workspace_file import load_workspace
from planner.errors import ConfigError, ValidationFailed

BASE = Path(__file__).resolve().parent.parent / "data" / "config" / "base"
ROOT = Path(__file__).resolve().parents[2]
CFG, TD, SD = "ecspresso.yml", "ecs-task-def.json", "ecs-service-def.json"

# (file to edit, old text, new text, expected "FILE:LINE: path: message" without the dir)
CASES = [
    (
        TD,
        '"512"',
        '"4096"',
        "ecs-task-def.json:6: $.memory: memory 4096 is not valid with cpu 256 on Fargate (allowed: 512, 1024, 2048)",
    ),
    (
        TD,
        '"256"',
        '"300"',
        "ecs-task-def.json:5: $.cpu: cpu 300 is not a Fargate size (allowed: 256, 512, 1024, 2048, 4096, 8192, 16384)",
    ),
    (
        TD,
        '"512"',
        '"lots"',
        """ecs-task-def.json:6: $.memory: cannot read memory 'lots' (use e.g. "512" or "2 GB")""",
    ),
    (
        TD,
        '"awsvpc"',
        '"bridge"',
        'ecs-task-def.json:3: $.networkMode: Fargate requires networkMode "awsvpc", got "bridge"\n'
        'ecs-service-def.json:4: $.networkConfiguration: networkConfiguration needs networkMode "awsvpc" in the task definition, got "bridge"',
    ),
    (
        TD,
        '"containerPort": 80 }',
        '"containerPort": 80, "hostPort": 8080 }',
        "ecs-task-def.json:11: $.containerDefinitions[0].portMappings[0].hostPort: hostPort must equal containerPort (80) with networkMode awsvpc",
    ),
    (
        TD,
        '"name": "http", ',
        '"name": "http", "protocol": "sctp", ',
        "ecs-task-def.json:11: $.containerDefinitions[0].portMappings[0].protocol: must be one of: tcp, udp",
    ),
    (
        TD,
        '"family": "web",',
        '"family": "web",\n  "famliy": "x",',
        'ecs-task-def.json:1: $: unknown field "famliy" (did you mean "family"?)',
    ),
    (TD, '"family": "web",', "", 'ecs-task-def.json:1: $: missing required field "family"'),
    (
        TD,
        "    }\n  ]",
        '    },\n    { "name": "app", "image": "busybox" }\n  ]',
        'ecs-task-def.json:13: $.containerDefinitions[1].name: duplicate container name "app" (first at line 9)',
    ),
    (
        TD,
        '"image": "nginx',
        '"dependsOn": [{ "containerName": "db", "condition": "START" }],\n      "image": "nginx',
        'ecs-task-def.json:10: $.containerDefinitions[0].dependsOn[0].containerName: no container named "db" in this task definition',
    ),
    (
        TD,
        '"name": "app",',
        '"name": "app", "essential": false,',
        "ecs-task-def.json:7: $.containerDefinitions: at least one container must be essential",
    ),
    (TD, '"cpu": "256",', "", "ecs-task-def.json:1: $: Fargate requires task-level cpu"),
    (
        SD,
        '"containerName": "app"',
        '"containerName": "api"',
        'ecs-service-def.json:8: $.loadBalancers[0].containerName: no container named "api" in the task definition',
    ),
    (
        SD,
        '"containerPort": 80',
        '"containerPort": 8080',
        'ecs-service-def.json:8: $.loadBalancers[0].containerPort: container "app" has no portMappings entry with containerPort 8080',
    ),
    (
        SD,
        '"desiredCount": 1',
        '"desiredCount": -1',
        "ecs-service-def.json:3: $.desiredCount: must be at least 0",
    ),
    (
        SD,
        '"desiredCount": 1,',
        '"desiredCount": 1,\n  "capacityProviderStrategy": [{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }],',
        "ecs-service-def.json:4: $.capacityProviderStrategy: launchType and capacityProviderStrategy are mutually exclusive",
    ),
    (
        SD,
        '"networkConfiguration": {\n    "awsvpcConfiguration": { "subnets": ["subnet-1"], "securityGroups": ["sg-1"] }\n  },',
        "",
        "ecs-service-def.json:1: $: the task definition uses networkMode awsvpc: networkConfiguration.awsvpcConfiguration is required",
    ),
    (
        SD,
        '"loadBalancers": [',
        '"deploymentController": { "type": "CODE_DEPLOY" },\n  "lb": [',
        'ecs-service-def.json:1: $: unknown field "lb"\necs-service-def.json:1: $.loadBalancers: a CODE_DEPLOY service needs loadBalancers',
    ),
    (
        SD,
        '"desiredCount": 1,',
        '"desiredCount": 1,\n  "deploymentConfiguration": { "maximumPercent": 50, "minimumHealthyPercent": 100 },',
        "ecs-service-def.json:4: $.deploymentConfiguration.maximumPercent: maximumPercent (50) must be >= minimumHealthyPercent (100)",
    ),
    (
        SD,
        '"desiredCount": 1,',
        '"desiredCount": 1,\n  "serviceName": "other",',
        'ecs-service-def.json:4: $.serviceName: serviceName "other" differs from the config\'s service "web"',
    ),
    (
        SD,
        '"desiredCount": 1,',
        '"desiredCount": 1,\n  "serviceConnectConfiguration": {\n    "enabled": true,\n    "services": [{ "portName": "grpc" }]\n  },',
        'ecs-service-def.json:6: $.serviceConnectConfiguration.services[0].portName: no portMappings entry named "grpc" in the task definition (named: http)',
    ),
    (
        SD,
        '"desiredCount": 1',
        '"desiredCount": "one"',
        'ecs-service-def.json:3: $.desiredCount: expected integer, got string "one"',
    ),
    (
        SD,
        '"launchType": "FARGATE"',
        '"launchType": "FARGATE_SPOT"',
        "ecs-service-def.json:2: $.launchType: must be one of: EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES",
    ),
    (
        CFG,
        "timeout: 5m",
        "timeout: soon",
        'ecspresso.yml:6: $.timeout: "soon" is not a duration such as "10m" or "1h30m"',
    ),
    (
        CFG,
        "timeout: 5m",
        "timeout: 5m\nrequired_version: '>= 3.0'",
        "ecspresso.yml:7: $.required_version: version v2.6.0 does not satisfy constraints required_version: >= 3.0 (ecsplan 0.1.0 follows ecspresso v2.6.0)",
    ),
    (
        CFG,
        "timeout: 5m",
        "timeout: 5m\nrequired_version: 'about two'",
        "ecspresso.yml:7: $.required_version: required_version has invalid format: Malformed constraint: about two",
    ),
    (
        CFG,
        "timeout: 5m",
        "timeout: 5m\nplugins:\n  - name: vault",
        "ecspresso.yml:8: $.plugins[0].name: plugin 'vault' is not available (known: cloudformation, secretsmanager, ssm, tfstate)",
    ),
    (
        CFG,
        "timeout: 5m",
        "timeout: 5m\ncodedeploy:\n  application_name: app",
        "ecspresso.yml:7: $.codedeploy: deployment_group_name is required with the other CodeDeploy name",
    ),
    (
        CFG,
        "timeout: 5m",
        "timeout: 5m\ncodedeploy:\n  auto_rollback: yes please",
        'ecspresso.yml:8: $.codedeploy.auto_rollback: expected boolean, got string "yes please"',
    ),
    (CFG, "service: web\n", "", 'ecspresso.yml:1: $: missing required field "service"'),
    (
        CFG,
        "task_definition: ecs-task-def.json",
        "task_definition: missing.json",
        "ecspresso.yml:5: $.task_definition: file not found: {dir}/missing.json",
    ),
    (
        CFG,
        "timeout: 5m",
        "timeout: 5m\nappspec:\n  Hooks:\n    - BeforeInstal: fn",
        'ecspresso.yml:9: $.appspec.Hooks[0]: field "BeforeInstal" must be one of: BeforeInstall, AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic',
    ),
]


def _copy(tmp_path: Path) -> Path:
    for f in BASE.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / CFG


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def _errors(cfg_path: Path) -> list[str]:
    try:
        cfg = load_config(cfg_path, LoadOptions())
    except ValidationFailed as e:
        return [str(x) for x in e.errors]
    except ConfigError as e:
        return [str(e)]
    return [str(e) for e in validate_config(cfg)]


def test_base_fixture_is_valid(tmp_path: Path) -> None:
    assert _errors(_copy(tmp_path)) == []


@pytest.mark.parametrize(("file", "old", "new", "expected"), CASES)
def test_invalid_document_reports_file_line_path(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    cfg = _copy(tmp_path)
    _edit(tmp_path / file, old, new)
    want = [f"{tmp_path}/{line}" for line in expected.format(dir=tmp_path).split("\n")]
    assert _errors(cfg) == want


def test_all_errors_at_once_and_syntax_errors_carry_the_parser_line(tmp_path: Path) -> None:
    cfg = _copy(tmp_path)
    _edit(tmp_path / TD, '"512"', '"4096"')
    _edit(tmp_path / SD, '"desiredCount": 1', '"desiredCount": -1')
    assert len(_errors(cfg)) == 2
    _edit(tmp_path / SD, '"launchType": "FARGATE",', '"launchType": "FARGATE"')
    assert _errors(cfg) == [f"{tmp_path}/{SD}:3: $: invalid JSON: Expecting ',' delimiter"]
    _edit(tmp_path / CFG, "cluster: my-cluster", "cluster: [my-cluster")
    assert _errors(cfg)[0].startswith(f"{tmp_path}/{CFG}:3: $: invalid YAML:")


def test_code_deploy_without_codedeploy_section_warns_discovery(tmp_path: Path) -> None:
    cfg_path = _copy(tmp_path)
    _edit(
        tmp_path / SD,
        '"loadBalancers"',
        '"deploymentController": { "type": "CODE_DEPLOY" },\n  "loadBalancers"',
    )
    cfg = load_config(cfg_path)
    assert validate_config(cfg) == []
    assert config_warnings(cfg) == [
        f"{tmp_path}/{SD}:7: $.deploymentController.type: no codedeploy application in the "
        "config; it will be discovered from the service's deployment group"
    ]


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "example", ["single-service", "blue-green", "fargate-spot", "service-connect", "autoscaling"]
)
def test_examples_validate_ok(example: str) -> None:
    r = _run("-c", f"examples/{example}/ecspresso.yml", "validate")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"OK examples/{example}/ecspresso.yml: service my-cluster/")


def test_workspace_example_validates_every_service() -> None:
    r = _run("-w", "examples/microservices/workspace.yml", "validate")
    assert r.returncode == 0, r.stderr
    assert [line.split(":")[0] for line in r.stdout.splitlines()] == [
        f"OK examples/microservices/services/{s}/ecspresso.yml"
        for s in ("database", "api", "frontend")
    ]


def test_cli_validate_exits_1_listing_every_error(tmp_path: Path) -> None:
    cfg = _copy(tmp_path)
    _edit(tmp_path / TD, '"512"', '"4096"')
    _edit(tmp_path / SD, '"desiredCount": 1', '"desiredCount": -1')
    _edit(tmp_path / CFG, "timeout: 5m", "timeout: 5m\nmystery: 1")
    r = _run("-c", str(cfg), "validate")
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert lines[0] == f"warning: {cfg}:7: $.mystery: unknown key 'mystery' is ignored"
    assert lines[1].startswith(f"Error: {tmp_path}/{TD}:6: $.memory: memory 4096")
    assert lines[2] == f"{tmp_path}/{SD}:3: $.desiredCount: must be at least 0"


def _workspace(tmp_path: Path, services: str) -> Path:
    cfg = _copy(tmp_path)
    ws = tmp_path / "workspace.yml"
    ws.write_text(services.replace("CFG", str(cfg)))
    return ws


def test_workspace_unknown_dependency_is_named(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, "services:\n  a:\n    config: CFG\n    depends_on: [b]\n")
    with pytest.raises(ValidationFailed) as e:
        load_workspace(ws)
    assert [str(x) for x in e.value.errors] == [
        f'{ws}:4: $.services.a.depends_on[0]: unknown service "b"'
    ]


def test_workspace_cycle_is_named(tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path,
        "services:\n  a:\n    config: CFG\n    depends_on: [c]\n"
        "  b:\n    config: CFG\n    depends_on: [a]\n"
        "  c:\n    config: CFG\n    depends_on: [b]\n",
    )
    with pytest.raises(ValidationFailed) as e:
        load_workspace(ws)
    (err,) = e.value.errors
    assert err.reason.startswith("dependency cycle: ")
    cycle = err.reason.removeprefix("dependency cycle: ").split(" -> ")
    assert cycle[0] == cycle[-1] and sorted(cycle[:-1]) == ["a", "b", "c"]


def test_render_prints_rendered_json(tmp_path: Path) -> None:
    cfg = _copy(tmp_path)
    r = _run("-c", str(cfg), "render", "taskdef")
    assert r.returncode == 0, r.stderr
    assert '"image": "nginx:1.27"' in r.stdout
    assert r.stdout.lstrip().startswith("{")


def test_task_definition_over_64_kib_is_an_error(tmp_path: Path) -> None:
    """Under the 1 MiB file limit but over what RegisterTaskDefinition accepts."""
    cfg = _copy(tmp_path)
    _edit(tmp_path / "ecs-task-def.json", '"name": "app",', f'"name": "app", "x": "{"y" * 70000}",')
    (error,) = [e for e in _errors(cfg) if "bytes" in e]
    assert f"{tmp_path}/ecs-task-def.json:1: $: task definition is " in error
    assert error.endswith(" bytes; ECS accepts at most 65536")
