"""`ecsplan init`: ecspresso.yml and both definition files from a live service, or, for
several services (--all, repeated --service, a glob), the guide's services/<name>/ layout
with a workspace.yml."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.errors import EcsplanError
from planner.ops.init import SERVICE_DEF_FILE, TASK_DEF_FILE, jsonnet_path

if TYPE_CHECKING:
    from planner.aws.clients import AwsContext
    from planner.ops.init import InitResult

__all__ = ["init", "jsonnet_path"]


@cli.command()
@click.option(
    "--service",
    "services",
    multiple=True,
    metavar="NAME|GLOB",
    help="Live service to write. Repeated, or a glob ('api-*'): the services/<name>/ layout "
    "and a workspace.yml, as --all.",
)
@click.option(
    "--all",
    "all_services",
    is_flag=True,
    help="Every service of --cluster: services/<name>/ecspresso.yml and definitions, and a "
    "workspace.yml listing them.",
)
@click.option("--cluster", default=None, help="Its cluster (default: default; --all needs it).")
@click.option("--region", help="AWS region of the service (default: --region, AWS_REGION).")
@click.option(
    "--dir",
    "directory",
    default=None,
    metavar="DIR",
    help="Where the services/ layout and workspace.yml go (default: the directory of the "
    "global -w file, else .). Several services only.",
)
@click.option(
    "--config",
    "config_path",
    default=None,
    metavar="PATH",
    help="Config to write (default: the global --config, else ecspresso.yml); the "
    "definition files go next to it. One service only.",
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
@click.option(
    "--sort/--no-sort",
    "sort_",
    default=False,
    help="Accepted for ecspresso; definitions are always written normalized and sorted.",
)
@pass_globals
def init(
    g: Globals,
    services: tuple[str, ...],
    all_services: bool,
    cluster: str | None,
    region: str | None,
    directory: str | None,
    config_path: str | None,
    service_definition_path: str,
    task_definition_path: str,
    jsonnet: bool,
    force: bool,
    sort_: bool,
) -> None:
    """Write ecspresso.yml, ecs-service-def.json and ecs-task-def.json from a live service,
    normalized (read-only fields and AWS defaults dropped, keys sorted) so that `plan` right
    after says "No changes". With --all (or several --service, or a glob), the same files
    for each service under DIR/services/<name>/ and DIR/workspace.yml, for `ecsplan -w`;
    all written, or none."""
    from planner.ops.init_fleet import is_glob
    from planner.render.init_view import fleet_lines, written_lines

    paths = (service_definition_path, task_definition_path)
    several = all_services or directory is not None or len(services) > 1
    if not several and not any(map(is_glob, services)):
        if not services:
            raise click.UsageError("Missing option '--service' (or --all with --cluster).")
        one = _init_one(
            g, services[0], cluster or "default", region, config_path, paths, jsonnet, force
        )
        _echo(one.warnings, written_lines(one.written))
        return
    _check_fleet_flags(services, all_services, cluster, config_path)
    root, workspace = _fleet_target(g.workspace, directory)
    from planner.ops.init_fleet import FleetSelection, LayoutOptions, init_fleet

    aws = _aws(g, region)
    fleet = init_fleet(
        aws,
        aws.resolved_region(),
        FleetSelection(cluster or "default", services, all_services),
        root,
        LayoutOptions(paths, jsonnet, workspace),
        force=force,
    )
    _echo(fleet.warnings, fleet_lines(fleet))


def _echo(warnings: Sequence[str], lines: Sequence[str]) -> None:
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    for line in lines:
        click.echo(line)


def _init_one(
    g: Globals,
    service: str,
    cluster: str,
    region: str | None,
    config_path: str | None,
    paths: tuple[str, str],
    jsonnet: bool,
    force: bool,
) -> InitResult:
    """One service, as ecspresso: its config where --config (or -c) says, definitions next
    to it."""
    from planner.ops.init import init_service

    config_name = config_path or (g.configs[0] if g.configs else "ecspresso.yml")
    if jsonnet:
        config_name = jsonnet_path(config_name)
        paths = (jsonnet_path(paths[0]), jsonnet_path(paths[1]))
    aws = _aws(g, region)
    region = aws.resolved_region()
    config = Path(config_name)
    return init_service(aws, region, cluster, service, config, paths, jsonnet=jsonnet, force=force)


def _check_fleet_flags(
    services: Sequence[str], all_services: bool, cluster: str | None, config_path: str | None
) -> None:
    """Flags that make no sense for several services, refused before any AWS call."""
    if all_services and services:
        raise EcsplanError("init: --all and --service exclude each other; give one of them")
    if all_services and not cluster:
        raise EcsplanError("init: --all needs --cluster (the cluster whose services to write)")
    if config_path:
        raise EcsplanError(
            "init: --config names one service's config; several services are written as "
            "DIR/services/<name>/ecspresso.yml (see --dir)"
        )


def _fleet_target(workspace: str | None, directory: str | None) -> tuple[Path, str]:
    """The target directory and the workspace file's name in it: -w names the file (and,
    without --dir, the directory), since its config paths are relative to it."""
    if workspace is None:
        return Path(directory or "."), "workspace.yml"
    ws = Path(workspace)
    root = Path(directory) if directory is not None else ws.parent
    if ws.parent.resolve() != root.resolve():
        raise EcsplanError(
            f"init: the workspace file goes in the target directory: -w {workspace} is not "
            f"in --dir {directory}"
        )
    return root, ws.name


def _aws(g: Globals, region: str | None) -> AwsContext:
    """The AWS context; init's own --region names where the services live."""
    aws = g.aws(region)
    if region:
        aws.region = region
    return aws
