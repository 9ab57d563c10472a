"""Go duration strings ("10m", "1h30m", "90s", "1.5h") as used by ecspresso's timeout."""

from __future__ import annotations

import re

_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
# ecspresso's durations are Go time.Duration values: int64 nanoseconds, about 292 years.
MAX_DURATION_SECONDS = (2**63 - 1) / 1e9
MAX_DURATION_TEXT = "2562047h47m16.854775807s"


class DurationOverflow(ValueError):
    """A well-formed duration longer than Go's time.Duration can hold (ecspresso refuses it)."""


_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text: str) -> float:
    """Seconds in a Go duration; ValueError with a readable message when malformed."""
    s = text.strip()
    sign = 1.0
    if s[:1] in "+-" and s:
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:]
    if s == "0":
        return 0.0
    if not s:
        raise ValueError(f"invalid duration {text!r}")
    total = 0.0
    pos = 0
    while pos < len(s):
        m = _PART.match(s, pos)
        if m is None:
            raise ValueError(f'invalid duration {text!r} (expected e.g. "10m", "1h30m", "90s")')
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if total > MAX_DURATION_SECONDS:
        raise DurationOverflow(
            f"invalid duration {text!r}: longer than Go's longest duration ({MAX_DURATION_TEXT})"
        )
    return sign * total
