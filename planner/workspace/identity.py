"""Who each service acts as, and so where its state lives (issue 21).

A workspace entry or a config may name a ``profile`` and an ``assume_role_arn`` (and the
entry a ``region``); each key is resolved on its own: the entry's, else the config's, else
the invocation's (--profile, --assume-role-arn). When any service names one, or the services
span regions, every service's account is looked up (STS GetCallerIdentity, once per
identity) and recorded in the plan, which then groups its services by account and region.
A service that names its own identity or entry region keeps its state under
``ACCOUNT/REGION/CLUSTER/SERVICE``; the others keep the ``CLUSTER/SERVICE`` of before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from planner.aws.clients import AwsContext
from planner.aws.reads import ServiceRef
from planner.errors import AwsError, EcsplanError
from planner.plan.model import Identity, state_key_of
from planner.workspace.entry import ServiceEntry


def needs_identities(entries: Sequence[ServiceEntry], refs: Mapping[str, ServiceRef]) -> bool:
    """Accounts are looked up only when a service names its own identity or region, or the
    services span regions: a single-identity plan makes no STS call and looks as before."""
    return any(e.scoped for e in entries) or len({r.region for r in refs.values()}) > 1


def identities_of(
    entries: Sequence[ServiceEntry], refs: Mapping[str, ServiceRef], aws: AwsContext
) -> dict[str, Identity]:
    """Each service's identity by key (none when :func:`needs_identities` says so)."""
    if not needs_identities(entries, refs):
        return {}
    out: dict[str, Identity] = {}
    for e in entries:
        where = e.where
        try:
            account = aws.scoped(refs[e.key].principal).account_id()
        except AwsError as err:  # the role or profile is the entry's: say whose it is
            raise AwsError(f"{e.key}: {err.message}", err.details) from None
        out[e.key] = Identity(account, where.profile, where.assume_role_arn, e.scoped)
    return out


def state_keys_of(
    entries: Sequence[ServiceEntry],
    refs: Mapping[str, ServiceRef],
    identities: Mapping[str, Identity],
) -> dict[str, str]:
    """Each service's state (lock + journal) key; two services with one key are refused,
    since one would wait on the other's lock and share its journal."""
    out: dict[str, str] = {}
    owner: dict[str, str] = {}
    for e in entries:
        ref = refs[e.key]
        key = state_key_of(ref.cluster, ref.service, ref.region, identities.get(e.key))
        if key in owner:
            raise EcsplanError(
                f"services {owner[key]} and {e.key} share the state key {key}; give one of "
                "them its own region, profile or assume_role_arn in the workspace"
            )
        owner[key] = e.key
        out[e.key] = key
    return out
