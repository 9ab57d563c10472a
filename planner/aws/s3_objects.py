"""S3 object primitives with conditional writes, for state on S3.

S3 answers a failed precondition (If-None-Match: * on an existing key, If-Match on a changed
ETag) with 412 PreconditionFailed, and a conditional write racing another on the same key
with 409 ConditionalRequestConflict, which AWS says to retry. Both end here as
:class:`ConditionFailed` when they persist, so callers decide what "someone else won" means.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from planner.aws.clients import AwsContext
from planner.aws.errors import aws_call, error_code, translate
from planner.errors import AwsError

_PRECONDITION = {"PreconditionFailed", "412"}
_CONFLICT = {"ConditionalRequestConflict", "409"}
_MISSING = {"NoSuchKey", "404", "NotFound"}
_CONFLICT_RETRIES = 5


class ConditionFailed(AwsError):
    """The conditional write or delete was refused: the key exists, changed, or is gone."""


@dataclass(frozen=True)
class S3Object:
    key: str
    body: bytes
    etag: str


def _code(e: ClientError) -> str:
    code = error_code(e)
    status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code or str(status or "")


class S3Objects:
    """One bucket's objects, through the shared AWS context (one client, one retry policy)."""

    def __init__(self, aws: AwsContext, bucket: str) -> None:
        self.aws = aws
        self.bucket = bucket

    @property
    def _s3(self) -> Any:
        return self.aws.client("s3")

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def get(self, key: str) -> S3Object | None:
        """The object, or None when there is none."""
        try:
            resp = self._s3.get_object(Bucket=self.bucket, Key=key)
            body = resp["Body"].read()
        except ClientError as e:
            if _code(e) in _MISSING:
                return None
            raise translate(e, f"reading {self.url(key)}") from e
        except BotoCoreError as e:
            raise translate(e, f"reading {self.url(key)}") from e
        return S3Object(key=key, body=body, etag=str(resp.get("ETag", "")))

    def _conditional(self, action: str, call: Any) -> Any:
        """Run a conditional request; retry 409 conflicts, turn refusals into ConditionFailed."""
        for attempt in range(_CONFLICT_RETRIES + 1):
            try:
                return call()
            except ClientError as e:
                code = _code(e)
                if code in _CONFLICT and attempt < _CONFLICT_RETRIES:
                    time.sleep(0.05 * (2**attempt))
                    continue
                if code in _PRECONDITION | _CONFLICT | _MISSING:
                    raise ConditionFailed(f"{action}: refused ({code})") from e
                raise translate(e, action) from e
            except BotoCoreError as e:
                raise translate(e, action) from e
        raise AssertionError("unreachable")  # pragma: no cover

    def put_if_absent(self, key: str, body: bytes, content_type: str = "application/json") -> str:
        """Create the object only if the key is free (If-None-Match: *); returns its ETag."""
        resp = self._conditional(
            f"creating {self.url(key)}",
            lambda: self._s3.put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, IfNoneMatch="*"
            ),
        )
        return str(resp.get("ETag", ""))

    def put_if_match(
        self, key: str, body: bytes, etag: str, content_type: str = "application/json"
    ) -> str:
        """Replace the object only if it still has ``etag`` (If-Match); returns the new ETag."""
        resp = self._conditional(
            f"replacing {self.url(key)}",
            lambda: self._s3.put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, IfMatch=etag
            ),
        )
        return str(resp.get("ETag", ""))

    def delete_if_match(self, key: str, etag: str) -> None:
        """Delete the object only if it still has ``etag``; ConditionFailed if changed or gone."""
        self._conditional(
            f"deleting {self.url(key)}",
            lambda: self._s3.delete_object(Bucket=self.bucket, Key=key, IfMatch=etag),
        )

    def list_keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix``, in S3's (lexicographic) order."""
        return [k for page in self._pages(prefix, None) for k in page[0]]

    def list_prefixes(self, prefix: str, delimiter: str = "/") -> list[str]:
        """The "directories" directly under ``prefix`` (common prefixes, with the delimiter)."""
        return [p for page in self._pages(prefix, delimiter) for p in page[1]]

    def _pages(self, prefix: str, delimiter: str | None) -> Iterator[tuple[list[str], list[str]]]:
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
        if delimiter:
            kwargs["Delimiter"] = delimiter
        with aws_call(f"listing {self.url(prefix)}"):
            for page in self._s3.get_paginator("list_objects_v2").paginate(**kwargs):
                keys = [o["Key"] for o in page.get("Contents", [])]
                prefixes = [p["Prefix"] for p in page.get("CommonPrefixes", [])]
                yield keys, prefixes
