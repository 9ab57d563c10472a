"""`ecsplan appspec`: the AppSpec ecsplan sends to CodeDeploy for a CODE_DEPLOY service."""

from __future__ import annotations

import json

import click
import yaml

from planner.aws.reads import LiveReader, ServiceRef
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.services import select
from planner.errors import EcsplanError
from planner.plan.codedeploy_plan import appspec_for


@cli.command()
@click.option(
    "--task-definition",
    "which",
    default="current",
    show_default=True,
    metavar="current|latest|ARN",
    help="TaskDefinition in the AppSpec: the service's, the family's newest, or an ARN.",
)
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml")
@pass_globals
def appspec(g: Globals, which: str, fmt: str) -> None:
    """Print the AppSpec (version 0.0, TargetService, hooks from the config)."""
    sel = select(g)
    for e in sel.entries:
        cfg = e.config
        aws = g.aws(cfg.region)
        region = aws.region or cfg.region or aws.resolved_region()
        reader = LiveReader(aws)
        if which == "current":
            svc = reader.services([ServiceRef(region, cfg.cluster, cfg.service)]).get(
                ServiceRef(region, cfg.cluster, cfg.service)
            )
            if svc is None:
                raise EcsplanError(f"{e.key}: service {cfg.cluster}/{cfg.service} not found")
            arn = svc.get("taskDefinition")
        elif which == "latest":
            family = (cfg.task_definition or {}).get("family")
            arn = reader.latest_task_definition(region, str(family)) if family else None
            if arn is None:
                raise EcsplanError(f"{e.key}: no ACTIVE revision of family {family}")
        else:
            arn = which
        spec = appspec_for(e.key, cfg.appspec, cfg.service_definition or {}, arn)
        if fmt == "json":
            click.echo(json.dumps(spec, indent=2))
        else:
            click.echo(yaml.safe_dump(spec, sort_keys=False), nl=False)
