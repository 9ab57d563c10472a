"""`appspec` as CodeDeploy's YAML (the default) or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import click
import yaml


def show_appspecs(specs: Iterable[Mapping[str, Any]], fmt: str) -> None:
    for spec in specs:
        if fmt == "json":
            click.echo(json.dumps(spec, indent=2))
        else:
            click.echo(yaml.safe_dump(dict(spec), sort_keys=False), nl=False)
