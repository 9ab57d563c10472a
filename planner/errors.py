"""User-facing errors.

Every failure a user can cause or meet is one of these. They are raised where the cause is
known and turned into a one-line message and exit code 1 in one place: ``planner.cli.main``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class EcsplanError(Exception):
    """An error with a message meant for the user (first line = the cause)."""

    def __init__(self, message: str, details: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.warnings: tuple[str, ...] = ()  # gathered before the failure; printed after it

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Location:
    """Where in a source file a problem is: file, 1-based line, JSON path (``$.a.b[0]``)."""

    file: str
    line: int | None = None
    path: str = "$"

    def __str__(self) -> str:
        line = self.line if self.line is not None else 1
        return f"{self.file}:{line}: {self.path}"


def json_path(parts: Iterable[object]) -> str:
    """Render path parts as a JSONPath string: ("a", 0, "b") -> "$.a[0].b".

    YAML mapping keys need not be strings (``~: x``, ``1.5: x``, ``yes: x``); any key renders,
    in brackets, so that reporting a bad key never fails itself.
    """
    out = "$"
    for p in parts:
        if isinstance(p, bool):
            out += f"[{'true' if p else 'false'}]"
        elif isinstance(p, int):
            out += f"[{p}]"
        elif p is None:
            out += "[null]"
        elif not isinstance(p, str):
            out += f"[{p}]"
        elif p.isidentifier():
            out += f".{p}"
        else:
            out += f"[{p!r}]"
    return out


class ConfigError(EcsplanError):
    """A problem in a config or definition file, rendered as ``FILE:LINE: $.path: message``."""

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.reason = message


class ValidationFailed(EcsplanError):
    """Several config errors found at once; the first is the headline, all are listed."""

    def __init__(self, errors: Sequence[ConfigError]) -> None:
        self.errors = list(errors)
        head = str(self.errors[0]) if self.errors else "validation failed"
        rest = "\n".join(str(e) for e in self.errors[1:]) or None
        super().__init__(head, rest)


class AwsError(EcsplanError):
    """An AWS call failed in a way the user must act on (credentials, access, endpoint...)."""
