"""`ecsplan init`: ecspresso.yml and both definition files from a live service."""

from __future__ import annotations

from pathlib import Path

import click

from planner.aws.reads import LiveReader, ServiceRef
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.errors import AwsError, EcsplanError
from planner.ops.init import SERVICE_DEF_FILE, TASK_DEF_FILE, init_files


def jsonnet_path(path: str) -> str:
    """ecspresso --jsonnet: a .json (or .yml/.yaml config) file becomes .jsonnet."""
    p = Path(path)
    return str(p.with_suffix(".jsonnet")) if p.suffix in (".json", ".yml", ".yaml") else path


@cli.command()
@click.option("--service", required=True, help="Name of the live service.")
@click.option("--cluster", default="default", show_default=True, help="Its cluster.")
@click.option("--region", help="AWS region of the service (default: --region, AWS_REGION).")
@click.option(
    "--config",
    "config_path",
    default=None,
    metavar="PATH",
    help="Config to write (default: the global --config, else ecspresso.yml); the "
    "definition files go next to it.",
)
@click.option(
    "--service-definition-path",
    default=SERVICE_DEF_FILE,
    show_default=True,
    help="Service definition file to write, relative to the config.",
)
@click.option(
    "--task-definition-path",
    default=TASK_DEF_FILE,
    show_default=True,
    help="Task definition file to write, relative to the config.",
)
@click.option(
    "--jsonnet", is_flag=True, help="Write .jsonnet files (JSON text, which Jsonnet reads)."
)
@click.option(
    "--force", "--force-overwrite", "force", is_flag=True, help="Overwrite existing files."
)
@pass_globals
def init(
    g: Globals,
    service: str,
    cluster: str,
    region: str | None,
    config_path: str | None,
    service_definition_path: str,
    task_definition_path: str,
    jsonnet: bool,
    force: bool,
) -> None:
    """Write ecspresso.yml, ecs-service-def.json and ecs-task-def.json from a live service,
    normalized (read-only fields and AWS defaults dropped, keys sorted) so that `plan` right
    after says "No changes"."""
    config_name = config_path or (g.configs[0] if g.configs else "ecspresso.yml")
    paths = (service_definition_path, task_definition_path)
    if jsonnet:
        config_name = jsonnet_path(config_name)
        paths = (jsonnet_path(paths[0]), jsonnet_path(paths[1]))
    config = Path(config_name)
    targets = [config, config.parent / paths[0], config.parent / paths[1]]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise EcsplanError(f"init: {', '.join(existing)} already exist; use --force to overwrite")
    aws = g.aws(region)
    if region:
        aws.region = region  # init's own --region names where the service lives
    region = aws.resolved_region()
    reader = LiveReader(aws)
    ref = ServiceRef(region, cluster, service)
    live = reader.services([ref]).get(ref)
    if live is None or live.get("status") == "INACTIVE":
        raise EcsplanError(f"init: service {cluster}/{service} not found in {region}")
    td_arn = str(live["taskDefinition"])
    td = reader.task_definitions([(region, td_arn)])[td_arn]
    codedeploy = None
    if (live.get("deploymentController") or {}).get("type") == "CODE_DEPLOY":
        try:
            codedeploy = reader.discover_codedeploy_group(region, cluster, service)
        except AwsError as e:  # the files are still right; plan will discover the group
            click.echo(f"warning: no codedeploy: section written ({e})", err=True)
    files = init_files(region, cluster, live, td, codedeploy, paths=paths, jsonnet=jsonnet)
    for path, text in zip(
        targets, (files.config, files.service_definition, files.task_definition), strict=True
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}")
