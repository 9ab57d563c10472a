"""List and map flags decoded as ecspresso's CLI library decodes them.

ecspresso cli.go (v2.6.0) declares ``Envfile []string``, ``ExtStr``/``ExtCode``
``map[string]string`` without ``sep``/``mapsep`` tags, so kong's defaults apply (kong tag.go:
``sep`` ``,``, ``mapsep`` ``;``), split by mapper.go ``SplitEscaped`` and decoded by
``sliceDecoder``/``mapDecoder`` (error ``expected "<key>=<value>" but got %q``).
"""

from __future__ import annotations

import pytest

from planner.cli.kong_values import list_values, map_values, split_escaped
from planner.errors import EcsplanError


@pytest.mark.parametrize(
    "value,sep,expected",
    [
        ("a.env,b.env", ",", ["a.env", "b.env"]),
        ("a.env", ",", ["a.env"]),
        (r"hello\,there,bob", ",", ["hello,there", "bob"]),  # kong's own doc example
        ("a,,b", ",", ["a", "", "b"]),
        ("a,b,", ",", ["a", "b"]),
        (r"a\b", ",", [r"a\b"]),  # a backslash before anything else stays
        ("A=1;B=2", ";", ["A=1", "B=2"]),
        (r"A=x\;y;B=2", ";", ["A=x;y", "B=2"]),
        ("", ",", []),
    ],
)
def test_split_escaped(value: str, sep: str, expected: list[str]) -> None:
    assert split_escaped(value, sep) == expected


def test_envfiles_comma_separated_and_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECSPRESSO_ENVFILE", "env.a,env.b")
    assert list_values(("a.env,b.env", "c.env"), "ECSPRESSO_ENVFILE") == ("a.env", "b.env", "c.env")
    # the command line replaces the environment variable, it does not add to it
    assert list_values(("c.env",), "ECSPRESSO_ENVFILE") == ("c.env",)
    assert list_values((), "ECSPRESSO_ENVFILE") == ("env.a", "env.b")


def test_ext_str_semicolon_separated_and_merged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECSPRESSO_EXT_STR", "ENV=1;REGION=us-east-1")
    got = map_values(("A=1;B=2", "C=x=y"), "ECSPRESSO_EXT_STR", "--ext-str")
    assert got == {"A": "1", "B": "2", "C": "x=y"}  # split on the first '='
    assert map_values((), "ECSPRESSO_EXT_STR", "--ext-str") == {"ENV": "1", "REGION": "us-east-1"}


@pytest.mark.parametrize(
    "given,env,message",
    [
        (("A=1;B",), None, """--ext-str: expected "<key>=<value>" but got 'B'"""),
        ((), "A", """ECSPRESSO_EXT_STR: expected "<key>=<value>" but got 'A'"""),
    ],
)
def test_bad_map_item_names_its_source(
    monkeypatch: pytest.MonkeyPatch, given: tuple[str, ...], env: str | None, message: str
) -> None:
    if env is not None:
        monkeypatch.setenv("ECSPRESSO_EXT_STR", env)
    with pytest.raises(EcsplanError) as e:
        map_values(given, "ECSPRESSO_EXT_STR", "--ext-str")
    assert e.value.message == message
