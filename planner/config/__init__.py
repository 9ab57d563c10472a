"""Config loading: ecspresso.yml, templates, definitions, and validation.

Public API: :func:`load_config`, :func:`validate_config`, :func:`load_valid_config`,
:func:`config_warnings`, and the data classes below.
"""

from planner.config.loader import load_config
from planner.config.model import (
    CodeDeployConfig,
    LoadOptions,
    PluginConfig,
    ServiceConfig,
)
from planner.config.source import SourceDoc
from planner.config.sources import SourceLookupError, SsmParameter, TemplateSources
from planner.config.validate import config_warnings, load_valid_config, validate_config

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
