"""Fuzzing the template parser and the loader: nothing escapes but our own error types.

Every input either loads/renders or raises a :class:`planner.errors.EcsplanError` subclass
(ConfigError, ValidationFailed...), which the CLI turns into one ``Error: FILE:LINE: ...``
line. Any other exception is a traceback for the user.

A crash found and not fixed yet goes into ``KNOWN_CRASHES`` (with a strict xfail test) so
that the fuzzers keep looking for new ones; the crashes found so far are fixed, and the tests
at the bottom keep them fixed.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.config import LoadOptions, load_config, validate_config
from planner.config.functions import FunctionSet
from planner.config.templates import render_template
from planner.errors import ConfigError, EcsplanError

BASE = Path(__file__).resolve().parent.parent / "data" / "config" / "base"
# ECSPLAN_FUZZ_EXAMPLES=5000 explores further with random seeds (default: 300, reproducible).
_EXAMPLES = int(os.environ.get("ECSPLAN_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=_EXAMPLES,
    deadline=None,
    derandomize=_EXAMPLES <= 300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# (exception type, substring of its message): crashes known but not fixed yet, each with a
# strict xfail test below. Empty: every crash the corpus and the fuzzers found is fixed.
KNOWN_CRASHES: list[tuple[type[BaseException], str]] = []


LOCATED = re.compile(r"^[^\n]+:\d+: \$\S*: \S")


def _known(e: BaseException) -> bool:
    return any(isinstance(e, t) and s in str(e) for t, s in KNOWN_CRASHES)


@contextmanager
def only_our_errors() -> Iterator[None]:
    """Let EcsplanError (and KNOWN_CRASHES, if any) through; anything else fails."""
    try:
        yield
    except ConfigError as e:
        assert LOCATED.match(str(e)), f"not FILE:LINE: $.path: message: {e}"
    except EcsplanError as e:
        assert str(e).strip(), "an error without a message"
    except Exception as e:
        if not _known(e):
            raise


# --- the template parser ------------------------------------------------------------------

TEMPLATE_PIECES = [
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{/*",
    "*/}}",
    '"',
    "`",
    "\\",
    '\\"',
    "\\n",
    "\\x4",
    "\\u00e9",
    "|",
    "(",
    ")",
    " ",
    "\n",
    "\t",
    "env",
    "must_env",
    "json_escape",
    "ssm",
    "secretsmanager_arn",
    "cfn_output",
    "tfstate",
    "foo",
    "if",
    "end",
    ".",
    "$x",
    ":=",
    "-",
    "1",
    "42",
    "0x1F",
    "1.5e3",
    "true",
    "nil",
    "ECSPLAN_FUZZ_VAR",
    "é",
    "日本",
    "}",
    "{",
]

template_text = st.lists(
    st.one_of(st.sampled_from(TEMPLATE_PIECES), st.text(max_size=4)), max_size=40
).map("".join)


@FUZZ
@given(template_text)
def test_template_renderer_raises_only_config_error(text: str) -> None:
    funcs = FunctionSet(None).funcs  # no AWS: ssm & co fail with a TemplateFuncError
    try:
        out = render_template(text, "fuzz.json", funcs)
    except ConfigError as e:
        assert str(e).startswith("fuzz.json:"), e
        line = int(str(e).split(":")[1])
        assert 1 <= line <= text.count("\n") + 1, f"line {line} outside the text"
    except Exception as e:
        if not _known(e):
            raise
    else:
        assert isinstance(out, str)
        if "{{" not in text:
            assert out == text


@FUZZ
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60))
def test_template_text_without_actions_is_unchanged(text: str) -> None:
    text = text.replace("{{", "{ {")
    assert render_template(text, "f", FunctionSet(None).funcs) == text


# --- the loader ---------------------------------------------------------------------------

YAML_PIECES = [
    "region: ap-northeast-1\n",
    "cluster: my-cluster\n",
    "service: web\n",
    "service_definition: ecs-service-def.json\n",
    "task_definition: ecs-task-def.json\n",
    "timeout: ",
    "5m",
    "plugins:\n",
    "  - name: tfstate\n",
    "    config: {path: x.tfstate}\n",
    "codedeploy:\n",
    "  auto_rollback: ",
    "ecsplan:\n  state: ",
    "- ",
    ": ",
    "  ",
    "\t",
    "\n",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!!str ",
    "!!binary ",
    "? ",
    "'",
    '"',
    "#",
    "---\n",
    "...\n",
    "|\n",
    ">-\n",
    "%YAML 1.1\n",
    "{{ env `X` `y` }}",
    "{{ must_env `ECSPLAN_FUZZ_UNSET` }}",
    "null",
    "~",
    "yes",
    "1e3",
    "0o17",
    ".inf",
]
JSON_PIECES = [
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    '"family"',
    '"containerDefinitions"',
    '"name"',
    '"image"',
    '"cpu"',
    '"memory"',
    '"desiredCount"',
    '"launchType"',
    '"FARGATE"',
    '"awsvpc"',
    '"256"',
    "512",
    "-1",
    "1.5",
    "1e400",
    "NaN",
    "true",
    "null",
    '"\\u00e9"',
    '"\\q"',
    "/* c */",
    "// c\n",
    "'x'",
    "local a = 1;",
    "\n",
    " ",
    "{{ env `TAG` `1` }}",
    "{{",
]


def _mutated(base: str) -> st.SearchStrategy[str]:
    """The base text with a slice deleted, replaced or duplicated (near-valid documents)."""
    n = len(base)
    return st.tuples(
        st.integers(0, n),
        st.integers(0, 40),
        st.sampled_from(["", *JSON_PIECES, *YAML_PIECES]),
    ).map(lambda t: base[: t[0]] + t[2] + base[min(n, t[0] + t[1]) :])


CFG_TEXT = (BASE / "ecspresso.yml").read_text()
TD_TEXT = (BASE / "ecs-task-def.json").read_text()
SD_TEXT = (BASE / "ecs-service-def.json").read_text()


@contextmanager
def _case() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="ecsplan-fuzz-"))
    try:
        for f in BASE.iterdir():
            shutil.copy(f, d / f.name)
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _load(cfg: Path) -> None:
    with only_our_errors():
        config = load_config(cfg, LoadOptions())
        for problem in validate_config(config):
            assert LOCATED.match(str(problem)), problem


@FUZZ
@given(
    st.one_of(st.lists(st.sampled_from(YAML_PIECES), max_size=25).map("".join), _mutated(CFG_TEXT))
)
def test_loader_config_text(text: str) -> None:
    with _case() as d:
        (d / "ecspresso.yml").write_text(text)
        _load(d / "ecspresso.yml")


@FUZZ
@given(
    st.sampled_from(["ecs-task-def.json", "ecs-service-def.json"]),
    st.one_of(
        st.lists(st.sampled_from(JSON_PIECES), max_size=30).map("".join),
        _mutated(TD_TEXT),
        _mutated(SD_TEXT),
    ),
)
def test_loader_definition_text(name: str, text: str) -> None:
    with _case() as d:
        (d / name).write_text(text)
        _load(d / "ecspresso.yml")


@FUZZ
@given(st.sampled_from(["ecspresso.yml", "ecs-task-def.json"]), st.binary(max_size=200))
def test_loader_random_bytes(name: str, data: bytes) -> None:
    with _case() as d:
        (d / name).write_bytes(data)
        _load(d / "ecspresso.yml")


# --- crashes found by the corpus and the fuzzers, now errors -----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{{ env "TAG" 08 }}', id="leading-zero-number"),
        pytest.param('{{ "\\U00110000" }}', id="escape-beyond-unicode"),
        pytest.param("{{ " + "(" * 2000 + " }}", id="deep-parentheses"),
    ],
)
def test_former_template_crash(text: str) -> None:
    """Once ValueError/RecursionError (int(text, 0), chr(), evaluator recursion)."""
    with pytest.raises(ConfigError):
        render_template(text, "f.json", FunctionSet(None).funcs)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        pytest.param("ecspresso.yml", b"service: \xff\n", id="config-not-utf8"),
        pytest.param("ecs-task-def.json", b'{"family": "\xc3\x28"}', id="taskdef-not-utf8"),
        pytest.param("ecs-task-def.json", b'{"family": "a\x00b"}', id="taskdef-nul"),
        pytest.param("ecs-task-def.json", b"[" * 1500 + b"]" * 1500, id="taskdef-deep-json"),
    ],
)
def test_former_loader_crash(name: str, data: bytes) -> None:
    """Once UnicodeDecodeError, ValueError (NUL), RecursionError or AttributeError (json_path)."""
    with _case() as d:
        (d / name).write_bytes(data)
        with pytest.raises(EcsplanError):
            load_config(d / "ecspresso.yml", LoadOptions())


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param("service: web\n? \n", "$[null]: key null", id="null-key"),
        pytest.param("service: web\n1.5: x\n", "$[1.5]: key 1.5", id="float-key"),
        pytest.param("service: web\nyes: x\n", "$[true]: key true", id="bool-key"),
    ],
)
def test_non_string_key_is_a_located_warning(text: str, shown: str) -> None:
    """Once AttributeError in errors.json_path; now the key is named at its line."""
    with _case() as d:
        (d / "ecspresso.yml").write_text(text)
        cfg = load_config(d / "ecspresso.yml", LoadOptions())
        (warning,) = cfg.warnings
        assert f"ecspresso.yml:2: {shown} is not a string and is ignored" in warning
