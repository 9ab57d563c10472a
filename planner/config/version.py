"""``required_version``: hashicorp/go-version constraints, checked as ecspresso checks them.

ecsplan reads ecspresso v2 configs, so a constraint is checked against the ecspresso release
whose behaviour ecsplan follows (:data:`ECSPRESSO_COMPAT_VERSION`, the newest v2 whose source
was read), with go-version's own rules (constraint.go/version.go at v1.7.0, the version
ecspresso v2.6.0 builds with): ``~> 2.6`` means >= 2.6, < 3; ``~> 2`` only >= 2; a
pre-release constraint matches no release; and its error texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ECSPRESSO_COMPAT_VERSION = "v2.6.0"

_SPACE = "[\t\n\f\r ]"  # Go RE2's \s
_VERSION = (
    r"v?([0-9]+(\.[0-9]+)*?)"
    r"(-([0-9]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)|(-?([A-Za-z\-~]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)))?"
    r"(\+([0-9A-Za-z\-~]+(\.[0-9A-Za-z\-~]+)*))?"
    r"?"
)
_VERSION_RE = re.compile(f"^{_VERSION}$")
_CONSTRAINT_RE = re.compile(f"^{_SPACE}*(>=|<=|!=|~>|=|>|<|){_SPACE}*({_VERSION}){_SPACE}*$")


@dataclass(frozen=True)
class Version:
    """go-version's Version: segments padded to three, ``si`` the number written."""

    segments: tuple[int, ...]
    si: int
    pre: str
    metadata: str

    @classmethod
    def parse(cls, text: str) -> Version:
        m = _VERSION_RE.match(text)
        if m is None:
            raise ValueError(f"Malformed version: {text}")
        written = [int(s) for s in m.group(1).split(".")]
        if any(s >= 2**63 for s in written):
            raise ValueError(f"Error parsing version: {text}")
        padded = tuple(written + [0] * (3 - len(written)))
        return cls(padded, len(written), m.group(7) or m.group(4) or "", m.group(10) or "")

    def compare(self, other: Version) -> int:
        if self == other:
            return 0
        if self.segments == other.segments:
            if not self.pre or not other.pre:
                return 0 if self.pre == other.pre else (1 if not self.pre else -1)
            return _compare_prereleases(self.pre, other.pre)
        width = max(len(self.segments), len(other.segments))
        mine = self.segments + (0,) * (width - len(self.segments))
        theirs = other.segments + (0,) * (width - len(other.segments))
        return (mine > theirs) - (mine < theirs)


def _compare_prereleases(a: str, b: str) -> int:
    pa, pb = a.split("."), b.split(".")
    for i in range(max(len(pa), len(pb))):
        c = _compare_part(pa[i] if i < len(pa) else "", pb[i] if i < len(pb) else "")
        if c:
            return c
    return 0


def _compare_part(a: str, b: str) -> int:
    if a == b:
        return 0
    a_num, b_num = a.isdigit(), b.isdigit()
    if a == "":
        return -1 if b_num else 1
    if b == "":
        return 1 if a_num else -1
    if a_num != b_num:
        return -1 if a_num else 1
    if not a_num:
        return 1 if a > b else -1
    return 1 if int(a) > int(b) else -1


def _prerelease_ok(v: Version, c: Version) -> bool:
    if c.pre and v.pre:
        return v.segments == c.segments
    return not (v.pre and not c.pre)


def _pessimistic(v: Version, c: Version) -> bool:
    if not _prerelease_ok(v, c) or (c.pre and not v.pre) or v.compare(c) < 0:
        return False
    if len(c.segments) > len(v.segments):
        return False
    if any(v.segments[i] != c.segments[i] for i in range(c.si - 1)):
        return False
    return c.segments[-1] <= v.segments[len(c.segments) - 1]


_CHECKS = {
    "": lambda v, c: v.compare(c) == 0,
    "=": lambda v, c: v.compare(c) == 0,
    "!=": lambda v, c: v.compare(c) != 0,
    ">": lambda v, c: _prerelease_ok(v, c) and v.compare(c) == 1,
    "<": lambda v, c: _prerelease_ok(v, c) and v.compare(c) == -1,
    ">=": lambda v, c: _prerelease_ok(v, c) and v.compare(c) >= 0,
    "<=": lambda v, c: _prerelease_ok(v, c) and v.compare(c) <= 0,
    "~>": _pessimistic,
}


def check_required_version(constraint: str, version: str = ECSPRESSO_COMPAT_VERSION) -> bool:
    """True when ``version`` satisfies every comma-separated constraint.

    ValueError with go-version's message when a part is malformed (ecspresso wraps it as
    ``required_version has invalid format: ...``)."""
    parsed = []
    for single in constraint.split(","):
        m = _CONSTRAINT_RE.match(single)
        if m is None:
            raise ValueError(f"Malformed constraint: {single}")
        parsed.append((m.group(1), Version.parse(m.group(2))))
    have = Version.parse(version)
    return all(_CHECKS[op](have, want) for op, want in parsed)
