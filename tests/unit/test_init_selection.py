"""`init --all` / --service GLOB: which services a selection names, and the one-line errors
for a selection that names none or a service that is gone (planner/ops/init_fleet.py)."""

from __future__ import annotations

import pytest

from planner.errors import EcsplanError
from planner.ops.init_fleet import FleetSelection, check_described, select_names

LISTED = ["api-1", "api-2", "web", "worker"]


def test_select_names_by_glob_name_and_all() -> None:
    def sel(*patterns: str) -> list[str]:
        return select_names(LISTED, FleetSelection("c", patterns), "r")

    assert sel("api-*") == ["api-1", "api-2"]
    assert sel("w*", "api-1") == ["api-1", "web", "worker"]
    assert select_names(LISTED, FleetSelection("c", all_services=True), "r") == LISTED


@pytest.mark.parametrize(
    ("listed", "patterns", "message"),
    [
        ([], ("*",), "init: cluster c has no services in r"),
        (
            LISTED,
            ("db-*",),
            "init: --service 'db-*' matches no service of cluster c "
            "(it has api-1, api-2, web, worker)",
        ),
        (LISTED, ("api-*", "db"), "init: service c/db not found in r"),
    ],
)
def test_select_names_errors(listed: list[str], patterns: tuple[str, ...], message: str) -> None:
    with pytest.raises(EcsplanError) as e:
        select_names(listed, FleetSelection("c", patterns), "r")
    assert str(e.value) == message


DELETED = "was deleted while init read the cluster (ListServices listed it, DescribeServices"


@pytest.mark.parametrize(
    ("status", "listed", "message"),
    [
        (None, True, f"{DELETED} says MISSING); run init again"),
        ("INACTIVE", True, f"{DELETED} says INACTIVE); run init again"),
        ("INACTIVE", False, "not found in r"),
        (
            "DRAINING",
            True,
            "is being deleted (DRAINING); run init again once it is gone, "
            "or leave it out of --service",
        ),
    ],
)
def test_a_service_not_active_is_refused(status: str | None, listed: bool, message: str) -> None:
    described = {"web": None if status is None else {"serviceName": "web", "status": status}}
    with pytest.raises(EcsplanError) as e:
        check_described(["web"], described, "c", "r", listed)
    assert str(e.value) == f"init: service c/web {message}"
