"""`ecsplan validate` and `ecsplan render`: local checks and rendered documents, no AWS writes.

Only the read-only template lookups (ssm, secretsmanager_arn, cfn_*, s3:// tfstate) may
reach AWS, and only when a template uses them.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from planner.aws.template_sources import AwsTemplateSources
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.config import (
    LoadOptions,
    config_warnings,
    load_config,
    validate_config,
)
from planner.config.workspace_file import load_workspace
from planner.errors import ConfigError, Location, ValidationFailed

MASK = "(sensitive value)"
TARGETS = ("config", "servicedef", "taskdef")


def load_options(g: Globals) -> LoadOptions:
    """LoadOptions from the global flags, with lazy AWS lookups for templates."""
    return LoadOptions(
        envfiles=g.envfiles,
        ext_str=g.ext_str,
        ext_code=g.ext_code,
        sources=AwsTemplateSources(g.aws()),
    )


def config_paths(g: Globals, options: LoadOptions) -> list[Path]:
    """The configs named by -w (each workspace service) or -c (repeatable, globs allowed)."""
    if g.workspace:
        return [s.config for s in load_workspace(g.workspace, options).services]
    out: list[Path] = []
    for pattern in g.config_paths:
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise ConfigError(Location(pattern, 1, "$"), "no config file matches this pattern")
        out.extend(Path(m) for m in matches)
    return out


def _warn(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(f"warning: {line}", err=True)


@cli.command()
@pass_globals
def validate(g: Globals) -> None:
    """Check configs and definitions (schema + semantic); print every error as
    FILE:LINE: $.path: message and exit 1 if there is any. Nothing is sent to AWS except
    the read-only lookups templates ask for (ssm, secretsmanager_arn, cfn_*, tfstate)."""
    options = load_options(g)
    errors: list[ConfigError] = []
    for path in config_paths(g, options):
        try:
            cfg = load_config(path, options)
        except ValidationFailed as e:
            errors.extend(e.errors)
            continue
        except ConfigError as e:
            errors.append(e)
            continue
        _warn(config_warnings(cfg))
        found = validate_config(cfg)
        if found:
            errors.extend(found)
        else:
            click.echo(f"OK {path}: service {cfg.cluster}/{cfg.service}")
    if errors:
        raise ValidationFailed(errors)


@cli.command()
@click.argument("targets", nargs=-1, type=click.Choice(TARGETS))
@click.option(
    "--show-sensitive",
    is_flag=True,
    help="Print values from ssm SecureString and Secrets Manager instead of masking them.",
)
@pass_globals
def render(g: Globals, targets: tuple[str, ...], show_sensitive: bool) -> None:
    """Print the rendered (templated) documents as JSON: config, servicedef, taskdef
    (all three when none is named). Values from ssm SecureString and Secrets Manager are
    shown as "(sensitive value)" unless --show-sensitive is given."""
    options = load_options(g)
    paths = config_paths(g, options)
    for path in paths:
        cfg = load_config(path, options)
        _warn(cfg.warnings)
        for target in targets or TARGETS:
            doc = cfg.sources.get(target)
            if doc is None:
                continue
            data = doc.data if show_sensitive else mask(doc.data, cfg.sensitive)
            if len(paths) > 1 or len(targets) != 1:
                click.echo(f"// {doc.path}")
            click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def mask(value: Any, sensitive: frozenset[str]) -> Any:
    """``value`` with every occurrence of a sensitive string replaced by the mask."""
    if not sensitive:
        return value
    if isinstance(value, dict):
        return {k: mask(v, sensitive) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, sensitive) for v in value]
    if isinstance(value, str):
        for secret in sorted(sensitive, key=len, reverse=True):
            if secret and secret in value:
                value = value.replace(secret, MASK)
        return value
    return value
