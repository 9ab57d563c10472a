"""The tables of ecspresso `revisions` and `tasks`, byte for byte: a pure re-implementation of
github.com/olekukonko/tablewriter v0.0.5 (table.go, util.go, wrap.go) for the settings
ecspresso and ecsta use (auto-format headers, auto-wrap at 30 columns with reflow, default
alignment, no footer, no caption, no cell merging).

Scripts that read ecspresso's tables keep working only if every space is where tablewriter
puts it, hence the quirks kept on purpose: headers are centred with the extra space on the
right, numeric cells are right-aligned, a cell wider than 30 columns that has spaces wraps
with minimal raggedness while the column stays at least 30 wide, and a short cell of a
multi-line row is filled with two spaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

MAX_ROW_WIDTH = 30  # table.go MAX_ROW_WIDTH
_PENALTY = 100_000  # wrap.go defaultPenalty (1e5)
_MAX_INT32 = 2**31 - 1
_ANSI = re.compile(r"\033\[(?:[0-9]{1,3}(?:;[0-9]{1,3})*)?[m|K]")  # util.go ansi
# table.go decimal; Go's \d is ASCII only. (table.go's percent regexp, ^-?\d+\.?\d*$%$,
# can never match: nothing follows the end of the text.)
_DECIMAL = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})*|[0-9]+)(?:\.[0-9]+)?")
# Go's unicode.IsSpace, what strings.TrimSpace trims
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


@dataclass(frozen=True)
class Border:
    """tablewriter.Border; ecspresso and ecsta use Left and Right only."""

    left: bool = True
    right: bool = True
    top: bool = True
    bottom: bool = True


#: ``tablewriter.Border{Left: true, Top: false, Right: true, Bottom: false}`` of
#: ecspresso revisions.go and ecsta format.go
SIDES_ONLY = Border(left=True, right=True, top=False, bottom=False)


def _rune_width(ch: str) -> int:
    """go-runewidth RuneWidth with EastAsianWidth off (the default outside CJK locales)."""
    cp = ord(ch)
    if cp < 0x20 or 0x7F <= cp <= 0x9F:
        return 0
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def string_width(s: str) -> int:
    """go-runewidth StringWidth."""
    return sum(_rune_width(c) for c in s)


def display_width(s: str) -> int:
    """util.go DisplayWidth: the width on a terminal, colour escapes left out."""
    return string_width(_ANSI.sub("", s))


def _is_num_or_space(ch: str) -> bool:
    return "0" <= ch <= "9" or ch == " "


def title(name: str) -> str:
    """util.go Title: a header as printed (``_`` and word-joining ``.`` become spaces,
    trimmed, upper case)."""
    rs = list(name)
    for i, r in enumerate(rs):
        joins_words = r == "." and (
            (i != 0 and not _is_num_or_space(rs[i - 1]))
            or (i != len(rs) - 1 and not _is_num_or_space(rs[i + 1]))
        )
        if r == "_" or joins_words:
            rs[i] = " "
    out = "".join(rs).strip(_GO_SPACE)
    if not out and name:
        out = " "  # keeps an empty line of a multi-line header
    return out.upper()


def pad_center(s: str, width: int) -> str:
    """util.go Pad: centred, the odd space on the right."""
    gap = width - display_width(s)
    if gap <= 0:
        return s
    left = gap // 2  # Go: int(math.Ceil(float64(gap / 2))), an integer division
    return " " * left + s + " " * (gap - left)


def pad_right(s: str, width: int) -> str:
    gap = width - display_width(s)
    return s + " " * gap if gap > 0 else s


def pad_left(s: str, width: int) -> str:
    gap = width - display_width(s)
    return " " * gap + s if gap > 0 else s


def wrap_words(words: Sequence[str], spc: int, lim: int, pen: int) -> list[list[str]]:
    """wrap.go WrapWords: line breaks of minimal raggedness (dynamic programming)."""
    n = len(words)
    length = [[0] * n for _ in range(n)]
    for i in range(n):
        length[i][i] = string_width(words[i])
        for j in range(i + 1, n):
            length[i][j] = length[i][j - 1] + spc + string_width(words[j])
    nbrk = [0] * n
    cost = [_MAX_INT32] * n
    for i in range(n - 1, -1, -1):
        if length[i][n - 1] <= lim:
            cost[i], nbrk[i] = 0, n
            continue
        for j in range(i + 1, n):
            d = lim - length[i][j - 1]
            c = d * d + cost[j]
            if length[i][j - 1] > lim:
                c += pen  # too-long lines get a worse penalty
            if c < cost[i]:
                cost[i], nbrk[i] = c, j
    lines, i = [], 0
    while i < n:
        lines.append(list(words[i : nbrk[i]]))
        i = nbrk[i]
    return lines


def wrap_string(s: str, lim: int) -> tuple[list[str], int]:
    """wrap.go WrapString: the lines, and the limit raised to the widest word."""
    words = s.replace("\n", " ").split(" ")
    for w in words:
        lim = max(lim, string_width(w))
    return [" ".join(line) for line in wrap_words(words, 1, lim, _PENALTY)], lim


def _cell_lines(text: str) -> tuple[list[str], int]:
    """table.go parseDimension with autoWrap and reflowText on: (lines, width)."""
    raw = text.split("\n")
    width = min(max(display_width(line) for line in raw), MAX_ROW_WIDTH)
    lines, _ = wrap_string(" ".join(raw), width)
    return lines, max([width, *(display_width(line) for line in lines)])


def _aligned(cell: str, width: int) -> str:
    """printRow's default alignment: numbers to the right, the rest to the left."""
    if _DECIMAL.fullmatch(cell.strip(_GO_SPACE)):
        return pad_left(cell, width)
    return pad_right(cell, width)


def _rule(widths: Sequence[int], b: Border, center: str, row: str) -> str:
    """table.go printLine."""
    ends = (center if b.left else row, center if b.right else row)
    parts = [ends[0]]
    for i, w in enumerate(widths):
        parts.append(row * (w + 2) + (ends[1] if i == len(widths) - 1 else center))
    return "".join(parts) + "\n"


def _heading(header: Sequence[list[str]], widths: Sequence[int], b: Border, column: str) -> str:
    """table.go printHeading (autoFmt on, centred)."""
    end = len(widths) - 1
    height = max(len(h) for h in header)
    out = []
    for x in range(height):
        parts = [column if b.left else " "]
        for y, w in enumerate(widths):
            h = header[y][x] if y < len(header) and x < len(header[y]) else ""
            sep = " " if (y == end and not b.left) else column
            parts.append(f" {pad_center(title(h), w)} {sep}")
        out.append("".join(parts) + "\n")
    return "".join(out)


def _row(cells: Sequence[list[str]], widths: Sequence[int], b: Border, column: str) -> str:
    """table.go printRow: every cell padded to the row's height with two spaces."""
    height = max(len(c) for c in cells)
    filled = [c + ["  "] * (height - len(c)) for c in cells]
    out = []
    for x in range(height):
        parts = []
        for y, cell in enumerate(filled):
            parts.append(" " if (not b.left and y == 0) else column)
            parts.append(f" {_aligned(cell[x], widths[y])} ")
        parts.append(column if b.left else " ")
        out.append("".join(parts) + "\n")
    return "".join(out)


def render_table(
    header: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    *,
    borders: Border = SIDES_ONLY,
    center: str = "+",
    row: str = "-",
    column: str = "|",
) -> str:
    """``NewWriter``, ``SetHeader(header)``, ``SetBorders(borders)``, ``Append`` each row,
    ``Render()``: the text tablewriter v0.0.5 writes."""
    widths: dict[int, int] = {}

    def measure(cells: Sequence[str]) -> list[list[str]]:
        out = []
        for i, text in enumerate(cells):
            lines, w = _cell_lines(text)
            if widths.get(i, 0) < w or i not in widths:
                widths[i] = w
            out.append(lines)
        return out

    head = measure(header) if header else []
    body = [measure(r) for r in rows]
    cols = [widths[i] for i in range(len(widths))]
    text = _rule(cols, borders, center, row) if borders.top else ""
    if head:
        text += _heading(head, cols, borders, column) + _rule(cols, borders, center, row)
    text += "".join(_row(cells, cols, borders, column) for cells in body if cells)
    if borders.bottom:
        text += _rule(cols, borders, center, row)
    return text
