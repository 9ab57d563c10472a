"""`ecsplan init`: ecspresso.yml and both definition files from a live service."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.errors import EcsplanError
from planner.ops.init import SERVICE_DEF_FILE, TASK_DEF_FILE


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
    from planner.ops.init import init_files, read_live, write_files

    aws = g.aws(region)
    if region:
        aws.region = region  # init's own --region names where the service lives
    src = read_live(aws, aws.resolved_region(), cluster, service)
    for w in src.warnings:
        click.echo(f"warning: {w}", err=True)
    files = init_files(
        src.region, cluster, src.service, src.task_definition, src.codedeploy,
        paths=paths, jsonnet=jsonnet,
    )  # fmt: skip
    texts = (files.config, files.service_definition, files.task_definition)
    for path in write_files(targets, texts):
        click.echo(f"wrote {path}")
