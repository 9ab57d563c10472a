"""The one place that turns botocore errors into messages a user can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ReadTimeoutError,
)

from planner.errors import AwsError

_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
}


def error_code(e: BaseException) -> str:
    """The AWS error code of a ClientError; "" for anything else (connection errors...)."""
    response = getattr(e, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def translate(e: Exception, action: str) -> AwsError:
    """An AwsError whose first line names the action and the cause in plain words."""
    if isinstance(e, ClientError):
        code = error_code(e)
        msg = e.response.get("Error", {}).get("Message", "") or str(e)
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in _EXPIRED:
            return AwsError(f"{action}: AWS credentials have expired; refresh them and retry")
        if code in _DENIED:
            return AwsError(f"{action}: access denied ({msg}); the caller needs permission for it")
        if code in THROTTLED:
            return AwsError(f"{action}: throttled by AWS after retries ({code}); retry later")
        if status and int(status) >= 500:
            return AwsError(f"{action}: AWS answered HTTP {status} after retries ({code or msg})")
        return AwsError(f"{action}: {code}: {msg}")
    if isinstance(e, NoCredentialsError):
        return AwsError(
            f"{action}: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID)"
        )
    if isinstance(e, NoRegionError):
        return AwsError(f"{action}: no AWS region (set `region` in the config, or --region)")
    if isinstance(e, EndpointConnectionError):
        return AwsError(f"{action}: cannot reach the AWS endpoint {e.kwargs.get('endpoint_url')}")
    if isinstance(e, ReadTimeoutError):
        return AwsError(f"{action}: the AWS endpoint did not answer in time")
    return AwsError(f"{action}: {e}")


@contextmanager
def aws_call(action: str) -> Iterator[None]:
    """Wrap boto3 calls so any botocore failure leaves as an AwsError naming ``action``."""
    try:
        yield
    except (ClientError, BotoCoreError) as e:
        raise translate(e, action) from e
