"""What every operation works on: the selected services, the AWS context, the state.

The CLI builds one Session per invocation from its flags (planner/cli/context.py) and hands
it to one operation; operations take it and plain options and return data, so they are
tested without the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from planner.aws.clients import AwsContext
from planner.aws.reads import ServiceRef
from planner.plan.model import Identity
from planner.plan.secrets import Secrets
from planner.state.backend import StateBackend
from planner.state.factory import open_backend
from planner.state.secret_key import lazy_secret_key
from planner.workspace.identity import identities_of, state_keys_of
from planner.workspace.planning import ServiceEntry, ref_of, secrets_of
from planner.workspace.selection import Selection


@dataclass
class Session:
    """One invocation's services, AWS context and state location."""

    selection: Selection
    aws: AwsContext
    state_override: str | None = None  # --state / ECSPLAN_STATE
    workspace: str | None = None  # -w, as given
    filter_command: str | None = None  # --filter-command / ECSPRESSO_FILTER_COMMAND
    _backend: StateBackend | None = field(default=None, init=False, repr=False)
    _identities: dict[str, Identity] | None = field(default=None, init=False, repr=False)

    @property
    def entries(self) -> tuple[ServiceEntry, ...]:
        return self.selection.entries

    @property
    def state_location(self) -> str:
        """--state / ECSPLAN_STATE > workspace or config `ecsplan.state` > ./state."""
        return self.state_override or self.selection.state or "state"

    def backend(self) -> StateBackend:
        """The state backend, opened once (its secret key is read once too)."""
        if self._backend is None:
            self._backend = open_backend(self.state_location, self.aws)
        return self._backend

    def secrets(self) -> Secrets:
        """The selection's secrets with the key of its state location (read when needed)."""
        return secrets_of(self.entries, lazy_secret_key(self.backend()))

    def refs(self) -> dict[str, ServiceRef]:
        """Each selected service's region, cluster, name and principal, by key."""
        return {e.key: ref_of(e, self.aws) for e in self.entries}

    def aws_for(self, ref: ServiceRef) -> AwsContext:
        """The AWS context a service's calls use: its own identity (issue 21)."""
        return self.aws.scoped(ref.principal)

    def identities(self) -> dict[str, Identity]:
        """Each service's identity and account, looked up once (none for a selection that
        names no identity or region of its own, in one region)."""
        if self._identities is None:
            self._identities = identities_of(self.entries, self.refs(), self.aws)
        return self._identities

    def state_keys(self) -> dict[str, str]:
        """Each selected service's state (lock and journal) key, by key."""
        return state_keys_of(self.entries, self.refs(), self.identities())

    @property
    def sensitive(self) -> frozenset[str]:
        return self.selection.sensitive

    def narrowed(self, keys: list[str]) -> Session:
        """The same session on these services only (in this order)."""
        by_key = {e.key: e for e in self.entries}
        sel = replace(self.selection, entries=tuple(by_key[k] for k in keys))
        return replace(self, selection=sel)
