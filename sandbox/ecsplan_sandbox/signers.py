"""Who signed each request: the access key, and the account and assumed role moto maps it to.

moto keeps accounts apart by credentials: a key issued by STS AssumeRole belongs to the
account its role ARN names, and every request signed with it reads and writes that account's
resources; any other key (the sandbox's "testing") acts in the default account 123456789012.
Recording the signer of every counted call lets a test assert that each service's calls were
made as its own role, in its own account, and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DEFAULT_ACCOUNT = "123456789012"  # moto's DEFAULT_ACCOUNT_ID
_CREDENTIAL = re.compile(r"Credential=([^/\s,]+)/\d{8}/([^/]+)/[^/]+/aws4_request")


@dataclass(frozen=True)
class SignedCall:
    """One counted call and its signer, as moto sees it."""

    seq: int
    operation: str  # "ecs:DescribeServices"
    region: str  # from the signing scope
    access_key_id: str
    account: str  # the account moto acts in for this key
    role_arn: str | None  # the assumed role the key was issued for; None: a long-term key

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "operation": self.operation,
            "region": self.region,
            "access_key_id": self.access_key_id,
            "account": self.account,
            "role_arn": self.role_arn,
        }


def signing_key(environ: dict[str, Any]) -> tuple[str, str] | None:
    """(access key id, region) from a SigV4 Authorization header; None when unsigned."""
    m = _CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    return (m.group(1), m.group(2)) if m else None


def account_and_role(access_key_id: str) -> tuple[str, str | None]:
    """moto's view of a key: the account whose IAM holds it (as moto.iam's
    get_account_id_from decides), and the role STS issued it for. Call it under the
    sandbox's state lock: it reads moto's backends."""
    from moto.iam.models import iam_backends
    from moto.utilities.utils import PARTITION_NAMES

    for account_id, account in list(iam_backends.items()):
        for partition in PARTITION_NAMES:
            key = account[partition].access_keys.get(access_key_id)
            if key is not None:
                return str(account_id), getattr(key, "role_arn", None)
    return DEFAULT_ACCOUNT, None
