"""Parsed documents that remember where each node came from.

Validation errors must point at ``FILE:LINE``; so every document is parsed once for its data
and once for a map from JSON path to the 1-based line of the key (or array element) that
holds it. Lines refer to the source file: when a template action emits or trims newlines, the
renderer's line map translates rendered lines back.
"""

from __future__ import annotations

import bisect
import errno
import json
import os
import re
import stat
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


# --- limits -----------------------------------------------------------------------------
# Configs and definitions are small (ECS caps a task definition at 64 KiB); these bounds keep
# a broken or hostile file from exhausting time, memory or the Python stack.

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 100  # nesting of mappings/sequences in one document
MAX_ALIAS_NODES = 10_000  # nodes reached again through YAML aliases (billion laughs)


def not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a config file, or None for a regular file (or a link to
    one). Checked before opening: reading a named pipe would block until someone writes."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "is a broken symbolic link" if path.is_symlink() else "file not found"
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "is a symbolic link loop"
        return f"cannot read: {e.strerror}"
    if stat.S_ISREG(mode):
        return None
    for test, what in _NOT_FILES:
        if test(mode):
            return f"is {what}, not a file"
    return "is not a regular file"


_NOT_FILES = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_source(path: Path) -> str:
    """The UTF-8 text of ``path``, refusing non-files, huge files, binary and NUL bytes."""
    problem = not_a_file(path)
    if problem:
        raise syntax_error(path, 1, problem)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
            size = max(len(raw), os.fstat(f.fileno()).st_size)
    except FileNotFoundError:
        raise syntax_error(path, 1, "file not found") from None
    except OSError as e:
        raise syntax_error(path, 1, f"cannot read: {e.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise syntax_error(
            path, 1, f"file too large: {size} bytes; ecsplan reads at most {_size(MAX_FILE_BYTES)}"
        )
    return decode_text(path, raw)


def decode_text(path: Path, raw: bytes) -> str:
    """Strict UTF-8 without NUL bytes; the error names the line of the first bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise syntax_error(
            path, line, f"not a UTF-8 text file (byte 0x{raw[e.start]:02x} at offset {e.start})"
        ) from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise syntax_error(path, line, "not a text file: it contains a NUL byte")
    return text


def check_rendered(path: Path, text: str) -> None:
    """Template output must stay a sane size and valid UTF-8 (env values may hold anything)."""
    if len(text) > MAX_FILE_BYTES:
        raise syntax_error(path, 1, f"too large after templating: over {_size(MAX_FILE_BYTES)}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        line = text.count("\n", 0, e.start) + 1
        raise syntax_error(path, line, "template output is not valid UTF-8") from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise syntax_error(path, line, "template output contains a NUL byte")


def _size(n: int) -> str:
    return f"{n // 1024 // 1024} MiB" if n % (1024 * 1024) == 0 else f"{n} bytes"


def _mapped(line: int, line_map: Sequence[int] | None) -> int:
    """Source line of rendered ``line`` (templates may emit or trim newlines)."""
    if line_map is None or not line_map:
        return line
    return line_map[min(max(line, 1), len(line_map)) - 1]


def _remap(lines: dict[PathParts, int], line_map: Sequence[int] | None) -> dict[PathParts, int]:
    if line_map is None:
        return lines
    return {k: _mapped(v, line_map) for k, v in lines.items()}


# --- YAML -------------------------------------------------------------------------------

_FastLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Re-parsing a broken file in pure Python costs ~1 s per 100 KiB; bigger files keep libyaml's
# own (terser) wording.
_REWORD_LIMIT = 256 * 1024


def parse_yaml(path: Path, text: str, line_map: Sequence[int] | None = None) -> SourceDoc:
    """YAML (or JSON, which is YAML) with line marks from the composed node tree.

    libyaml (CSafeLoader) composes once; the data is constructed from the same nodes, whose
    marks give the lines. Alias expansion and nesting are bounded while walking the nodes.
    """
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _refuse_duplicate_keys(path, loader, node, line_map)
        data = loader.construct_document(node) if node is not None else None
        lines: dict[PathParts, int] = {}
        if node is not None:
            _YamlWalker(path, loader, lines, line_map).walk(node, (), node.start_mark.line + 1)
    except yaml.YAMLError as e:
        raise _yaml_error(path, text, e, line_map) from None
    except RecursionError:
        raise syntax_error(
            path, 1, f"invalid YAML: nested deeper than {MAX_DEPTH} levels"
        ) from None
    finally:
        loader.dispose()
    return SourceDoc(path, text, data, _remap(lines, line_map))


def _yaml_error(
    path: Path, text: str, error: yaml.YAMLError, line_map: Sequence[int] | None
) -> ConfigError:
    """The error as PyYAML's pure-Python parser words it (clearer than libyaml's), located."""
    if _FastLoader is not yaml.SafeLoader and len(text) <= _REWORD_LIMIT:
        try:
            yaml.safe_load(text)
        except yaml.YAMLError as e:
            error = e
        except RecursionError:
            pass
    if not isinstance(error, yaml.MarkedYAMLError):
        return syntax_error(path, 1, f"invalid YAML: {error}")
    last = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    mark = error.problem_mark or error.context_mark
    if error.problem_mark is not None and error.problem_mark.line + 1 > last:
        # Past the end (an unterminated quote or flow): where the construct opened is useful.
        mark = error.context_mark or error.problem_mark
    line = min(mark.line + 1, max(last, 1)) if mark is not None else 1
    msg = " ".join(str(x) for x in (error.context, error.problem) if x)
    return syntax_error(path, _mapped(line, line_map), f"invalid YAML: {msg}")


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _refuse_duplicate_keys(
    path: Path, loader: Any, root: yaml.Node, line_map: Sequence[int] | None
) -> None:
    """A key given twice in one mapping is an error at its second occurrence (PyYAML keeps
    the last one silently; go-yaml, ecspresso's parser, refuses it). Runs on the composed
    nodes before construction, where merge keys (``<<: *base``) are not expanded yet, and
    visits each node once, so aliases cost nothing."""
    visited: set[int] = set()
    stack: list[tuple[yaml.Node, PathParts]] = [(root, ())]
    while stack:
        node, parts = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((v, (*parts, i)) for i, v in enumerate(node.value))
        if not isinstance(node, yaml.MappingNode):
            continue
        first: dict[Any, int] = {}
        for key_node, value in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                stack.append((value, parts))
                continue
            key = _scalar_key(loader, key_node)
            line = key_node.start_mark.line + 1
            try:
                seen = first.get(key)
            except TypeError:  # unhashable: the constructor says so
                continue
            if seen is not None:
                raise ConfigError(
                    Location(str(path), _mapped(line, line_map), json_path((*parts, key))),
                    f"duplicate key {_shown_key(key)} (first at line {_mapped(seen, line_map)})",
                )
            first[key] = line
            stack.append((value, (*parts, key)))


def _scalar_key(loader: Any, node: yaml.ScalarNode) -> Any:
    """The key as the constructed data will hold it (``~`` is None, ``1`` is 1...)."""
    if node.tag == "tag:yaml.org,2002:str":
        return node.value
    try:
        return loader.construct_object(node)
    except (yaml.YAMLError, ValueError, TypeError):
        return node.value


def _shown_key(key: Any) -> str:
    return json.dumps(key, ensure_ascii=False, default=str)


class _YamlWalker:
    """Records the line of each path; refuses deep nesting and runaway alias expansion."""

    def __init__(
        self,
        path: Path,
        loader: Any,
        out: dict[PathParts, int],
        line_map: Sequence[int] | None,
    ) -> None:
        self.path = path
        self.loader = loader
        self.out = out
        self.line_map = line_map
        self.seen: set[int] = set()
        self.expanded = 0

    def walk(self, node: yaml.Node, parts: PathParts, line: int, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            raise syntax_error(
                self.path,
                _mapped(line, self.line_map),
                f"invalid YAML: nested deeper than {MAX_DEPTH} levels",
            )
        if id(node) in self.seen:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_NODES:
                # Alias nodes keep the anchor's marks: name the top-level key being expanded.
                top = parts[:1]
                raise ConfigError(
                    Location(
                        str(self.path),
                        _mapped(self.out.get(top, line), self.line_map),
                        json_path(top),
                    ),
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes; refusing "
                    "(an alias bomb?)",
                )
        else:
            self.seen.add(id(node))
        self.out[parts] = line
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                self.walk(v, (*parts, self.key(k)), k.start_mark.line + 1, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                self.walk(v, (*parts, i), v.start_mark.line + 1, depth + 1)

    def key(self, node: yaml.Node) -> Any:
        """The key as the constructed data holds it (``~`` is None, ``1`` is 1...)."""
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            return node.value
        if isinstance(node, yaml.ScalarNode):
            try:
                return self.loader.construct_object(node)
            except (yaml.YAMLError, ValueError, TypeError):
                return node.value
        return str(node.value)


# --- JSON -------------------------------------------------------------------------------


def parse_json(path: Path, text: str, line_map: Sequence[int] | None = None) -> SourceDoc:
    """Strict JSON with the parser's own error line; a small scanner records node lines."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise syntax_error(path, _mapped(e.lineno, line_map), f"invalid JSON: {e.msg}") from None
    except RecursionError:
        raise syntax_error(
            path, 1, f"invalid JSON: nested deeper than {MAX_DEPTH} levels"
        ) from None
    lines = json_lines(path, text, line_map)
    if lines is None:  # never expected for valid JSON; lines degrade to 1
        check_depth(path, data)
        lines = {(): 1}
    return SourceDoc(path, text, data, lines)


def json_lines(
    path: Path, text: str, line_map: Sequence[int] | None = None
) -> dict[PathParts, int] | None:
    """Line of each path of JSON(-ish) ``text``, or None when the scanner cannot follow it."""
    lines: dict[PathParts, int] = {}
    try:
        _JsonLines(path, text, lines, line_map).scan()
    except (ValueError, IndexError, RecursionError):
        return None
    return _remap(lines, line_map)


def jsonish_doc(
    path: Path, text: str, data: Any, line_map: Sequence[int] | None = None
) -> SourceDoc:
    """A .json file that only Jsonnet accepted (comments, trailing commas): keep its lines
    when the text is still JSON-shaped, i.e. its paths are exactly those of the data."""
    check_depth(path, data)
    lines = json_lines(path, text, line_map)
    if lines is None or set(lines) != _paths(data):
        return plain_doc(path, text, data)
    return SourceDoc(path, text, data, lines)


def _paths(data: Any) -> set[PathParts]:
    out: set[PathParts] = set()
    stack: list[tuple[PathParts, Any]] = [((), data)]
    while stack:
        parts, value = stack.pop()
        out.add(parts)
        if isinstance(value, dict):
            stack.extend(((*parts, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*parts, i), v) for i, v in enumerate(value))
    return out


def check_depth(path: Path, data: Any) -> None:
    """Refuse data nested deeper than MAX_DEPTH (iteratively: no recursion to overflow)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise syntax_error(path, 1, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


_WS = re.compile(r"(?:[ \t\n\r]+|//[^\n]*|#[^\n]*|/\*.*?\*/)*", re.DOTALL)
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity")


class _JsonLines:
    """Walks JSON text and records the line where each path starts.

    Lenient on purpose (comments, trailing commas, NaN/Infinity): it only ever runs on text a
    real parser accepted, and Jsonnet-accepted text is checked against the parsed data.
    """

    def __init__(
        self,
        path: Path,
        text: str,
        out: dict[PathParts, int],
        line_map: Sequence[int] | None = None,
    ) -> None:
        self.path = path
        self.text = text
        self.out = out
        self.line_map = line_map
        self.pos = 0
        # Line starts, for position -> line by bisection.
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)

    def ws(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def scan(self) -> None:
        self.ws()
        self.value((), self.line(self.pos), 0)

    def duplicate(self, parts: PathParts, key: str, line: int, first: dict[str, int]) -> None:
        """A key given twice in one object is an error at its second occurrence (json.loads
        keeps the last one silently)."""
        if key in first:
            raise ConfigError(
                Location(str(self.path), _mapped(line, self.line_map), json_path((*parts, key))),
                f"duplicate key {_shown_key(key)} "
                f"(first at line {_mapped(first[key], self.line_map)})",
            )
        first[key] = line

    def value(self, parts: PathParts, line: int, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ConfigError(
                Location(str(self.path), _mapped(line, self.line_map), json_path(parts)),
                f"nested deeper than {MAX_DEPTH} levels",
            )
        self.out[parts] = line
        self.ws()
        ch = self.text[self.pos]
        if ch == "{":
            self.pos += 1
            first: dict[str, int] = {}
            while True:
                self.ws()
                if self.text[self.pos] == "}":  # empty object or trailing comma
                    self.pos += 1
                    return
                key_line = self.line(self.pos)
                if self.text[self.pos] != '"':
                    raise ValueError("expected a string key")
                key, self.pos = scanstring(self.text, self.pos + 1, False)
                self.duplicate(parts, key, key_line, first)
                self.ws()
                if self.text[self.pos] != ":":
                    raise ValueError("expected ':'")
                self.pos += 1
                self.value((*parts, key), key_line, depth + 1)
                self.ws()
                ch = self.text[self.pos]
                self.pos += 1
                if ch == "}":
                    return
                if ch != ",":
                    raise ValueError("expected ',' or '}'")
        elif ch == "[":
            self.pos += 1
            i = 0
            while True:
                self.ws()
                if self.text[self.pos] == "]":  # empty array or trailing comma
                    self.pos += 1
                    return
                self.value((*parts, i), self.line(self.pos), depth + 1)
                self.ws()
                ch = self.text[self.pos]
                self.pos += 1
                i += 1
                if ch == "]":
                    return
                if ch != ",":
                    raise ValueError("expected ',' or ']'")
        elif ch == '"':
            _, self.pos = scanstring(self.text, self.pos + 1, False)
        else:
            m = _SCALAR.match(self.text, self.pos)
            if m is None:
                raise ValueError(f"unexpected {ch!r}")
            self.pos = m.end()


def plain_doc(path: Path, text: str, data: Any) -> SourceDoc:
    """A document without line information (Jsonnet output): every path is line 1."""
    return SourceDoc(path, text, data, {(): 1})
