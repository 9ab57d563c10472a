"""The loaded form of one ecspresso config: frozen data other layers read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.config.source import SourceDoc
from planner.config.sources import TemplateSources
from planner.errors import ConfigError

DEFAULT_CLUSTER = "default"
DEFAULT_TIMEOUT_SECONDS = 600.0


@dataclass(frozen=True)
class Placement:
    """Where a service's AWS calls go and as whom, as one level names it: a workspace entry
    (``region``, ``profile``, ``assume_role_arn``) or a config (its ``region``, and
    ``ecsplan.profile`` / ``ecsplan.assume_role_arn``). None: not named at that level."""

    region: str | None = None
    profile: str | None = None
    assume_role_arn: str | None = None

    def over(self, lower: Placement) -> Placement:
        """This level's names, and ``lower``'s where this level names nothing."""
        return Placement(
            self.region or lower.region,
            self.profile or lower.profile,
            self.assume_role_arn or lower.assume_role_arn,
        )

    @property
    def named(self) -> bool:
        return bool(self.region or self.profile or self.assume_role_arn)


@dataclass(frozen=True)
class LoadOptions:
    """How to load: dotenv files, Jsonnet externals, and the AWS lookups for templates."""

    envfiles: tuple[str, ...] = ()
    ext_str: Mapping[str, str] = field(default_factory=dict)
    ext_code: Mapping[str, str] = field(default_factory=dict)
    sources: TemplateSources | None = None
    # False for commands that only need the config (status, wait, tasks, exec): the task and
    # service definitions are not rendered, so their templates' env vars need not be set,
    # as with ecspresso
    definitions: bool = True
    placement: Placement | None = None  # a workspace entry's names, over the config's


@dataclass(frozen=True)
class CodeDeployConfig:
    """The ``codedeploy:`` section; names may be omitted and discovered from AWS later."""

    application_name: str | None = None
    deployment_group_name: str | None = None
    deployment_config_name: str | None = None
    auto_rollback: bool | None = None


@dataclass(frozen=True)
class PluginConfig:
    """One ``plugins:`` entry, as written."""

    name: str
    config: Mapping[str, Any] = field(default_factory=dict)
    func_prefix: str = ""


@dataclass(frozen=True)
class ServiceConfig:
    """One service's config and rendered definitions.

    ``problems`` are non-fatal load errors (bad timeout, unknown plugin...) that
    :func:`planner.config.validate_config` reports together with schema and semantic errors;
    use :func:`planner.config.load_valid_config` when you need a config without any.
    """

    path: Path
    region: str | None
    cluster: str
    service: str
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    required_version: str | None = None
    plugins: tuple[PluginConfig, ...] = ()
    appspec: Mapping[str, Any] | None = None
    codedeploy: CodeDeployConfig | None = None
    ignore_tags: tuple[str, ...] = ()
    extras: Mapping[str, Any] = field(default_factory=dict)
    service_definition: Mapping[str, Any] | None = None
    task_definition: Mapping[str, Any] | None = None
    service_definition_path: Path | None = None
    task_definition_path: Path | None = None
    sources: Mapping[str, SourceDoc] = field(default_factory=dict)
    sensitive: frozenset[str] = frozenset()
    filter_command: str | None = None  # ecspresso's picker for exec/tasks (--filter-command wins)
    warnings: tuple[str, ...] = ()
    problems: tuple[ConfigError, ...] = ()
    named_region: str | None = None  # the config's own `region` (``region`` adds AWS_REGION)

    @property
    def state(self) -> str | None:
        """``ecsplan.state`` from the config, if any (CLI flags take precedence)."""
        value = self.extras.get("state")
        return value if isinstance(value, str) else None

    @property
    def placement(self) -> Placement:
        """What the config names: its own ``region``, ``ecsplan.profile`` and
        ``ecsplan.assume_role_arn`` (a workspace entry's names win over these)."""
        profile, role = self.extras.get("profile"), self.extras.get("assume_role_arn")
        return Placement(
            self.named_region,
            profile if isinstance(profile, str) and profile else None,
            role if isinstance(role, str) and role else None,
        )
