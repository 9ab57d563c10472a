"""Config loading: ecspresso.yml, templates, definitions, and validation.

Public API: :func:`load_config`, :func:`validate_config`, :func:`load_valid_config`,
:func:`config_warnings`, and the data classes below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.config.loader import load_config
    from planner.config.model import CodeDeployConfig, LoadOptions, PluginConfig, ServiceConfig
    from planner.config.source import SourceDoc
    from planner.config.sources import SourceLookupError, SsmParameter, TemplateSources
    from planner.config.validate import config_warnings, load_valid_config, validate_config

# name -> the module defining it: loaded on first use, so that `planner.config.duration`
# (a CLI flag) does not load YAML, Jsonnet and jsonschema for `ecsplan plan --help`.
_WHERE = {
    "load_config": "loader",
    "CodeDeployConfig": "model",
    "LoadOptions": "model",
    "PluginConfig": "model",
    "ServiceConfig": "model",
    "SourceDoc": "source",
    "SourceLookupError": "sources",
    "SsmParameter": "sources",
    "TemplateSources": "sources",
    "config_warnings": "validate",
    "load_valid_config": "validate",
    "validate_config": "validate",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"planner.config.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'planner.config' has no attribute {name!r}")


__all__ = [
    "CodeDeployConfig",
    "LoadOptions",
    "PluginConfig",
    "ServiceConfig",
    "SourceDoc",
    "SourceLookupError",
    "SsmParameter",
    "TemplateSources",
    "config_warnings",
    "load_config",
    "load_valid_config",
    "validate_config",
]
