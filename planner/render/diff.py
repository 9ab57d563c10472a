"""Unified diff of canonical JSON with unchanged runs folded, shared by text and Markdown.

Reviewers read JSON, not deepdiff paths: both sides are dumped the same way (indent 2, sorted
keys) so that only real changes differ, and long unchanged stretches collapse into one
``# (N unchanged lines hidden)`` line, as Terraform folds unchanged attributes.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

CONTEXT_LINES = 3

Marker = Literal["+", "-", " ", "#"]


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: ``marker`` is +, -, space (context) or # (folded run)."""

    marker: Marker
    text: str


def canonical_lines(doc: Mapping[str, Any] | None) -> list[str]:
    """The JSON lines of a document; an absent document has none."""
    if doc is None:
        return []
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, default=str).splitlines()


def _fold(lines: list[str], start: int, end: int) -> DiffLine:
    """The line standing for ``lines[start:end]``, indented like the first hidden line."""
    first = lines[start]
    indent = first[: len(first) - len(first.lstrip())]
    n = end - start
    return DiffLine("#", f"{indent}# ({n} unchanged line{'s' if n != 1 else ''} hidden)")


def diff_lines(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    context: int = CONTEXT_LINES,
) -> list[DiffLine]:
    """Changed lines with ``context`` lines around them; other unchanged lines folded."""
    a, b = canonical_lines(before), canonical_lines(after)
    out: list[DiffLine] = []
    pos = 0  # next line of ``a`` not yet shown or folded
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first_a = group[0][1]
        if first_a > pos:
            out.append(_fold(a, pos, first_a))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(DiffLine(" ", line) for line in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                out.extend(DiffLine("-", line) for line in a[i1:i2])
            if tag in ("replace", "insert"):
                out.extend(DiffLine("+", line) for line in b[j1:j2])
        pos = group[-1][2]
    if out and pos < len(a):
        out.append(_fold(a, pos, len(a)))
    return out


def patch_lines(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    from_label: str,
    to_label: str,
    *,
    unified: bool = True,
) -> list[str]:
    """A diff as ``diff -u`` and ``patch`` read it (``---``/``+++`` and ``@@`` hunks), or, with
    ``unified=False``, the whole document with every line marked (ecspresso ``--no-unified``).
    No lines when nothing differs."""
    a, b = canonical_lines(before), canonical_lines(after)
    if a == b:
        return []
    if unified:
        return list(difflib.unified_diff(a, b, from_label, to_label, lineterm="", n=CONTEXT_LINES))
    out = [f"--- {from_label}", f"+++ {to_label}"]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(f" {line}" for line in a[i1:i2])
            continue
        out.extend(f"-{line}" for line in a[i1:i2])
        out.extend(f"+{line}" for line in b[j1:j2])
    return out
