"""Text from users and AWS is printed safely: control and bidi characters shown as escapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from test_render_plans import all_plans

from planner.render.markdown import render_markdown
from planner.render.printable import json_text, printable, printable_lines
from planner.render.text import render_text

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "data" / "config" / "base"
HOSTILE = "my\x07serv\u202e\nx\x1b[2J\x7f\x85\u2066"
RAW = ("\x07", "\u202e", "\x1b", "\x7f", "\x85", "\u2066")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain ascii", "plain ascii"),
        ("日本語 é", "日本語 é"),
        ("bell\x07", "bell\\x07"),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("esc\x1b[31m", "esc\\x1b[31m"),
        ("del\x7f c1\x85 nbsp\xa0", "del\\x7f c1\\x85 nbsp\xa0"),
        (
            "rlo\u202e lri\u2066 pdi\u2069 lrm\u200e ls\u2028",
            "rlo\\u202e lri\\u2066 pdi\\u2069 lrm\\u200e ls\\u2028",
        ),
    ],
)
def test_printable_escapes_only_unsafe_characters(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_printable_lines_keeps_newlines_only() -> None:
    assert printable_lines("one\x07\ntwo\u202e\r") == "one\\x07\ntwo\\u202e\\r"


def test_json_text_stays_valid_json_with_the_same_data() -> None:
    data = {"name": HOSTILE, "ja": "日本"}
    text = json_text(data, indent=2)
    assert json.loads(text) == data
    assert not any(c in text for c in RAW)
    assert "日本" in text


def _hostile_plan():  # type: ignore[no-untyped-def]
    plan = all_plans()["image_change"]
    sp = replace(plan.services[0], cluster="c\x1b[2J", service=HOSTILE, warnings=("w\u202ex\ny",))
    return replace(plan, services=(sp,))


def test_text_plan_shows_no_raw_control_characters() -> None:
    out = render_text(_hostile_plan(), color=False)
    assert not any(c in out for c in RAW)
    assert "# service c\\x1b[2J/my\\x07serv\\u202e\\nx" in out


def test_colored_text_plan_keeps_its_own_colours_only() -> None:
    out = render_text(_hostile_plan(), color=True)
    assert "\x1b[2J" not in out and "\x07" not in out
    assert "\x1b[1m" in out  # rich's bold header is still there


def test_markdown_plan_stays_one_line_per_line_and_shows_no_raw_characters() -> None:
    (body,) = render_markdown(_hostile_plan())
    assert not any(c in body for c in RAW)
    rows = [line for line in body.splitlines() if line.startswith("| `c")]
    assert len(rows) == 1 and rows[0].count("|") >= 7  # the table row was not split


def _validate(tmp_path: Path, config: str, *args: str) -> subprocess.CompletedProcess[str]:
    for f in BASE.iterdir():
        (tmp_path / f.name).write_text(f.read_text())
    (tmp_path / "ecspresso.yml").write_text(config)
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "planner", *args, "validate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_validate_error_quoting_a_hostile_name_is_one_escaped_line(tmp_path: Path) -> None:
    base = (BASE / "ecspresso.yml").read_text()
    cfg = base.replace("service: web", 'service: "my\\u0007serv\\u202e"').replace(
        "cluster: my-cluster", 'cluster: "a\\nb"'
    )
    r = _validate(tmp_path, cfg, "-c", "ecspresso.yml")
    assert r.returncode == 1
    assert not any(c in r.stderr for c in RAW)
    lines = r.stderr.splitlines()
    assert lines[0] == (
        'Error: ecspresso.yml:2: $.cluster: "a\\nb" is not a cluster ARN or a name of 1-255 '
        'letters, digits, "-" and "_"'
    )
    assert lines[1] == (
        'ecspresso.yml:3: $.service: "my\\u0007serv\\u202e" is not a name of 1-255 letters, '
        'digits, "-" and "_"'
    )


def test_a_file_name_with_control_characters_is_shown_escaped(tmp_path: Path) -> None:
    r = _validate(tmp_path, (BASE / "ecspresso.yml").read_text(), "-c", "no\x07pe\u202e.yml")
    assert r.returncode == 1
    assert r.stderr.splitlines()[0] == "Error: no\\x07pe\\u202e.yml:1: $: file not found"


def test_operation_tables_show_aws_text_as_plain_escaped_text() -> None:
    import io

    from planner.render.tables import console, table

    buf = io.StringIO()
    event = "(service web) [bold]stopped[/] task \x1b[2J \u202e [/oops]"
    console(color=False, file=buf).print(table(("service", "event"), [["web", event]]))
    out = buf.getvalue()
    assert "[bold]stopped[/] task \\x1b[2J \\u202e [/oops]" in out  # not markup, not raw
    assert not any(c in out for c in RAW)
