"""A small, safe renderer for the Go text/template subset ecspresso configs use.

Supported: ``{{ func arg ... }}`` with double-quoted (Go escapes) or backquoted strings,
numbers, pipelines (``{{ must_env "X" | json_escape }}``), parenthesised calls, trim markers
``{{-`` / ``-}}`` and ``{{/* comments */}}``. Nothing else: no variables, no ``if``/``range``,
no code execution. Functions come from a :class:`~planner.config.functions.FunctionSet`;
an error inside a function becomes ``FILE:LINE: $: func: message`` at the action's line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.errors import ConfigError, Location


class TemplateFuncError(Exception):
    """Raised by a template function; the renderer adds the file, line and function name."""


TemplateFunc = Callable[..., Any]

_KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "break"}
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<num>[-+]?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[|()])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}
_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3})|(.))")


def _unquote(lit: str) -> str:
    """Go's strconv.Unquote for the double-quoted form (invalid code points are errors)."""

    def repl(m: re.Match[str]) -> str:
        hx, u4, u8, octal, ch = m.groups()
        if hx or u4 or u8 or octal:
            code = int(octal, 8) if octal else int(hx or u4 or u8, 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or (octal and code > 0xFF):
                raise TemplateFuncError(f"invalid escape {m.group()} in string literal")
            return chr(code)
        if ch in _ESCAPES:
            return _ESCAPES[ch]
        raise TemplateFuncError(f"invalid escape \\{ch} in string literal")

    return _ESCAPE.sub(repl, lit[1:-1])


@dataclass(frozen=True)
class _Tok:
    kind: str
    value: Any


def _tokens(src: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(src):
        kind = m.lastgroup or "other"
        text = m.group()
        if kind == "ws":
            continue
        if kind == "str":
            out.append(_Tok("lit", _unquote(text)))
        elif kind == "raw":
            out.append(_Tok("lit", text[1:-1]))
        elif kind == "num":
            out.append(_Tok("lit", _number(text)))
        elif kind == "ident":
            if text in _KEYWORDS:
                raise TemplateFuncError(f'unsupported template action "{text}"')
            if text in ("true", "false"):
                out.append(_Tok("lit", text == "true"))
            else:
                out.append(_Tok("ident", text))
        elif kind == "punct":
            out.append(_Tok(text, text))
        else:
            raise TemplateFuncError(f"unsupported syntax {text!r} in template action")
    return out


def _number(text: str) -> int | float:
    """Go's number literals: ``08`` is not a number (a leading 0 means octal)."""
    try:
        if re.fullmatch(r"[-+]?(0[xX][0-9a-fA-F]+|\d+)", text):
            return int(text, 0)
        return float(text)
    except ValueError:
        raise TemplateFuncError(f"invalid number {text}") from None


MAX_NESTING = 50  # parentheses in one action; bounds the evaluator's recursion


class _Evaluator:
    """Recursive descent over one action's tokens, calling functions as it goes."""

    def __init__(self, toks: list[_Tok], funcs: Mapping[str, TemplateFunc]) -> None:
        self.toks = toks
        self.i = 0
        self.funcs = funcs
        self.depth = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def pipeline(self) -> Any:
        value = self.command(None, piped=False)
        while (t := self.peek()) is not None and t.kind == "|":
            self.i += 1
            value = self.command(value, piped=True)
        return value

    def operand(self) -> tuple[bool, Any]:
        """(is_function_name, value-or-name) for one operand."""
        t = self.peek()
        if t is None:
            raise TemplateFuncError("missing value in template action")
        self.i += 1
        if t.kind == "lit":
            return False, t.value
        if t.kind == "ident":
            return True, t.value
        if t.kind == "(":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise TemplateFuncError(f"parentheses nested deeper than {MAX_NESTING} levels")
            value = self.pipeline()
            self.depth -= 1
            close = self.peek()
            if close is None or close.kind != ")":
                raise TemplateFuncError("unclosed parenthesis in template action")
            self.i += 1
            return False, value
        raise TemplateFuncError(f"unexpected {t.value!r} in template action")

    def command(self, piped_value: Any, piped: bool) -> Any:
        is_func, head = self.operand()
        args: list[Any] = []
        while (t := self.peek()) is not None and t.kind not in ("|", ")"):
            arg_is_func, arg = self.operand()
            args.append(self.call(arg, []) if arg_is_func else arg)
        if piped:
            args.append(piped_value)
        if is_func:
            return self.call(head, args)
        if args:
            raise TemplateFuncError(f"can't give argument to non-function {head!r}")
        return head

    def call(self, name: str, args: list[Any]) -> Any:
        fn = self.funcs.get(name)
        if fn is None:
            raise TemplateFuncError(f'function "{name}" not defined')
        try:
            return fn(*args)
        except TemplateFuncError as e:
            raise TemplateFuncError(f"{name}: {e}") from None
        except TypeError:
            raise TemplateFuncError(f"{name}: wrong number or type of arguments") from None


def _stringify(value: Any) -> str:
    """Go's default printing for the values our functions return."""
    if isinstance(value, str):
        return value
    if value is None:
        return "<no value>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


_OPEN = "{{"
_CLOSE = "}}"


def render_template(text: str, path: Path | str, funcs: Mapping[str, TemplateFunc]) -> str:
    """Expand every ``{{ ... }}`` action in ``text``; raise ConfigError at the action's line."""
    return render_template_mapped(text, path, funcs)[0]


def render_template_mapped(
    text: str, path: Path | str, funcs: Mapping[str, TemplateFunc]
) -> tuple[str, list[int] | None]:
    """The rendered text and, when it has actions, the source line of each rendered line.

    Actions may emit newlines (and ``{{-`` may trim some), so a parser's line in the output
    is not the line in the file; the map lets errors point at the file. Lines are counted
    incrementally: one pass over the text, however many actions it holds.
    """
    if _OPEN not in text:
        return text, None
    out: list[str] = []
    line_map = [1]  # line_map[r - 1]: source line where rendered line r starts
    counter = _LineCounter(text)
    pos = 0
    trim_next = False

    def emit_literal(chunk: str, first: int) -> None:
        n = chunk.count("\n")
        line_map.extend(range(first + 1, first + n + 1))
        out.append(chunk)

    while True:
        start = text.find(_OPEN, pos)
        chunk = text[pos:] if start < 0 else text[pos:start]
        chunk_at = pos
        if trim_next:
            stripped = chunk.lstrip()
            chunk_at += len(chunk) - len(stripped)
            chunk = stripped
        chunk_line = counter.line_at(chunk_at)  # positions only move forward: linear
        if start < 0:
            emit_literal(chunk, chunk_line)
            break
        line = counter.line_at(start)
        body_start = start + 2
        if text.startswith("- ", body_start) or text.startswith("-\t", body_start):
            chunk = chunk.rstrip()
            body_start += 1
        emit_literal(chunk, chunk_line)
        end = _find_close(text, body_start)
        if end < 0:
            raise ConfigError(Location(str(path), line, "$"), "unclosed template action")
        body = text[body_start:end]
        trim_next = False
        if body.endswith(" -") or body.endswith("\t-"):
            body = body[:-1]
            trim_next = True
        pos = end + 2
        stripped = body.strip()
        if stripped.startswith("/*") and stripped.endswith("*/"):
            continue
        emitted = _evaluate(body, funcs, Location(str(path), line, "$"))
        line_map.extend([line] * emitted.count("\n"))
        out.append(emitted)
    return "".join(out), line_map


def _evaluate(body: str, funcs: Mapping[str, TemplateFunc], where: Location) -> str:
    """One action's output; its errors name the action's line."""
    try:
        toks = _tokens(body)
        if not toks:
            raise TemplateFuncError("missing value in template action")
        ev = _Evaluator(toks, funcs)
        value = ev.pipeline()
        if ev.peek() is not None:
            raise TemplateFuncError(f"unexpected {ev.peek().value!r} in template action")  # type: ignore[union-attr]
    except TemplateFuncError as e:
        raise ConfigError(where, str(e)) from None
    except RecursionError:  # belt and braces: MAX_NESTING keeps far below the limit
        raise ConfigError(where, "template action nested too deeply") from None
    return _stringify(value)


class _LineCounter:
    """1-based line of a position, for positions that only move forward (linear overall)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def line_at(self, pos: int) -> int:
        if pos < self.pos:  # callers go forward; stay correct (slowly) if one does not
            return self.text.count("\n", 0, pos) + 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _find_close(text: str, pos: int) -> int:
    """Index of the ``}}`` closing an action, skipping string literals that contain it."""
    i = pos
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\n":
                    return -1
                i += 2 if text[i] == "\\" else 1
        elif ch == "`":
            i = text.find("`", i + 1)
            if i < 0:
                return -1
        elif text.startswith(_CLOSE, i):
            return i
        i += 1
    return -1
