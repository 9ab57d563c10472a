"""Task-level cpu/memory unit conversions: ECS accepts "0.25 vCPU" or "1 GB" but returns "256"/"1024"."""

from __future__ import annotations

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
