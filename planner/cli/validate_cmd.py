"""`ecsplan validate` and `ecsplan render`: local checks and rendered documents, no AWS writes.

Only the read-only template lookups (ssm, secretsmanager_arn, cfn_*, s3:// tfstate) may
reach AWS, and only when a template uses them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.services import config_paths, load_options
from planner.config import config_warnings, load_config, validate_config
from planner.config.model import ServiceConfig
from planner.config.workspace_file import load_workspace, same_service_errors
from planner.errors import ConfigError, ValidationFailed
from planner.render.printable import json_text, printable
from planner.render.secrets import mask, secret_values_in

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
    options = load_options(g)
    errors: list[ConfigError] = []
    loaded: dict[Path, ServiceConfig] = {}
    for path in config_paths(g, options):
        try:
            cfg = load_config(path, options)
        except ValidationFailed as e:
            errors.extend(e.errors)
            _warn(e.warnings)
            continue
        except ConfigError as e:
            errors.append(e)
            _warn(e.warnings)
            continue
        _warn(config_warnings(cfg))
        found = validate_config(cfg)
        if found:
            errors.extend(found)
        else:
            loaded[path] = cfg
            click.echo(printable(f"OK {path}: service {cfg.cluster}/{cfg.service}"))
    if g.workspace and not errors:
        ws = load_workspace(g.workspace, options)
        configs = {s.name: loaded[s.config] for s in ws.services if s.config in loaded}
        errors.extend(same_service_errors(ws, configs, g.region))
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
    targets = tuple(ALIASES.get(t, t) for t in targets)
    options = load_options(g)
    paths = config_paths(g, options)
    for path in paths:
        cfg = load_config(path, options)
        _warn(cfg.warnings)
        for target in targets or TARGETS:
            doc = cfg.sources.get(target)
            if doc is None:
                continue
            data = doc.data
            if not show_sensitive:
                data = mask(data, secret_values_in(cfg.task_definition, cfg.sensitive))
            if len(paths) > 1 or len(targets) != 1:
                click.echo(printable(f"// {doc.path}"))
            click.echo(json_text(data, indent=2))
