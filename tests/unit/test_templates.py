"""The Go-template subset: literals, pipelines, trim markers, and the local functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.config.functions import FunctionSet
from planner.config.templates import render_template, render_template_mapped
from planner.config.tfstate import TFState
from planner.errors import ConfigError


def _render(text: str, fs: FunctionSet | None = None) -> str:
    return render_template(text, "f.json", (fs or FunctionSet(None)).funcs)


def _error(text: str, fs: FunctionSet | None = None) -> str:
    with pytest.raises(ConfigError) as e:
        _render(text, fs)
    return str(e.value)


def test_env_first_non_empty_then_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("B", "bee")
    monkeypatch.setenv("EMPTY", "")
    monkeypatch.delenv("A", raising=False)
    assert _render('{{ env "A" "B" "dflt" }}') == "bee"
    assert _render("{{ env `A` `EMPTY` `dflt` }}") == "dflt"
    assert _render('{{ env "A" }}') == ""
    assert _render('x{{env "B"}}y') == "xbeey"


def test_must_env_names_file_line_and_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE", raising=False)
    monkeypatch.setenv("SET_EMPTY", "")
    assert _render('{{ must_env "SET_EMPTY" }}') == ""
    assert (
        _error('{\n  "a": 1,\n  "b": "{{ must_env `NOPE` }}"\n}')
        == "f.json:3: $: must_env: environment variable NOPE is not set"
    )


def test_pipeline_and_json_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X", 'say "hi"\n')
    assert _render('"{{ must_env "X" | json_escape }}"') == '"say \\"hi\\"\\n"'
    assert json.loads(_render('"{{ must_env "X" | json_escape }}"')) == 'say "hi"\n'


def test_string_escapes_numbers_and_parentheses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE", raising=False)
    assert _render('{{ "a\\tb\\u00e9\\"" }}') == 'a\tbé"'
    assert _render("{{ `raw \\n` }}") == "raw \\n"
    assert _render("{{ 42 }}") == "42"
    assert _render('{{ env "NOPE" (env "NOPE" "inner") }}') == "inner"
    assert _render('{{ "}}" }}') == "}}"


def test_trim_markers_and_comments() -> None:
    assert _render('a  \n {{- "b" -}} \n  c') == "abc"
    assert _render("a{{/* a comment */}}b") == "ab"
    assert _render("a {{- /* trimmed */ -}} b") == "ab"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x\n{{ nope 1 }}", 'f.json:2: $: function "nope" not defined'),
        ("{{ if 1 }}", 'f.json:1: $: unsupported template action "if"'),
        ("{{ .Foo }}", "f.json:1: $: unsupported syntax '.' in template action"),
        ('{{ env "A" ', "f.json:1: $: unclosed template action"),
        ("{{ }}", "f.json:1: $: missing value in template action"),
        ('{{ "a" "b" }}', "f.json:1: $: can't give argument to non-function 'a'"),
        ("{{ must_env }}", "f.json:1: $: must_env: wrong number or type of arguments"),
        ('{{ env ("A" }}', "f.json:1: $: unclosed parenthesis in template action"),
    ],
)
def test_template_errors(text: str, message: str) -> None:
    assert _error(text) == message


def test_no_code_execution_is_possible() -> None:
    # Python- or shell-looking input is just unsupported syntax, never evaluated.
    assert "unsupported syntax" in _error('{{ __import__("os").system("true") }}')
    assert _error("{{ exec `ls` }}") == 'f.json:1: $: function "exec" not defined'


def _state(tmp_path: Path) -> Path:
    state = {
        "version": 4,
        "outputs": {"vpc_id": {"value": "vpc-out", "type": "string"}},
        "resources": [
            {
                "mode": "managed",
                "type": "aws_vpc",
                "name": "main",
                "instances": [{"attributes": {"id": "vpc-1", "tags": {"Name": "main"}}}],
            },
            {
                "mode": "managed",
                "type": "aws_subnet",
                "name": "private",
                "each": "list",
                "instances": [
                    {"index_key": 0, "attributes": {"id": "subnet-a"}},
                    {"index_key": 1, "attributes": {"id": "subnet-b"}},
                ],
            },
            {
                "mode": "managed",
                "type": "aws_subnet",
                "name": "public",
                "each": "map",
                "instances": [{"index_key": "az-a", "attributes": {"id": "subnet-pa"}}],
            },
            {
                "module": "module.net",
                "mode": "managed",
                "type": "aws_security_group",
                "name": "web",
                "instances": [{"attributes": {"id": "sg-1", "ports": [80, 443]}}],
            },
            {
                "mode": "data",
                "type": "aws_caller_identity",
                "name": "current",
                "instances": [{"attributes": {"account_id": "123456789012"}}],
            },
        ],
    }
    path = tmp_path / "terraform.tfstate"
    path.write_text(json.dumps(state))
    return path


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ('tfstate "aws_vpc.main.id"', "vpc-1"),
        ("tfstate `aws_vpc.main.tags.Name`", "main"),
        ('tfstate "aws_subnet.private[1].id"', "subnet-b"),
        ('tfstate `aws_subnet.public["az-a"].id`', "subnet-pa"),
        ('tfstate "module.net.aws_security_group.web.id"', "sg-1"),
        ('tfstate "module.net.aws_security_group.web.ports[1]"', "443"),
        ('tfstate "data.aws_caller_identity.current.account_id"', "123456789012"),
        ('tfstate "output.vpc_id"', "vpc-out"),
        ('tfstatef "aws_subnet.private[%d].id" 0', "subnet-a"),
        ("tfstatef `aws_subnet.public['%s'].id` `az-a`", "subnet-pa"),
    ],
)
def test_tfstate_lookups(tmp_path: Path, expr: str, value: str) -> None:
    path = _state(tmp_path)
    fs = FunctionSet(None)
    fs.add_tfstate("", TFState(str(path), path.read_bytes))
    assert _render("{{ " + expr + " }}", fs) == value


def test_tfstate_missing_address_and_prefix(tmp_path: Path) -> None:
    path = _state(tmp_path)
    fs = FunctionSet(None)
    fs.add_tfstate("net_", TFState(str(path), path.read_bytes))
    assert _render('{{ net_tfstate "aws_vpc.main.id" }}', fs) == "vpc-1"
    assert _error('{{ net_tfstate "aws_vpc.other.id" }}', fs) == (
        f"f.json:1: $: net_tfstate: aws_vpc.other.id not found in {path}"
    )
    assert (
        _error('{{ tfstate "aws_vpc.main.id" }}', fs)
        == 'f.json:1: $: function "tfstate" not defined'
    )


def test_aws_functions_without_sources_say_so() -> None:
    assert (
        _error('{{ ssm "/x" }}')
        == "f.json:1: $: ssm: no AWS access configured for template lookups"
    )


# --- bad literals and nesting: located ConfigErrors, never a Python exception -------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{{ env "TAG" 08 }}', "f.json:1: $: invalid number 08"),
        ('{{ "\\U00110000" }}', "f.json:1: $: invalid escape \\U00110000 in string literal"),
        ('{{ "\\ud800" }}', "f.json:1: $: invalid escape \\ud800 in string literal"),
        ('{{ "\\777" }}', "f.json:1: $: invalid escape \\777 in string literal"),
        ("x\n{{ " + "(" * 51 + "1" + ")" * 51 + " }}", "f.json:2: $: parentheses nested deeper"),
        ("{{ " + "(" * 2000 + " }}", "f.json:1: $: parentheses nested deeper than 50 levels"),
    ],
)
def test_bad_literals_and_deep_nesting_are_config_errors(text: str, message: str) -> None:
    assert _error(text).startswith(message)


def test_fifty_nested_parentheses_are_fine() -> None:
    assert _render("{{ " + "(" * 50 + "`a`" + ")" * 50 + " }}") == "a"


def test_error_line_after_many_actions() -> None:
    """Lines are counted incrementally; the count must still be exact."""
    text = "{{ `a` }}\n" * 3000 + "{{ `b` }} {{ nosuch }}\n"
    assert _error(text).startswith('f.json:3001: $: function "nosuch" not defined')


def test_line_map_points_rendered_lines_back_to_the_source() -> None:
    fs = FunctionSet(None)
    text = 'a\n{{ "x\\ny\\nz" }}\nb\n{{- "c" -}}\n\nd\n'
    out, line_map = render_template_mapped(text, "f.json", fs.funcs)
    assert out == "a\nx\ny\nz\nbcd\n"
    rendered = out.split("\n")
    src = text.split("\n")
    assert line_map is not None
    # a, x/y/z (all from the action on line 2), then "bcd" starts on source line 3.
    assert line_map[:5] == [1, 2, 2, 2, 3]
    assert rendered[0] == src[0] and src[line_map[4] - 1] == "b"
    assert render_template_mapped("no actions\n", "f.json", fs.funcs) == ("no actions\n", None)


def test_line_counting_only_moves_forward(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each action's line comes from counting since the previous one (linear, not quadratic)."""
    from planner.config import templates

    seen: list[int] = []
    original = templates._LineCounter.line_at

    def spy(self: templates._LineCounter, pos: int) -> int:
        seen.append(pos)
        return original(self, pos)

    monkeypatch.setattr(templates._LineCounter, "line_at", spy)
    _render("a {{- `b` -}}\n c\n{{ `d` }} e {{ `f` }}\n" * 50)
    assert seen == sorted(seen) and len(seen) == 2 * 150 + 1
