"""What template functions may ask of AWS, as a protocol the aws/ layer implements.

config/ never imports boto3; ``planner.aws.template_sources`` provides the real lookups and
tests use the sandbox through that same implementation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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

    def for_region(self, region: str | None) -> TemplateSources:
        """The same sources bound to the config's region (when no --region was given)."""
        ...

    def ssm_parameter(self, name: str) -> SsmParameter: ...

    def secretsmanager_arn(self, name: str) -> str: ...

    def cfn_output(self, stack: str, key: str) -> str: ...

    def cfn_export(self, name: str) -> str: ...

    def read_s3(self, url: str) -> bytes: ...
