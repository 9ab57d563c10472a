"""docs/ecspresso-compat.md keeps its promises: every row has a status and the ecspresso
version it follows; a "same" row names tests that exist and that cite the Go source
(ecspresso's .go file and function, or kong / ecsta / tablewriter / prompter / go-version /
tracer) they follow; a "different" or "not supported" row says why.

The ecspresso side of each row was read from ecspresso's kong CLI (cli.go and each command's
*Option struct, v2.6.0 = litanyofmadness/ecspresso 27449f2); this test checks the table's
form and its links to tests, not Go itself.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ecspresso-compat.md"
COLUMNS = ["flag", "ecspresso", "ecsplan", "status", "version", "proof"]
STATUS = re.compile(r"^(same|\(extra\)|different|not supported)(?::\s*(.*))?$", re.S)
VERSION = re.compile(
    r"^(v2\.0-2\.3|v2\.4\+|v2\.5\+|v2\.6|later v2|v2\.\d-2\.\d only)( \([^)]+\))?$"
)
PROOF = re.compile(r"^(tests/[\w/]+\.py)::(\w+)(\[[^\]]*\])?$")
# what a test's docstring must name: a Go source file, or a Go module it follows (with a version)
GO_SOURCE = re.compile(
    r"\b[\w-]+\.go\b|\b(kong|ecsta|tablewriter|prompter|go-version|tracer|sloghandler)"
    r" v\d+\.\d+"
)


@dataclass(frozen=True)
class Row:
    section: str
    cells: tuple[str, ...]

    @property
    def status(self) -> str:
        return self.cells[3]

    @property
    def kind(self) -> str:
        m = STATUS.match(self.status)
        return m.group(1) if m else ""

    @property
    def why(self) -> str:
        m = STATUS.match(self.status)
        return (m.group(2) or "").strip() if m else ""

    @property
    def proofs(self) -> list[str]:
        return [p.strip() for p in self.cells[5].split("<br>") if p.strip()]

    def __str__(self) -> str:
        return f"{self.section}: {self.cells[0]}"


def _cells(line: str) -> tuple[str, ...]:
    """A Markdown table line's cells; `\\|` inside a cell is a literal bar."""
    inner = line.strip()[1:-1]
    return tuple(c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner))


def table_rows(text: str) -> list[Row]:
    """Every data row of every table, with the heading of its section."""
    rows: list[Row] = []
    section, header = "", None
    for line in text.splitlines():
        if line.startswith("#"):
            section, header = line.lstrip("# ").strip(), None
        elif line.startswith("|"):
            cells = _cells(line)
            if header is None:
                header = cells
                assert len(cells) == len(COLUMNS) and cells[1:] == tuple(COLUMNS[1:]), (
                    f"{section}: columns {cells}, want | flag-or-behaviour | {' | '.join(COLUMNS[1:])} |"
                )
            elif not set("".join(cells)) <= set("-: "):
                assert len(cells) == len(COLUMNS), f"{section}: {len(cells)} cells in {line!r}"
                rows.append(Row(section, cells))
        else:
            header = None if not line.strip() else header
    return rows


@cache
def _tests_in(path: Path) -> tuple[str, dict[str, str]]:
    """A test module's docstring and its test functions' docstrings, by name (AST only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    funcs = {
        n.name: ast.get_docstring(n) or ""
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith("test_")
    }
    return ast.get_docstring(tree) or "", funcs


def proof_problem(proof: str) -> str | None:
    """Why ``proof`` does not prove a row, or None."""
    m = PROOF.match(proof)
    if not m:
        return f"{proof!r} is not tests/PATH.py::test_name"
    path = ROOT / m.group(1)
    if not path.is_file():
        return f"{m.group(1)} does not exist"
    module_doc, funcs = _tests_in(path)
    if m.group(2) not in funcs:
        return f"{proof}: no such test function"
    if not (GO_SOURCE.search(funcs[m.group(2)]) or GO_SOURCE.search(module_doc)):
        return f"{proof}: its docstring (or its module's) names no Go source it follows"
    return None


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return table_rows(DOC.read_text(encoding="utf-8"))


def test_every_row_has_a_status_and_a_version(rows: list[Row]) -> None:
    bad = [f"{r}: status {r.status!r}" for r in rows if not r.kind]
    bad += [f"{r}: version {r.cells[4]!r}" for r in rows if not VERSION.match(r.cells[4])]
    assert not bad, "\n".join(bad)


def test_same_rows_name_tests_that_cite_the_go_source(rows: list[Row]) -> None:
    bad = [f"{r}: no proof" for r in rows if r.kind == "same" and not r.proofs]
    for r in rows:
        for proof in r.proofs:  # other rows' tests must exist too
            problem = proof_problem(proof)
            if problem and (r.kind == "same" or "no such" in problem or "exist" in problem):
                bad.append(f"{r}: {problem}")
    assert not bad, "\n".join(bad)


def test_different_and_unsupported_rows_say_why(rows: list[Row]) -> None:
    bad = [str(r) for r in rows if r.kind in ("different", "not supported") and not r.why]
    assert not bad, "rows without a why:\n" + "\n".join(bad)


def test_counts_are_printed_and_written(
    rows: list[Row], capsys: pytest.CaptureFixture[str]
) -> None:
    counts = Counter(r.kind for r in rows)
    line = (
        f"{len(rows)} rows: {counts['same']} same, {counts['different']} different, "
        f"{counts['not supported']} not supported, {counts['(extra)']} (extra)"
    )
    with capsys.disabled():
        print(f"\ndocs/ecspresso-compat.md: {line}")
    assert f"**{line}**" in DOC.read_text(encoding="utf-8"), f"write the counts: **{line}**"


def test_the_table_parser_reads_escaped_bars_and_the_rules() -> None:
    """The checks above rest on this parser: a `\\|` stays inside its cell, separator lines
    are skipped, and the status, version and proof forms are read as documented."""
    text = (
        "## x\n\n| flag | ecspresso | ecsplan | status | version | proof |\n"
        "|---|---|---|---|---|---|\n"
        "| `--a b\\|c` | e | p | different: why | v2.4+ (v2.4.1+) | tests/unit/x.py::test_y[1] |\n"
    )
    (row,) = table_rows(text)
    assert row.cells[0] == "`--a b|c`" and (row.kind, row.why) == ("different", "why")
    assert VERSION.match(row.cells[4]) and PROOF.match(row.proofs[0])
    assert not VERSION.match("2.4") and STATUS.match("same").group(1) == "same"  # type: ignore[union-attr]
    assert proof_problem("tests/unit/test_compat_table.py::test_nope") == (
        "tests/unit/test_compat_table.py::test_nope: no such test function"
    )
