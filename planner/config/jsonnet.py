"""Jsonnet evaluation with ecspresso's externals and native functions.

Imports resolve relative to the importing file (the library's default); ``std.native('env')``,
``std.native('must_env')``, ``std.native('tfstate')``... come from the FunctionSet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import _jsonnet

from planner.config.functions import FunctionSet
from planner.errors import ConfigError, Location

_WHERE = re.compile(r"(?:^|\s)(?P<file>[^\s:]+):(?P<line>\d+):(?:\d+)")


def evaluate_jsonnet(
    path: Path,
    funcs: FunctionSet,
    ext_str: Mapping[str, str],
    ext_code: Mapping[str, str],
    snippet: str | None = None,
) -> str:
    """JSON text of the evaluated file (or of ``snippet`` named as ``path``)."""
    kwargs = {
        "ext_vars": dict(ext_str),
        "ext_codes": dict(ext_code),
        "native_callbacks": funcs.native_callbacks(),
    }
    try:
        if snippet is None:
            return _jsonnet.evaluate_file(str(path), **kwargs)
        return _jsonnet.evaluate_snippet(str(path), snippet, **kwargs)
    except RuntimeError as e:
        raise _error(path, str(e)) from None


def _error(path: Path, message: str) -> ConfigError:
    """``FILE:LINE: $: message`` from the Jsonnet error text and its first stack frame."""
    first = message.strip().splitlines()[0] if message.strip() else "Jsonnet error"
    m = _WHERE.search(message)
    file, line = (m.group("file"), int(m.group("line"))) if m else (str(path), 1)
    reason = re.sub(r"^(RUNTIME|STATIC) ERROR:\s*", "", first)
    reason = re.sub(r"^[^\s:]+:\d+:\d+(-\d+)?:\s*", "", reason)
    if reason.startswith("Opening input file"):
        file, line = str(path), 1
    return ConfigError(Location(file, line, "$"), f"Jsonnet: {reason}")
