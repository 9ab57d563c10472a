"""planner/render/tablewriter.py against github.com/olekukonko/tablewriter v0.0.5's own tests.

Each expected string is copied from table_test.go / wrap_test.go at tag v0.0.5 (the test
named in the docstring), or worked out from table.go for the settings ecspresso uses.
"""

from __future__ import annotations

import pytest

from planner.render.tablewriter import (
    Border,
    display_width,
    render_table,
    title,
    wrap_string,
)

BILLS = [
    ["1/1/2014", "Domain name", "2233", "$10.98"],
    ["1/1/2014", "January Hosting", "2233", "$54.95"],
    ["1/4/2014", "February Hosting", "2233", "$51.00"],
    ["1/4/2014", "February Extra Bandwidth", "2233", "$30.00"],
]


def test_printing_in_markdown() -> None:
    """tablewriter v0.0.5 table_test.go TestPrintingInMarkdown (Border{Left, Right} as
    ecspresso, center separator "|")."""
    want = """\
|   DATE   |       DESCRIPTION        | CV2  | AMOUNT |
|----------|--------------------------|------|--------|
| 1/1/2014 | Domain name              | 2233 | $10.98 |
| 1/1/2014 | January Hosting          | 2233 | $54.95 |
| 1/4/2014 | February Hosting         | 2233 | $51.00 |
| 1/4/2014 | February Extra Bandwidth | 2233 | $30.00 |
"""
    assert render_table(["Date", "Description", "CV2", "Amount"], BILLS, center="|") == want


def test_printing_in_markdown_with_ecspressos_default_center() -> None:
    """The same table as ecspresso revisions.go / ecsta format.go render it: they keep the
    default center separator "+", which only the line under the header shows."""
    got = render_table(["Date", "Description", "CV2", "Amount"], BILLS)
    assert got.splitlines()[1] == "+----------+--------------------------+------+--------+"
    assert got.splitlines()[2] == "| 1/1/2014 | Domain name              | 2233 | $10.98 |"


def test_example_short() -> None:
    """tablewriter v0.0.5 table_test.go ExampleShort (all borders): numbers to the right."""
    rows = [
        ["A", "The Good", "500"],
        ["B", "The Very very Bad Man", "288"],
        ["C", "The Ugly", "120"],
        ["D", "The Gopher", "800"],
    ]
    want = """\
+------+-----------------------+--------+
| NAME |         SIGN          | RATING |
+------+-----------------------+--------+
| A    | The Good              |    500 |
| B    | The Very very Bad Man |    288 |
| C    | The Ugly              |    120 |
| D    | The Gopher            |    800 |
+------+-----------------------+--------+
"""
    assert render_table(["Name", "Sign", "Rating"], rows, borders=Border()) == want


def test_number_align() -> None:
    """tablewriter v0.0.5 table_test.go TestNumberAlign: decimal cells (with thousands
    separators, a fraction, a sign) right-aligned, the rest left."""
    rows = [
        ["AAAAAAAAAAAAA", "BBBBBBBBBBBBB", "CCCCCCCCCCCCCC"],
        ["A", "B", "C"],
        ["123456789", "2", "3"],
        ["1", "2", "123,456,789"],
        ["1", "123,456.789", "3"],
        ["-123,456", "-2", "-3"],
    ]
    want = """\
+---------------+---------------+----------------+
| AAAAAAAAAAAAA | BBBBBBBBBBBBB | CCCCCCCCCCCCCC |
| A             | B             | C              |
|     123456789 |             2 |              3 |
|             1 |             2 |    123,456,789 |
|             1 |   123,456.789 |              3 |
|      -123,456 |            -2 |             -3 |
+---------------+---------------+----------------+
"""
    assert render_table(None, rows, borders=Border()) == want


def test_example_long_wraps_at_30_columns_with_minimal_raggedness() -> None:
    """tablewriter v0.0.5 table_test.go ExampleLong: cells over 30 columns wrap on spaces;
    the column stays 30 wide; a short cell of a taller row is filled; a 4th cell without a
    header gets an empty header column."""
    rows = [
        [
            "Learn East has computers with adapted keyboards with enlarged print etc",
            "  Some Data  ",
            " Another Data",
        ],
        [
            "Instead of lining up the letters all ",
            "the way across, he splits the keyboard in two",
            "Like most ergonomic keyboards",
            "See Data",
        ],
    ]
    want = """\
*================================*================================*===============================*==========*
|              NAME              |              SIGN              |            RATING             |          |
*================================*================================*===============================*==========*
| Learn East has computers       |   Some Data                    |  Another Data                 |
| with adapted keyboards with    |                                |                               |
| enlarged print etc             |                                |                               |
| Instead of lining up the       | the way across, he splits the  | Like most ergonomic keyboards | See Data |
| letters all                    | keyboard in two                |                               |          |
*================================*================================*===============================*==========*
"""
    got = render_table(["Name", "Sign", "Rating"], rows, borders=Border(), center="*", row="=")
    assert got == want


def test_autowrap_reflow_of_a_multiline_cell() -> None:
    """tablewriter v0.0.5 table_test.go Example_autowrap, mode 0 (row), autoWrap and reflow
    on (tablewriter's defaults), footer left out, and the header upper-cased as autoFmt (on
    in ecspresso) does: the cell's lines join into one paragraph, then wrap."""
    want = """\
+-----+--------------------------------+
| WOO |              WAA               |
+-----+--------------------------------+
| woo | A multiline string with some   |
|     | lines being really long.       |
+-----+--------------------------------+
"""
    cell = "A multiline\nstring with some lines being really long."
    assert render_table(["woo", "waa"], [["woo", cell]], borders=Border()) == want


def test_a_long_word_is_not_broken_and_widens_the_column() -> None:
    """table.go parseDimension + wrap.go WrapString: a cell over 30 columns without spaces
    keeps its width (ecsta's 32-hex task ids, long ARNs)."""
    task_id = "0123456789abcdef0123456789abcdef"
    got = render_table(["ID"], [[task_id]])
    assert got.splitlines() == [
        "|                ID                |",
        "+----------------------------------+",
        f"| {task_id} |",
    ]


def test_revisions_table_of_ecspresso() -> None:
    """ecspresso v2.6.0 revisions.go OutputTable: header NAME / IN USE centred (the odd
    space on the right), no top or bottom line, empty in-use cells padded."""
    rows = [["app:1", ""], ["app:2", "ACTIVE deployment"], ["app:3", "PRIMARY deployment"]]
    assert render_table(["Name", "In Use"], rows) == (
        "| NAME  |       IN USE       |\n"
        "+-------+--------------------+\n"
        "| app:1 |                    |\n"
        "| app:2 | ACTIVE deployment  |\n"
        "| app:3 | PRIMARY deployment |\n"
    )
    assert render_table(["Name", "In Use"], []) == ("| NAME | IN USE |\n+------+--------+\n")


def test_print_heading() -> None:
    """tablewriter v0.0.5 table_test.go TestPrintHeading (header and the line under it)."""
    header = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c"]
    assert render_table(header, [], borders=Border(top=False, bottom=False)) == (
        "| 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | A | B | C |\n"
        "+---+---+---+---+---+---+---+---+---+---+---+---+\n"
    )


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("", ""),
        ("foo", "FOO"),
        ("Foo", "FOO"),
        ("foO", "FOO"),
        (".foo", "FOO"),
        ("foo.", "FOO"),
        (".foo.", "FOO"),
        (".foo.bar.", "FOO BAR"),
        ("_foo", "FOO"),
        ("foo_", "FOO"),
        ("_foo_", "FOO"),
        ("_foo_bar_", "FOO BAR"),
        (" foo", "FOO"),
        ("foo ", "FOO"),
        (" foo ", "FOO"),
        (" foo bar ", "FOO BAR"),
        ("0.1", "0.1"),
        ("FOO 0.1", "FOO 0.1"),
        (".1 0.1", ".1 0.1"),
        ("1. 0.1", "1. 0.1"),
        ("1. 0.", "1. 0."),
        (".1. 0.", ".1. 0."),
        (".$ . $.", "$ . $"),
        (".$. $.", "$  $"),
    ],
)
def test_title(text: str, want: str) -> None:
    """tablewriter v0.0.5 table_test.go TestTitle."""
    assert title(text) == want


def test_wrap_string() -> None:
    """tablewriter v0.0.5 table_test.go TestWrapString (wide characters count 2) and
    wrap_test.go TestWrap / TestWrapOneLine."""
    got, _ = wrap_string("ああああああああああああああああああああああああ あああああああ", 55)
    assert got == ["ああああああああああああああああああああああああ", "あああああああ"]
    text = "The quick brown fox jumps over the lazy dog."
    assert len(wrap_string(text, 6)[0]) == 9
    assert " ".join(wrap_string(text, 500)[0]) == text


def test_display_width() -> None:
    """tablewriter v0.0.5 wrap_test.go TestDisplayWidth (not an East Asian locale)."""
    assert display_width("Česká řeřicha") == 13
    assert display_width("\033[43;30mČeská řeřicha\033[00m") == 13
