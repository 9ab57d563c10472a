"""Split a long Markdown document into comment-sized parts that each render correctly.

A GitHub comment holds at most 65,536 characters. A cut in the middle of a code fence, a
``<details>`` block or a table would break the rendering of both halves, so every part closes
what is open at its end and the next part reopens it (same fence, same summary marked
"continued", same table header) before going on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

COMMENT_LIMIT = 65_000
MAX_LINE = 10_000  # one line longer than this is cut, so that any line fits in a part
_TRUNCATED = " … (line truncated)"


@dataclass(frozen=True)
class _State:
    """What is open after a line: ``<details>`` openers, a fence opener, a table header."""

    details: tuple[str, ...] = ()
    fence: str | None = None
    table: tuple[str, ...] = ()
    table_rows: int = 0

    def after(self, line: str) -> _State:
        stripped = line.strip()
        if self.fence is not None:
            ticks = self.fence[: len(self.fence) - len(self.fence.lstrip("`"))]
            if stripped.startswith(ticks) and stripped.strip("`") == "":
                return replace(self, fence=None)
            return self
        if stripped.startswith("```"):
            return replace(self, fence=stripped, table=(), table_rows=0)
        if stripped.startswith("<details"):
            return replace(self, details=(*self.details, line), table=(), table_rows=0)
        if stripped.startswith("</details>"):
            return replace(self, details=self.details[:-1], table=(), table_rows=0)
        if stripped.startswith("|"):
            if self.table_rows < 2:
                return replace(self, table=(*self.table, line), table_rows=self.table_rows + 1)
            return replace(self, table_rows=self.table_rows + 1)
        return replace(self, table=(), table_rows=0)

    def closing(self) -> list[str]:
        out = []
        if self.fence is not None:
            out.extend([self.fence[: len(self.fence) - len(self.fence.lstrip("`"))], ""])
        out.extend("</details>" for _ in self.details)
        return out

    def reopening(self, next_line: str) -> list[str]:
        out: list[str] = []
        for opener in self.details:
            out.extend([_continued(opener), ""])
        if self.table and self.table_rows >= 2 and next_line.strip().startswith("|"):
            out.extend(self.table)
        if self.fence is not None:
            out.append(self.fence)
        return out


def _continued(opener: str) -> str:
    """The same ``<details>`` opener, its summary marked as a continuation."""
    if "</summary>" in opener:
        return opener.replace("</summary>", " (continued)</summary>", 1)
    return opener


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _cut(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - len(_TRUNCATED)] + _TRUNCATED


def title_line(title: str, part: int, total: int) -> str:
    if total == 1:
        return f"## {title}"
    if part == 1:
        return f"## {title} (part 1 of {total})"
    return f"## {title} (continued, part {part} of {total})"


def footer_line(part: int, total: int) -> str:
    return f"_Continued in part {part + 1} of {total}._"


def split_markdown(title: str, blocks: list[list[str]], limit: int = COMMENT_LIMIT) -> list[str]:
    """Comment bodies of at most ``limit`` characters: title, body lines, closers, footer.

    ``blocks`` are runs of lines best kept together (one service's ``<details>``): a block
    that does not fit in the current part starts the next one; only a block larger than a
    whole part is cut inside, at a line boundary.
    """
    reserve = len(title_line(title, 9999, 9999)) + 2 + len(footer_line(9998, 9999)) + 2
    budget = limit - reserve
    bodies: list[list[str]] = []
    cur: list[str] = []
    size = 0
    state = _State()

    def close_part(next_line: str) -> None:
        nonlocal cur, size
        bodies.append(cur + state.closing())
        cur = state.reopening(next_line)
        size = _size(cur)

    for block in blocks:
        lines = [_cut(line) for line in block]
        if not lines:
            continue
        end = state
        for line in lines:
            end = end.after(line)
        whole = _size(lines)
        fits_here = size + whole + _size(end.closing()) <= budget
        fits_alone = _size(state.reopening(lines[0])) + whole + _size(end.closing()) <= budget
        if cur and not fits_here and fits_alone:
            close_part(lines[0])
        for line in lines:
            nxt = state.after(line)
            if cur and size + len(line) + 1 + _size(nxt.closing()) > budget:
                close_part(line)
            cur.append(line)
            size += len(line) + 1
            state = nxt
    bodies.append(cur + state.closing())
    total = len(bodies)
    parts = []
    for i, body in enumerate(bodies, start=1):
        while body and body[-1] == "":
            body = body[:-1]
        text = title_line(title, i, total) + "\n\n" + "\n".join(body) + "\n"
        if i < total:
            text += "\n" + footer_line(i, total) + "\n"
        parts.append(text)
    return parts
