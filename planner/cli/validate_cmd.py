"""`ecsplan validate` and `ecsplan render`: local checks and rendered documents, no AWS writes.

Only the read-only template lookups (ssm, secretsmanager_arn, cfn_*, s3:// tfstate) may
reach AWS, and only when a template uses them.
"""

from __future__ import annotations

from collections.abc import Iterable

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.errors import ConfigError, ValidationFailed
from planner.render.printable import json_text, printable

TARGETS = ("config", "servicedef", "taskdef")
# ecspresso's long names of the same targets.
ALIASES = {"service-definition": "servicedef", "task-definition": "taskdef"}


def _warn(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(f"warning: {printable(line)}", err=True)


@cli.command()
@pass_globals
def validate(g: Globals) -> None:
    """Check configs and definitions (schema + semantic); print every error as
    FILE:LINE: $.path: message and exit 1 if there is any. Nothing is sent to AWS except
    the read-only lookups templates ask for (ssm, secretsmanager_arn, cfn_*, tfstate)."""
    from planner.ops.validation import check_config, workspace_errors

    options = g.load_options()
    checked = []
    errors: list[ConfigError] = []
    for path in g.selected_paths(options):
        c = check_config(path, options)
        _warn(c.warnings)
        errors.extend(c.errors)
        if c.config is not None:
            click.echo(printable(f"OK {path}: service {c.config.cluster}/{c.config.service}"))
        checked.append(c)
    if g.workspace and not errors:
        errors.extend(workspace_errors(g.workspace, options, checked, g.region))
    if errors:
        raise ValidationFailed(errors)


@cli.command()
@click.argument("targets", nargs=-1, type=click.Choice([*TARGETS, *ALIASES]))
@click.option(
    "--show-sensitive",
    is_flag=True,
    help="Print values from ssm SecureString and Secrets Manager instead of masking them.",
)
@click.option(
    "--jsonnet", is_flag=True, help="Accepted for ecspresso: the output is JSON, valid Jsonnet."
)
@pass_globals
def render(g: Globals, targets: tuple[str, ...], show_sensitive: bool, jsonnet: bool) -> None:
    """Print the rendered (templated) documents as JSON: config, servicedef, taskdef
    (all three when none is named; service-definition and task-definition also work).
    Values from ssm SecureString and Secrets Manager, and of secret-looking environment
    variables, show as "(sensitive)" unless --show-sensitive."""
    from planner.ops.validation import render_documents
    from planner.render.secrets import mask

    targets = tuple(ALIASES.get(t, t) for t in targets)
    options = g.load_options()
    paths = g.selected_paths(options)
    for doc in render_documents(paths, options, targets, warn=lambda w: _warn([w])):
        if len(paths) > 1 or len(targets) != 1:
            click.echo(printable(f"// {doc.label}"))
        data = doc.data if show_sensitive else mask(doc.data, doc.sensitive)
        click.echo(json_text(data, indent=2))
