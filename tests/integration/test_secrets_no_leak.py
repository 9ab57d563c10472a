"""Planted secrets never leave ecsplan except towards AWS, where they must arrive intact.

A copy of examples/single-service gets three kinds of secret:

- an ssm SecureString read by ``{{ ssm `/app/db_password` }}`` into an environment entry whose
  name does NOT look secret (``DB_CONN``), and rotated between two deployments;
- a Secrets Manager secret whose ARN comes from ``{{ secretsmanager_arn `app/token` }}``
  (the ARN is a reference and is shown, as ecspresso shows it; the secret's value is never
  read);
- a literal value in an environment entry named ``DB_PASSWORD``.

Then the whole life cycle runs (plan in every format and to a file, apply of the file,
deploy, state list/show, rollback) and every byte a user or a CI log can see is searched:
stdout, stderr, the plan file, the Markdown comment files and every file under the state
directory. The task definitions registered in the sandbox must hold the real values.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import Result, client, run_inproc

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-northeast-1"
QUIET = {"NO_COLOR": "1", "COLUMNS": "200", "ECSPLAN_POLL_INTERVAL": "0.05"}

SSM_OLD = "ssm-Planted-0ld-Pw-7f3a9c"
SSM_NEW = "ssm-Planted-N3w-Pw-c4e18b"
LITERAL = "literal-Planted-Pw-5d2e77"
SM_VALUE = "sm-Planted-Token-9b1f0a"  # never in the config; must never be read either

pytestmark = pytest.mark.integration


def ecsplan(cfg: Path, state: Path, *args: str, env: Mapping[str, str] | None = None) -> Result:
    return run_inproc([cfg], state, *args, env={**QUIET, **(env or {})})


def _setup(sandbox: Any, tmp_path: Path) -> tuple[Path, str]:
    """The example with the planted secrets; the SSM parameter and the secret exist."""
    src = ROOT / "examples" / "single-service"
    dest = tmp_path / "single-service"
    shutil.copytree(src, dest)
    td_path = dest / "ecs-task-def.json"
    td = json.loads(td_path.read_text())
    container = td["containerDefinitions"][0]
    container["environment"] += [
        {"name": "DB_CONN", "value": "{{ ssm `/app/db_password` }}"},
        {"name": "DB_PASSWORD", "value": LITERAL},
    ]
    container["secrets"] = [
        {"name": "APP_TOKEN", "valueFrom": "{{ secretsmanager_arn `app/token` }}"}
    ]
    td_path.write_text(json.dumps(td, indent=2))
    client(sandbox, "ssm").put_parameter(
        Name="/app/db_password", Value=SSM_OLD, Type="SecureString"
    )
    arn = client(sandbox, "secretsmanager").create_secret(Name="app/token", SecretString=SM_VALUE)[
        "ARN"
    ]
    sandbox.prepare([str(src / "ecspresso.yml")])  # cluster, target group (no templates)
    return dest / "ecspresso.yml", arn


def _registered_env(sandbox: Any, family: str) -> list[dict[str, Any]]:
    ecs = client(sandbox, "ecs")
    out = []
    for arn in ecs.list_task_definitions(familyPrefix=family)["taskDefinitionArns"]:
        td = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        out.append(td["containerDefinitions"][0])
    return out


def test_planted_secrets_never_leak(sandbox: Any, tmp_path: Path) -> None:
    cfg, sm_arn = _setup(sandbox, tmp_path)
    state = tmp_path / "state"
    planted = {
        "ssm SecureString (old)": SSM_OLD,
        "ssm SecureString (new)": SSM_NEW,
        "literal DB_PASSWORD": LITERAL,
        "Secrets Manager value": SM_VALUE,
    }
    outputs: dict[str, Result] = {}
    plan_file = tmp_path / "plan.json"
    comment = tmp_path / "comment.md"

    def run(label: str, *args: str, env: Mapping[str, str] | None = None, ok: int = 0) -> Result:
        r = ecsplan(cfg, state, *args, env=env)
        assert r.code == ok, f"{label}: {r}"
        outputs[label] = r
        return r

    # First deployment (creates the service) from a reviewed plan file.
    run("validate", "validate")
    render = run("render taskdef", "render", "taskdef")
    run("plan text", "plan")
    run("plan markdown", "plan", "--format", "markdown")
    run("plan json", "plan", "--format", "json")
    run(
        "plan --out",
        "plan",
        "--out",
        str(plan_file),
        "--format",
        "markdown",
        "--comment-file",
        str(comment),
    )
    run("apply plan file", "apply", str(plan_file))

    # Rotate the SecureString; deploy a new image: the diff holds the old and the new value.
    client(sandbox, "ssm").put_parameter(
        Name="/app/db_password", Value=SSM_NEW, Type="SecureString", Overwrite=True
    )
    tag = {"IMAGE_TAG": "1.28"}
    run("plan after rotation", "plan", "--format", "markdown", env=tag)
    run("plan json after rotation", "plan", "--format", "json", env=tag)
    run("deploy", "deploy", env=tag)
    run("state list", "state", "list")
    run("state show", "state", "show", "myservice")
    run("state show json", "state", "show", "myservice", "--format", "json")
    run("rollback dry-run", "rollback", "--dry-run")
    run("rollback", "rollback")
    run("state show after rollback", "state", "show", "myservice", "--format", "json")

    files = [plan_file, comment, *sorted(tmp_path.glob("comment*.md"))]
    files += [p for p in sorted(state.rglob("*")) if p.is_file()]
    assert any("runs" in p.parts for p in files), "no journal was written"

    leaks = []
    for label, out in outputs.items():
        for what, value in planted.items():
            if out is render and value == LITERAL:
                continue  # see test_render_masks_secret_looking_environment_values
            for stream, text in (("stdout", out.stdout), ("stderr", out.stderr)):
                if value in text:
                    leaks.append(f"{what} in `{label}` {stream}")
    for path in files:
        data = path.read_bytes()
        for what, value in planted.items():
            if value.encode() in data:
                leaks.append(f"{what} in {path.relative_to(tmp_path)}")
    assert leaks == [], "\n".join(leaks)

    # Masked, not dropped: the outputs say a sensitive value is there.
    assert "(sensitive:" in plan_file.read_text(), "the plan file keeps hashed placeholders"
    assert "(sensitive)" in outputs["plan text"].stdout
    assert "The sensitive value of `web/DB_CONN` changes." in outputs["plan after rotation"].stdout

    # AWS got the exact values: revision 1 (old SSM value), 2 (rotated), 3? no: rollback
    # re-points the service at revision 1 and deregisters revision 2.
    containers = _registered_env(sandbox, "myservice")
    envs = [{e["name"]: e["value"] for e in c.get("environment", [])} for c in containers]
    assert {e.get("DB_CONN") for e in envs} >= {SSM_OLD}
    assert all(e.get("DB_PASSWORD") == LITERAL for e in envs)
    assert all(c["secrets"] == [{"name": "APP_TOKEN", "valueFrom": sm_arn}] for c in containers)
    every = client(sandbox, "ecs").list_task_definitions(
        familyPrefix="myservice", status="INACTIVE"
    )
    inactive = [
        client(sandbox, "ecs").describe_task_definition(taskDefinition=a)["taskDefinition"]
        for a in every["taskDefinitionArns"]
    ]
    rotated = [
        e["value"]
        for td in inactive
        for e in td["containerDefinitions"][0].get("environment", [])
        if e["name"] == "DB_CONN"
    ]
    assert rotated == [SSM_NEW], "the deployed (then rolled back) revision had the new value"
    assert sandbox.stats()["requests"].get("secretsmanager:GetSecretValue", 0) == 0


def test_render_masks_secret_looking_environment_values(sandbox: Any, tmp_path: Path) -> None:
    cfg, arn = _setup(sandbox, tmp_path)
    r = ecsplan(cfg, tmp_path / "state", "render", "taskdef")
    assert r.code == 0, r
    assert SSM_OLD not in r.stdout
    assert LITERAL not in r.stdout, "DB_PASSWORD's value printed by render"
    # an ARN is not a secret: ecspresso's render prints it (render.go has no masking;
    # secretsmanager/funcs.go returns DescribeSecret's ARN), and so does ecsplan
    assert f'"valueFrom": "{arn}"' in r.stdout


# --- templates cannot run commands or read arbitrary files ------------------------------------


def _render(tmp_path: Path, template: str) -> str:
    from planner.config import LoadOptions, load_config

    base = ROOT / "tests" / "data" / "config" / "base"
    for f in base.iterdir():
        shutil.copy(f, tmp_path / f.name)
    td = tmp_path / "ecs-task-def.json"
    td.write_text(td.read_text().replace("{{ env `TAG` `1.27` }}", template))
    cfg = load_config(tmp_path / "ecspresso.yml", LoadOptions())
    assert cfg.task_definition is not None
    return str(cfg.task_definition["containerDefinitions"][0]["image"])


@pytest.mark.parametrize(
    "template",
    [
        '{{ env "$(touch PWNED)" "safe" }}',
        '{{ env "`touch PWNED`" "safe" }}',
        '{{ env "X; touch PWNED" "safe" }}',
        '{{ env "X" "$(touch PWNED)" }}',
    ],
)
def test_env_is_not_a_shell(tmp_path: Path, template: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    image = _render(tmp_path, template)
    assert image in ("nginx:safe", "nginx:$(touch PWNED)")
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    "template",
    [
        '{{ readFile "/etc/passwd" }}',
        '{{ file "/etc/passwd" }}',
        '{{ include "/etc/passwd" }}',
        '{{ template "x" }}',
        '{{ exec "id" }}',
        '{{ shell "id" }}',
        "{{ call .X }}",
        '{{ printf "%s" "x" }}',
        '{{ index . "x" }}',
    ],
)
def test_no_template_function_reads_files_or_runs_commands(tmp_path: Path, template: str) -> None:
    from planner.errors import ConfigError

    with pytest.raises(ConfigError) as e:
        _render(tmp_path, template)
    assert str(e.value).startswith(f"{tmp_path}/ecs-task-def.json:10: $: ")


def test_only_known_template_functions_exist() -> None:
    from planner.config.functions import FunctionSet

    assert sorted(FunctionSet(None).funcs) == [
        "cfn_export",
        "cfn_output",
        "env",
        "json_escape",
        "must_env",
        "secretsmanager_arn",
        "secretsmanager_arnf",
        "ssm",
    ]


def test_tfstate_outside_the_config_tree_only_when_named_in_the_config(tmp_path: Path) -> None:
    """tfstate reads the file the config names, even outside its directory; nothing else."""
    from planner.config import LoadOptions, load_config
    from planner.errors import ConfigError

    outside = tmp_path / "infra" / "terraform.tfstate"
    outside.parent.mkdir()
    outside.write_text(
        json.dumps(
            {
                "version": 4,
                "resources": [
                    {
                        "mode": "managed",
                        "type": "aws_ecr_repository",
                        "name": "app",
                        "instances": [{"attributes": {"repository_url": "repo.example/app"}}],
                    }
                ],
            }
        )
    )
    svc = tmp_path / "svc"
    svc.mkdir()
    base = ROOT / "tests" / "data" / "config" / "base"
    for f in base.iterdir():
        shutil.copy(f, svc / f.name)
    td = svc / "ecs-task-def.json"
    td.write_text(
        td.read_text().replace(
            "nginx:{{ env `TAG` `1.27` }}", "{{ tfstate `aws_ecr_repository.app.repository_url` }}"
        )
    )
    # Without a tfstate plugin in the config: no function, whatever files exist.
    with pytest.raises(ConfigError, match='function "tfstate" not defined'):
        load_config(svc / "ecspresso.yml", LoadOptions())
    # Named explicitly (a relative path leaving the config's directory): read.
    cfg = svc / "ecspresso.yml"
    cfg.write_text(
        cfg.read_text() + "plugins:\n  - name: tfstate\n    config:\n"
        "      path: ../infra/terraform.tfstate\n"
    )
    loaded = load_config(cfg, LoadOptions())
    assert loaded.task_definition is not None
    assert loaded.task_definition["containerDefinitions"][0]["image"] == "repo.example/app"
