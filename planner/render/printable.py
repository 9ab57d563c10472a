"""Text from configs, files and AWS made safe to print: invisible characters shown as escapes.

A name, a path or a value can hold control characters (BEL, ESC, a newline), DEL, C1
controls, line separators and Unicode bidirectional overrides (U+202E, "Trojan Source").
Printed raw they ring the terminal, run escape sequences, split one line in two or make
the reader see something other than what is there. ``printable`` shows each as ``\\x07`` or
``\\u202e``; every other character, non-ASCII letters included, is left alone. JSON output
gets the same characters as JSON ``\\uXXXX`` escapes, so it stays valid and means the same.
"""

from __future__ import annotations

import json
import re
from typing import Any

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# json.dumps escapes C0 inside strings; outside them only its own layout whitespace is left
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    char = m.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """One line for a terminal or Markdown: every unsafe character (newlines too) escaped."""
    return _UNSAFE.sub(_escape, text)


def printable_lines(text: str) -> str:
    """Several lines: newlines kept, every other unsafe character escaped."""
    return _UNSAFE_BUT_NEWLINE.sub(_escape, text)


def json_text(data: Any, **kwargs: Any) -> str:
    """``json.dumps`` keeping non-ASCII letters readable but escaping unsafe characters
    (json.dumps already escapes C0 controls; DEL, C1 and bidi marks become ``\\uXXXX``)."""
    text = json.dumps(data, ensure_ascii=False, **kwargs)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
