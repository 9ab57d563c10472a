"""What template functions may ask of AWS, as a protocol the aws/ layer implements.

config/ never imports boto3; ``planner.aws.template_sources`` provides the real lookups and
tests use the sandbox through that same implementation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from planner.config.model import Placement


class SourceLookupError(Exception):
    """A lookup failed (parameter not found, access denied...); message is for the user."""


@dataclass(frozen=True)
class SsmParameter:
    """One Parameter Store value and its type (String, StringList or SecureString)."""

    value: str
    type: str

    @property
    def secure(self) -> bool:
        return self.type == "SecureString"


class TemplateSources(Protocol):
    """Read-only AWS lookups behind ssm, secretsmanager_arn, cfn_* and s3:// tfstate."""

    def for_service(self, placement: Placement) -> TemplateSources:
        """The same sources as the service's AWS calls: in its region (the workspace
        entry's, else the config's own, else --region), acting as the profile and role its
        entry or config names."""
        ...

    def ssm_parameter(self, name: str) -> SsmParameter: ...

    def secretsmanager_arn(self, name: str) -> str: ...

    def cfn_output(self, stack: str, key: str) -> str: ...

    def cfn_export(self, name: str) -> str: ...

    def read_s3(self, url: str) -> bytes: ...
