"""``required_version`` as ecspresso checks it: hashicorp/go-version constraints.

The cases of go-version's own tests (constraint_test.go TestConstraintCheck and
TestNewConstraint at v1.7.0, the version ecspresso v2.6.0's go.mod pins), then ecspresso's
use of it (config.go Restrict/ValidateVersion) against the release ecsplan follows.
"""

from __future__ import annotations

import pytest

from planner.config.version import ECSPRESSO_COMPAT_VERSION, check_required_version

GO_VERSION_CHECKS = [
    (">= 1.0, < 1.2", "1.1.5", True),
    ("< 1.0, < 1.2", "1.1.5", False),
    ("= 1.0", "1.1.5", False),
    ("= 1.0", "1.0.0", True),
    ("1.0", "1.0.0", True),
    ("~> 1.0", "2.0", False),
    ("~> 1.0", "1.1", True),
    ("~> 1.0", "1.2.3", True),
    ("~> 1.0.0", "1.2.3", False),
    ("~> 1.0.0", "1.0.7", True),
    ("~> 1.0.0", "1.1.0", False),
    ("~> 1.0.7", "1.0.4", False),
    ("~> 1.0.7", "1.0.7", True),
    ("~> 1.0.7", "1.0.8", True),
    ("~> 1.0.7", "1.0.7.5", True),
    ("~> 1.0.7", "1.0.6.99", False),
    ("~> 1.0.7", "1.0.8.0", True),
    ("~> 1.0.9.5", "1.0.9.5", True),
    ("~> 1.0.9.5", "1.0.9.4", False),
    ("~> 1.0.9.5", "1.0.9.6", True),
    ("~> 1.0.9.5", "1.0.9.5.0", True),
    ("~> 1.0.9.5", "1.0.9.5.1", True),
    ("~> 2.0", "2.1.0-beta", False),
    ("~> 2.1.0-a", "2.2.0", False),
    ("~> 2.1.0-a", "2.1.0", False),
    ("~> 2.1.0-a", "2.1.0-beta", True),
    ("~> 2.1.0-a", "2.2.0-alpha", False),
    ("> 2.0", "2.1.0-beta", False),
    (">= 2.1.0-a", "2.1.0-beta", True),
    (">= 2.1.0-a", "2.1.1-beta", False),
    (">= 2.0.0", "2.1.0-beta", False),
    (">= 2.1.0-a", "2.1.1", True),
    (">= 2.1.0-a", "2.1.1-beta", False),
    (">= 2.1.0-a", "2.1.0", True),
    ("<= 2.1.0-a", "2.0.0", True),
]


@pytest.mark.parametrize("constraint,version,expected", GO_VERSION_CHECKS)
def test_go_version_constraint_check(constraint: str, version: str, expected: bool) -> None:
    assert check_required_version(constraint, version) is expected


@pytest.mark.parametrize(
    "constraint,message",
    [
        (">= 1.x", "Malformed constraint: >= 1.x"),
        ("about two", "Malformed constraint: about two"),
        (">= 2.0.0,", "Malformed constraint: "),
        ("11387778780781445675529500000000000000000", "Error parsing version: "),
    ],
)
def test_malformed_constraints(constraint: str, message: str) -> None:
    with pytest.raises(ValueError) as e:
        check_required_version(constraint)
    assert str(e.value).startswith(message)


@pytest.mark.parametrize(
    "constraint,expected",
    [
        (">= 2.5.0", True),  # configs pinned to a recent v2
        ("~> 2.6", True),
        ("~> 2", True),  # go-version: only >= 2.0.0
        ("~> 1", True),  # ... which makes this one true too, as in ecspresso
        (">= v2.0.0, < 3", True),
        ("< 2.6.0", False),
        ("~> 2.6.1", False),
        (">= 2.7.0", False),
        (">= 3.0.0", False),
        ("= 2.6.0-rc1", False),
    ],
)
def test_against_the_tracked_release(constraint: str, expected: bool) -> None:
    assert ECSPRESSO_COMPAT_VERSION == "v2.6.0"
    assert check_required_version(constraint) is expected
