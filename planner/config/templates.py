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
    """Go's strconv.Unquote for the double-quoted form."""

    def repl(m: re.Match[str]) -> str:
        hx, u4, u8, octal, ch = m.groups()
        if hx or u4 or u8:
            return chr(int(hx or u4 or u8, 16))
        if octal:
            return chr(int(octal, 8))
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
            num: int | float = (
                int(text, 0) if re.fullmatch(r"[-+]?(0[xX][0-9a-fA-F]+|\d+)", text) else float(text)
            )
            out.append(_Tok("lit", num))
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


class _Evaluator:
    """Recursive descent over one action's tokens, calling functions as it goes."""

    def __init__(self, toks: list[_Tok], funcs: Mapping[str, TemplateFunc]) -> None:
        self.toks = toks
        self.i = 0
        self.funcs = funcs

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
            value = self.pipeline()
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
    if _OPEN not in text:
        return text
    out: list[str] = []
    pos = 0
    trim_next = False
    while True:
        start = text.find(_OPEN, pos)
        chunk = text[pos:] if start < 0 else text[pos:start]
        if trim_next:
            chunk = chunk.lstrip()
        if start < 0:
            out.append(chunk)
            break
        line = text.count("\n", 0, start) + 1
        body_start = start + 2
        if text.startswith("- ", body_start) or text.startswith("-\t", body_start):
            chunk = chunk.rstrip()
            body_start += 1
        out.append(chunk)
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
        try:
            toks = _tokens(body)
            if not toks:
                raise TemplateFuncError("missing value in template action")
            ev = _Evaluator(toks, funcs)
            value = ev.pipeline()
            if ev.peek() is not None:
                raise TemplateFuncError(f"unexpected {ev.peek().value!r} in template action")  # type: ignore[union-attr]
        except TemplateFuncError as e:
            raise ConfigError(Location(str(path), line, "$"), str(e)) from None
        out.append(_stringify(value))
    return "".join(out)


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
