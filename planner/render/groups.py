"""Services grouped by the account and region they act in, for plans that span several.

A workspace may deploy to several accounts and regions in one plan (issue 21); a reviewer
must see at a glance which change lands where, and two accounts' services of the same
name must not read as one. A plan in one account and region is shown as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from planner.plan.model import ServicePlan

Group = tuple[str | None, list[ServicePlan]]


def place_of(sp: ServicePlan) -> str:
    """``ACCOUNT / REGION`` (just the region when the plan recorded no account)."""
    if sp.identity is None:
        return sp.region
    return f"{sp.identity.account} / {sp.region}"


def identity_groups(services: Sequence[ServicePlan]) -> list[Group]:
    """Services by ``account / region`` in order of first appearance, each group in plan
    order; one group without a heading when they all act in one account and region."""
    groups: dict[str, list[ServicePlan]] = {}
    for sp in services:
        groups.setdefault(place_of(sp), []).append(sp)
    if len(groups) <= 1:
        return [(None, list(services))]
    return [(heading, members) for heading, members in groups.items()]
