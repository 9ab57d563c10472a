"""Task-level cpu/memory unit conversions: ECS accepts "0.25 vCPU" or "1 GB" but returns "256"/"1024".
Also the text forms of revisions and times that ecspresso prints."""

from __future__ import annotations

import datetime as dt
import re

_NUMBER_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")
_CPU_UNITS_PER_VCPU = 1024
_MIB_PER_GB = 1024


def _split(value: str | int | float) -> tuple[float, str] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value), ""
    match = _NUMBER_UNIT.match(value)
    if match is None:
        return None
    return float(match.group(1)), match.group(2).lower()


def _as_text(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def normalize_task_cpu(value: str | int | float) -> str:
    """Task cpu as ECS returns it: CPU units as a decimal string ("0.25 vCPU" -> "256").

    Values that do not parse are returned unchanged (as text) so the API reports the error.
    """
    parsed = _split(value)
    if parsed is None:
        return str(value)
    number, unit = parsed
    if unit in ("vcpu", "vcpus"):
        number *= _CPU_UNITS_PER_VCPU
    elif unit not in ("", "cpu", "units"):
        return str(value)
    return _as_text(number)


def normalize_task_memory(value: str | int | float) -> str:
    """Task memory as ECS returns it: MiB as a decimal string ("1 GB" -> "1024")."""
    parsed = _split(value)
    if parsed is None:
        return str(value)
    number, unit = parsed
    if unit in ("gb", "gib"):
        number *= _MIB_PER_GB
    elif unit not in ("", "mb", "mib"):
        return str(value)
    return _as_text(number)


def revision_name(arn: str | None, missing: str = "-") -> str:
    """``arn:...:task-definition/web:12`` -> ``web:12`` (``web:12`` stays as it is)."""
    return arn.rsplit("/", 1)[-1] if arn else missing


def go_local_time(value: dt.datetime, millis: bool = False) -> str:
    """Go's ``t.In(time.Local).Format(time.RFC3339)`` (``millis``: the layout
    "2006-01-02T15:04:05.000Z07:00" of ecspresso's and tracer's log times): local time
    zone, ``Z`` for a zero offset, fractions truncated."""
    t = value.astimezone()
    text = t.strftime("%Y-%m-%dT%H:%M:%S") + (f".{t.microsecond // 1000:03d}" if millis else "")
    offset = t.utcoffset() or dt.timedelta(0)
    if not offset:
        return text + "Z"
    sign, size = ("-", -offset) if offset < dt.timedelta(0) else ("+", offset)
    hh, mm = divmod(int(size.total_seconds()) // 60, 60)
    return f"{text}{sign}{hh:02d}:{mm:02d}"
