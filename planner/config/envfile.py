"""dotenv files for ``--envfile``, loaded into the environment before templates run.

Like ecspresso (hashicorp/go-envparse), values from the file override variables already set.
Supported: ``KEY=VALUE``, ``export KEY=VALUE``, ``#`` comments, single quotes (literal),
double quotes (with ``\\n``, ``\\t``, ``\\"``, ``\\\\`` escapes).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from planner.config.source import MAX_FILE_BYTES, decode_text, not_a_file
from planner.errors import ConfigError, Location

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$")
_DQ_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


def parse_envfile(path: str | Path) -> dict[str, str]:
    """KEY -> VALUE from one dotenv file; a malformed line is a ConfigError at its line."""
    p = Path(path)
    problem = not_a_file(p)
    if problem:
        raise ConfigError(Location(str(p), 1, "$"), f"cannot read envfile: {problem}")
    try:
        with p.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ConfigError(Location(str(p), 1, "$"), f"cannot read envfile: {e.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(
            Location(str(p), 1, "$"), "envfile too large: ecsplan reads at most 1 MiB"
        )
    # Not UTF-8 or holding a NUL (which no environment variable can carry): a located error.
    text = decode_text(p, raw)
    out: dict[str, str] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        m = _LINE.match(raw)
        if m is None:
            raise ConfigError(Location(str(p), n, "$"), "expected KEY=VALUE in envfile")
        key, value = m.group(1), m.group(2)
        out[key] = _value(value, p, n)
    return out


def _value(value: str, path: Path, line: int) -> str:
    if value.startswith("'"):
        end = value.find("'", 1)
        if end < 0:
            raise ConfigError(Location(str(path), line, "$"), "unterminated single quote")
        return value[1:end]
    if value.startswith('"'):
        out: list[str] = []
        i = 1
        while i < len(value):
            ch = value[i]
            if ch == "\\" and i + 1 < len(value):
                out.append(_DQ_ESCAPES.get(value[i + 1], "\\" + value[i + 1]))
                i += 2
                continue
            if ch == '"':
                return "".join(out)
            out.append(ch)
            i += 1
        raise ConfigError(Location(str(path), line, "$"), "unterminated double quote")
    # Unquoted: an inline comment starts at " #".
    return re.split(r"\s+#", value, maxsplit=1)[0].strip()


def load_envfiles(paths: Iterable[str | Path]) -> dict[str, str]:
    """Export every file's variables (later files win); returns what was set."""
    loaded: dict[str, str] = {}
    for path in paths:
        loaded.update(parse_envfile(path))
    os.environ.update(loaded)
    return loaded
