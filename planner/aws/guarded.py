"""Writes that must not happen twice, sent so that a lost answer never repeats them.

botocore retries a call whose answer was a 5xx or never came (a timeout): right for a read,
wrong for a write AWS may already have done, such as RegisterTaskDefinition (a second
revision) or CodeDeploy's CreateDeployment (a second deployment). Such writes go through
:func:`send_once`: one attempt at a time (a client without retries); throttling, which AWS
refuses before doing anything, is waited out and resent; after a 5xx or a timeout, ``look``
asks AWS whether the write happened (the revision tagged with this run and step, the
deployment with this run's description...) and adopts it, and only if it did not is the
write sent again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from planner.aws.errors import THROTTLED, error_code, translate

T = TypeVar("T")
_LOST = (ReadTimeoutError, ConnectionClosedError, EndpointConnectionError)
BASE_DELAY = 0.2
MAX_DELAY = 5.0


def _kind(e: Exception) -> str:
    """``throttled`` (not done), ``lost`` (maybe done), or ``failed`` (an answer: not done)."""
    if isinstance(e, _LOST):
        return "lost"
    if isinstance(e, ClientError):
        if error_code(e) in THROTTLED:
            return "throttled"
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if int(status) >= 500:
            return "lost"
    return "failed"


def send_once(
    action: str,
    send: Callable[[], T],
    look: Callable[[], T | None] | None,
    *,
    attempts: int,
    gone: tuple[str, ...] = (),
    on_retry: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T | None:
    """``send()`` until it answers, at most ``attempts`` times, never repeating a write
    that happened: after a lost answer ``look()`` is asked first. ``gone``: error codes that,
    after a lost answer, mean the first attempt did it (deleting what is already deleted);
    the call then returns None."""
    lost = False
    last: Exception | None = None
    for attempt in range(1, max(1, attempts) + 1):
        if lost and look is not None:
            found = look()
            if found is not None:
                return found
        try:
            return send()
        except (ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError) as e:
            last = e
            if lost and error_code(e) in gone:
                return None
            kind = _kind(e)
            if kind == "failed":
                raise translate(e, action) from e
            lost = lost or kind == "lost"
            if on_retry is not None:
                on_retry()
            if attempt < attempts:
                sleep(min(MAX_DELAY, BASE_DELAY * 2 ** (attempt - 1)) * random.uniform(0.5, 1))
    assert last is not None
    if lost and look is not None:
        found = look()
        if found is not None:
            return found
    raise translate(last, action) from last
