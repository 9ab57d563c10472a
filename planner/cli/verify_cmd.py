"""`ecsplan verify`: check what a deploy needs besides the definitions (ecspresso verify;
planner/ops/verify.py checks, planner/render/verify_view.py shows)."""

from __future__ import annotations

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--get-secrets/--no-get-secrets",
    default=True,
    show_default=True,
    help="Check the secrets and SSM parameters the containers read (SKIP them with --no-).",
)
@click.option(
    "--put-logs/--no-put-logs",
    default=True,
    show_default=True,
    help="Check the awslogs log groups (SKIP them with --no-). No log event is written.",
)
@click.option(
    "--cache/--no-cache",
    default=True,
    hidden=True,
    help="ecspresso's verify cache: ecsplan checks each resource once per run either way.",
)
@pass_globals
def verify(g: Globals, fmt: str, get_secrets: bool, put_logs: bool, cache: bool) -> int:
    """Check the cluster, roles (and their trust of ecs-tasks), ECR images, secrets and SSM
    parameters, log groups, target groups and awsvpc subnets/security groups: OK, NG or SKIP
    each, as a tree. Exit 1 when anything is NG."""
    from planner.ops.verify import NG, VerifyOptions, summary, verify_all
    from planner.render.verify_view import show_verify

    trees = verify_all(g.session(), VerifyOptions(get_secrets=get_secrets, put_logs=put_logs))
    show_verify(trees, fmt, g.color)
    return 1 if summary(trees).get(NG) else 0
