"""boto3 lookups behind the template functions ssm, secretsmanager_arn, cfn_* and s3:// tfstate.

Lazy: no client is built until a template actually calls an AWS function. Results are cached
per invocation (a config and its definitions often repeat a lookup). Read-only calls only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, ClientError

from planner.aws.clients import AwsContext
from planner.aws.errors import error_code, translate
from planner.config.model import Placement
from planner.config.sources import SourceLookupError, SsmParameter
from planner.plan.model import Principal


@dataclass
class AwsTemplateSources:
    """TemplateSources over an AwsContext; ``region`` overrides the context's default."""

    ctx: AwsContext
    region: str | None = None
    _cache: dict[tuple[str, ...], Any] = field(default_factory=dict, repr=False)

    def for_service(self, placement: Placement) -> AwsTemplateSources:
        """Lookups as the service's own calls make them: its region (the entry's or the
        config's own, else --region, else AWS_REGION) and its profile/role (issue 21)."""
        principal = None
        if placement.profile or placement.assume_role_arn:
            principal = Principal(placement.profile, placement.assume_role_arn)
        ctx = self.ctx.scoped(principal)
        if ctx is self.ctx and placement.region in (None, self.region):
            return self
        return AwsTemplateSources(ctx, placement.region)

    def _client(self, service: str) -> Any:
        region = self.region or self.ctx.region or os.environ.get("AWS_REGION") or None
        return self.ctx.client(service, region=region)

    def _cached(self, key: tuple[str, ...], action: str, call: Any) -> Any:
        if key not in self._cache:
            try:
                self._cache[key] = call()
            except ClientError as e:
                code = error_code(e)
                if code in _NOT_FOUND:
                    raise SourceLookupError(f"{action}: not found ({code})") from None
                raise SourceLookupError(translate(e, action).message) from None
            except BotoCoreError as e:
                raise SourceLookupError(translate(e, action).message) from None
        return self._cache[key]

    def ssm_parameter(self, name: str) -> SsmParameter:
        def call() -> SsmParameter:
            p = self._client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]
            return SsmParameter(value=p["Value"], type=p["Type"])

        return self._cached(("ssm", name), f"parameter {name}", call)

    def secretsmanager_arn(self, name: str) -> str:
        def call() -> str:
            return self._client("secretsmanager").describe_secret(SecretId=name)["ARN"]

        return self._cached(("sm", name), f"secret {name}", call)

    def cfn_output(self, stack: str, key: str) -> str:
        def call() -> str:
            stacks = self._client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
            for out in stacks[0].get("Outputs", []) if stacks else []:
                if out.get("OutputKey") == key:
                    return str(out["OutputValue"])
            raise SourceLookupError(f"stack {stack} has no output {key}")

        return self._cached(("cfn_output", stack, key), f"stack {stack}", call)

    def cfn_export(self, name: str) -> str:
        def call() -> str:
            cfn = self._client("cloudformation")
            for page in cfn.get_paginator("list_exports").paginate():
                for export in page.get("Exports", []):
                    if export.get("Name") == name:
                        return str(export["Value"])
            raise SourceLookupError(f"no CloudFormation export named {name}")

        return self._cached(("cfn_export", name), f"export {name}", call)

    def read_s3(self, url: str) -> bytes:
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise SourceLookupError(f"not an s3:// URL: {url}")
        bucket, key = parsed.netloc, parsed.path.lstrip("/")

        def call() -> bytes:
            return self._client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()

        return self._cached(("s3", url), f"s3 object {url}", call)


_NOT_FOUND = {
    "ParameterNotFound",
    "ResourceNotFoundException",
    "NoSuchKey",
    "NoSuchBucket",
    "ValidationError",  # CloudFormation: "Stack with id X does not exist"
}
