"""``required_version`` constraints (hashicorp/go-version syntax) against our compatibility.

ecsplan reads ecspresso v2 configs, so constraints are checked against the ecspresso
version whose behaviour we follow, :data:`ECSPRESSO_COMPAT_VERSION`.
"""

from __future__ import annotations

import re

ECSPRESSO_COMPAT_VERSION = "2.4.0"

_CONSTRAINT = re.compile(
    r"^\s*(>=|<=|!=|~>|=|>|<)?\s*v?(\d+(?:\.\d+){0,2})(?:-[0-9A-Za-z.-]+)?\s*$"
)


def _parse(v: str) -> tuple[int, int, int]:
    nums = [int(x) for x in v.split(".")]
    while len(nums) < 3:
        nums.append(0)
    return nums[0], nums[1], nums[2]


def check_required_version(constraint: str, version: str = ECSPRESSO_COMPAT_VERSION) -> bool:
    """True when ``version`` satisfies every comma-separated part; ValueError if malformed."""
    have = _parse(version)
    for part in constraint.split(","):
        m = _CONSTRAINT.match(part)
        if m is None:
            raise ValueError(f"invalid version constraint {part.strip()!r}")
        op, raw = m.group(1) or "=", m.group(2)
        want = _parse(raw)
        if op == "~>":
            # ~> 2.1 allows >= 2.1, < 3.0; ~> 2.1.3 allows >= 2.1.3, < 2.2.0.
            depth = raw.count(".")
            upper = (want[0] + 1, 0, 0) if depth <= 1 else (want[0], want[1] + 1, 0)
            ok = want <= have < upper
        else:
            ok = {
                "=": have == want,
                "!=": have != want,
                ">": have > want,
                "<": have < want,
                ">=": have >= want,
                "<=": have <= want,
            }[op]
        if not ok:
            return False
    return True
