"""Global options shared by every command, resolved once per invocation."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

if TYPE_CHECKING:  # loaded when a command runs, not for `ecsplan <command> --help`
    from planner.aws.clients import AwsContext
    from planner.config import LoadOptions
    from planner.ops.session import Session
    from planner.plan.model import Plan
    from planner.state import StateBackend
    from planner.workspace.selection import Selection, SelectSpec

DEFAULT_CONFIGS = ("ecspresso.yml", "ecspresso.yaml", "ecspresso.json", "ecspresso.jsonnet")


@dataclass
class Globals:
    """What the group-level flags said; commands read it through ``pass_globals``."""

    configs: tuple[str, ...] = ()
    workspace: str | None = None
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    state: str | None = None
    color_choice: bool | None = None  # --color / --no-color / ECSPRESSO_COLOR
    assume_role_arn: str | None = None
    timeout_seconds: float | None = None  # --timeout: overrides every config's timeout
    debug: bool = False
    filter_command: str | None = None
    envfiles: tuple[str, ...] = ()
    ext_str: dict[str, str] = field(default_factory=dict)
    ext_code: dict[str, str] = field(default_factory=dict)
    _aws: AwsContext | None = field(default=None, init=False, repr=False)

    @property
    def config_paths(self) -> tuple[str, ...]:
        """-c as given; else the first ecspresso.{yml,yaml,json,jsonnet} here, as ecspresso."""
        if self.configs:
            return self.configs
        found = next((n for n in DEFAULT_CONFIGS if Path(n).is_file()), DEFAULT_CONFIGS[0])
        return (found,)

    def filter_for(self, config_filter: str | None) -> str | None:
        """The filter command to choose a task with: the flag (or its env var), else the
        config's ``filter_command`` (where ecspresso v1 kept it)."""
        return self.filter_command or config_filter or None

    @property
    def color(self) -> bool:
        """Colours on stdout (see color_for)."""
        return self.color_for(sys.stdout)

    def color_for(self, stream: IO[str]) -> bool:
        """As --color/--no-color (or ECSPRESSO_COLOR) say, even into a pipe; else as
        fatih/color decides (ecspresso before v2.4): on a terminal, unless NO_COLOR is set
        and not empty or TERM is dumb."""
        if self.color_choice is not None:
            return self.color_choice
        if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
            return False
        return stream.isatty()

    def aws(self, region: str | None = None) -> AwsContext:
        """The shared AWS context; ``region`` (the first config's) is its default for
        clients no service names a region for (the state's S3...)."""
        from planner.aws.clients import AwsContext

        if self._aws is None:
            self._aws = AwsContext(
                region=self.region or region,
                profile=self.profile,
                endpoint_url=self.endpoint_url,
                assume_role_arn=self.assume_role_arn,
                debug=self.debug,
            )
        elif self._aws.default_region is None and region:
            self._aws.default_region = region  # --region, then each service's own, win
        return self._aws

    def select_spec(self) -> SelectSpec:
        from planner.workspace.selection import SelectSpec

        return SelectSpec(
            configs=self.config_paths if not self.workspace else (),
            workspace=self.workspace,
            region=self.region,
            envfiles=self.envfiles,
            ext_str=self.ext_str,
            ext_code=self.ext_code,
            timeout_seconds=self.timeout_seconds,
        )

    def load_options(self, definitions: bool = True) -> LoadOptions:
        """How configs load: envfiles, Jsonnet externals, AWS lookups for templates."""
        from planner.workspace.selection import load_options

        return load_options(self.select_spec(), self.aws(), definitions)

    def selected_paths(self, options: LoadOptions) -> list[Path]:
        """The configs -w or -c name (globs expanded), not loaded yet."""
        from planner.workspace.selection import config_paths

        return config_paths(self.select_spec(), options)

    def session(self, targets: tuple[str, ...] = (), *, definitions: bool = True) -> Session:
        """The selected services, loaded and ordered, with the AWS context and state: what
        every operation is given."""
        from planner.workspace.selection import select

        sel = select(self.select_spec(), self.aws(), targets, definitions=definitions)
        return self._session_of(sel)

    def _session_of(self, sel: Selection) -> Session:
        from planner.ops.session import Session

        self.aws(sel.entries[0].config.region if sel.entries else None)
        return Session(
            selection=sel,
            aws=self.aws(),
            state_override=self.state,
            workspace=self.workspace,
            filter_command=self.filter_command,
        )

    def state_backend(self) -> tuple[str, StateBackend]:
        """The state plan and apply use: --state / ECSPLAN_STATE, else the workspace's or
        the config's ``ecsplan.state`` (when -w/-c is given or ecspresso.yml is here), else
        ./state. Read-only commands (`state list`...) open it without the definitions."""
        from planner.state import DEFAULT_LOCATION, open_backend

        location = self.state
        if location is None and (
            self.workspace or self.configs or any(Path(n).is_file() for n in DEFAULT_CONFIGS)
        ):
            location = self.session(definitions=False).selection.state
        location = location or DEFAULT_LOCATION
        return location, open_backend(
            location, self.aws() if location.startswith("s3://") else None
        )

    def saved_session(self, plan: Plan) -> Session:
        """The session of a saved plan: its services, from -w/-c, else from the paths (and
        the workspace) the plan records."""
        from planner.workspace.selection import saved_selection

        if plan.workspace and not (self.workspace or self.configs):
            self.workspace = plan.workspace  # a workspace plan: its state and parallelism
        spec = self.select_spec()
        if not (self.workspace or self.configs):
            spec = replace(spec, configs=())
        sel = saved_selection(spec, self.aws(), plan)
        return self._session_of(sel)


pass_globals = click.make_pass_decorator(Globals)
