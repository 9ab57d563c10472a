"""One place that builds boto3 clients with one retry policy.

Every client ecsplan uses comes from :class:`AwsContext`, so region, profile, endpoint
(``--endpoint-url`` / ``AWS_ENDPOINT_URL``) and the retry budget are decided once.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

DEFAULT_MAX_ATTEMPTS = 8  # total attempts per call (botocore standard mode, jittered backoff)


@dataclass
class AwsContext:
    """Settings shared by all clients of one ecsplan invocation."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = field(
        default_factory=lambda: int(os.environ.get("ECSPLAN_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
    )
    _session: Any = field(default=None, init=False, repr=False)
    _clients: dict[tuple[str, str | None], Any] = field(
        default_factory=dict, init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    retries: int = field(default=0, init=False)

    def session(self) -> boto3.session.Session:
        if self._session is None:
            self._session = boto3.session.Session(profile_name=self.profile)
        return self._session

    def resolved_region(self) -> str:
        return (
            self.region
            or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION")
            or self.session().region_name
            or "us-east-1"
        )

    def client(self, service: str, region: str | None = None) -> Any:
        """A cached client; thread-safe so parallel workspace runs share connections."""
        region = region or self.resolved_region()
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                cfg = Config(
                    region_name=region,
                    retries={"mode": "standard", "total_max_attempts": self.max_attempts},
                    max_pool_connections=32,
                    connect_timeout=5,
                    read_timeout=30,
                )
                endpoint = self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
                client = self.session().client(service, config=cfg, endpoint_url=endpoint)
                client.meta.events.register("after-call", self._count_retries)
                self._clients[key] = client
            return self._clients[key]

    def _count_retries(self, parsed: Any = None, **_: Any) -> None:
        """Sum botocore's RetryAttempts, so a run can say how many retries it needed."""
        attempts = ((parsed or {}).get("ResponseMetadata") or {}).get("RetryAttempts") or 0
        if attempts:
            with self._lock:
                self.retries += int(attempts)
