"""Parsed documents that remember where each node came from.

Validation errors must point at ``FILE:LINE``; so every document is parsed once for its data
and once for a map from JSON path to the 1-based line of the key (or array element) that
holds it. Lines refer to the rendered text, which equals the source unless a template
function emitted newlines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from json.decoder import scanstring
from pathlib import Path
from typing import Any

import yaml

from planner.errors import ConfigError, Location, json_path

PathParts = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceDoc:
    """One rendered file: its path, text, parsed data and the line of each JSON path."""

    path: Path
    text: str
    data: Any
    lines: Mapping[PathParts, int] = field(default_factory=dict, repr=False)
    prefix: PathParts = ()  # where ``data`` sits in the file (wrapped definitions)

    def line_of(self, parts: Sequence[str | int]) -> int:
        """Line of the node at ``parts``, or of its nearest ancestor that has one (else 1)."""
        key = (*self.prefix, *parts)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def location(self, parts: Sequence[str | int]) -> Location:
        return Location(str(self.path), self.line_of(parts), json_path((*self.prefix, *parts)))

    def error(self, parts: Sequence[str | int], message: str) -> ConfigError:
        return ConfigError(self.location(parts), message)

    def at(self, prefix: Sequence[str | int]) -> SourceDoc:
        """The sub-document under ``prefix`` (for wrapped definitions); paths stay file-wide."""
        data = self.data
        for p in prefix:
            data = data[p]
        return SourceDoc(self.path, self.text, data, self.lines, (*self.prefix, *prefix))


def syntax_error(path: Path, line: int | None, message: str) -> ConfigError:
    return ConfigError(Location(str(path), line or 1, "$"), message)


# --- YAML -------------------------------------------------------------------------------


def parse_yaml(path: Path, text: str) -> SourceDoc:
    """YAML (or JSON, which is YAML) with line marks from PyYAML's node tree."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 1
        msg = " ".join(str(x) for x in (e.context, e.problem) if x)
        raise syntax_error(path, line, f"invalid YAML: {msg}") from None
    except yaml.YAMLError as e:
        raise syntax_error(path, 1, f"invalid YAML: {e}") from None
    lines: dict[PathParts, int] = {}
    if node is not None:
        _walk_yaml(node, (), node.start_mark.line + 1, lines)
    return SourceDoc(path, text, data, lines)


def _walk_yaml(node: yaml.Node, parts: PathParts, line: int, out: dict[PathParts, int]) -> None:
    out[parts] = line
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k.value)
            _walk_yaml(v, (*parts, key), k.start_mark.line + 1, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk_yaml(v, (*parts, i), v.start_mark.line + 1, out)


# --- JSON -------------------------------------------------------------------------------


def parse_json(path: Path, text: str) -> SourceDoc:
    """Strict JSON with the parser's own error line; a small scanner records node lines."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise syntax_error(path, e.lineno, f"invalid JSON: {e.msg}") from None
    lines: dict[PathParts, int] = {}
    try:
        _JsonLines(text, lines).scan()
    except (ValueError, IndexError):  # never expected for valid JSON; lines degrade to 1
        lines = {(): 1}
    return SourceDoc(path, text, data, lines)


_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


class _JsonLines:
    """Walks valid JSON text and records the line where each path starts."""

    def __init__(self, text: str, out: dict[PathParts, int]) -> None:
        self.text = text
        self.out = out
        self.pos = 0
        # Line starts, for position -> line by bisection.
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, pos: int) -> int:
        import bisect

        return bisect.bisect_right(self.starts, pos)

    def ws(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def scan(self) -> None:
        self.ws()
        self.value((), self.line(self.pos))

    def value(self, parts: PathParts, line: int) -> None:
        self.out[parts] = line
        self.ws()
        ch = self.text[self.pos]
        if ch == "{":
            self.pos += 1
            self.ws()
            if self.text[self.pos] == "}":
                self.pos += 1
                return
            while True:
                self.ws()
                key_line = self.line(self.pos)
                key, self.pos = scanstring(self.text, self.pos + 1)
                self.ws()
                self.pos += 1  # ':'
                self.value((*parts, key), key_line)
                self.ws()
                ch = self.text[self.pos]
                self.pos += 1
                if ch == "}":
                    return
        elif ch == "[":
            self.pos += 1
            self.ws()
            if self.text[self.pos] == "]":
                self.pos += 1
                return
            i = 0
            while True:
                self.ws()
                self.value((*parts, i), self.line(self.pos))
                self.ws()
                ch = self.text[self.pos]
                self.pos += 1
                i += 1
                if ch == "]":
                    return
        elif ch == '"':
            _, self.pos = scanstring(self.text, self.pos + 1)
        else:
            m = _SCALAR.match(self.text, self.pos)
            if m is None:
                raise ValueError(f"unexpected {ch!r}")
            self.pos = m.end()


def plain_doc(path: Path, text: str, data: Any) -> SourceDoc:
    """A document without line information (Jsonnet output): every path is line 1."""
    return SourceDoc(path, text, data, {(): 1})
