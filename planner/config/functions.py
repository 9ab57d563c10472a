"""The template functions of ecspresso, for Go templates and as Jsonnet native functions.

Functions that need AWS go through :class:`TemplateSources`; values that come from an ssm
SecureString or from Secrets Manager are recorded in ``sensitive`` so renderers can mask them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from planner.config.sources import SourceLookupError, TemplateSources
from planner.config.templates import TemplateFunc, TemplateFuncError
from planner.config.tfstate import TFState, go_sprintf


class FunctionSet:
    """Functions available to one config and its definitions, plus what they marked secret."""

    def __init__(self, sources: TemplateSources | None) -> None:
        self._sources = sources
        self.sensitive: set[str] = set()
        self.funcs: dict[str, TemplateFunc] = {
            "env": _env,
            "must_env": _must_env,
            "json_escape": _json_escape,
        }
        self.add_aws("")

    def bind_sources(self, sources: TemplateSources | None) -> None:
        self._sources = sources

    def sources(self) -> TemplateSources:
        if self._sources is None:
            raise TemplateFuncError("no AWS access configured for template lookups")
        return self._sources

    def _add(self, name: str, fn: TemplateFunc) -> None:
        if name in self.funcs and name not in ("ssm", "secretsmanager_arn"):
            raise TemplateFuncError(
                f'template function "{name}" already exists; set func_prefix on the plugin'
            )
        self.funcs[name] = fn

    def add_aws(self, prefix: str) -> None:
        """ssm, secretsmanager and cloudformation functions (built in; plugins add prefixes)."""
        self.funcs[f"{prefix}ssm"] = self._ssm
        self.funcs[f"{prefix}secretsmanager_arn"] = self._secretsmanager_arn
        self.funcs[f"{prefix}secretsmanager_arnf"] = self._secretsmanager_arnf
        self.funcs[f"{prefix}cfn_output"] = self._cfn_output
        self.funcs[f"{prefix}cfn_export"] = self._cfn_export

    def add_tfstate(self, prefix: str, state: TFState) -> None:
        self._add(f"{prefix}tfstate", state.lookup)
        self._add(f"{prefix}tfstatef", lambda fmt, *args: state.lookup(go_sprintf(fmt, args)))

    # --- AWS-backed -----------------------------------------------------------------

    def _lookup(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except SourceLookupError as e:
            raise TemplateFuncError(str(e)) from None

    def _ssm(self, name: str, *index: int) -> str:
        if len(index) > 1:
            raise TemplateFuncError(f"accepts at most 2 arguments, got {len(index) + 1}")
        param = self._lookup(lambda: self.sources().ssm_parameter(name))
        if param.type == "StringList":
            if not index:
                raise TemplateFuncError(f"{name} is a StringList: give the index as 2nd argument")
            values = param.value.split(",")
            if not isinstance(index[0], int) or not 0 <= index[0] < len(values):
                raise TemplateFuncError(f"index {index[0]} out of range for {name}")
            return values[index[0]]
        if index:
            raise TemplateFuncError(f"{name} is a {param.type}: an index is only for StringList")
        if param.secure:
            self.sensitive.add(param.value)
        return param.value

    def _secretsmanager_arn(self, name: str) -> str:
        """The secret's ARN: a reference, not the secret (its value is never read), so shown
        like any other value, as ecspresso's render shows it."""
        return self._lookup(lambda: self.sources().secretsmanager_arn(name))

    def _secretsmanager_arnf(self, fmt: str, *args: Any) -> str:
        """``secretsmanager_arnf "app/%s/db" "prod"``: the ARN of the secret named by a format."""
        return self._secretsmanager_arn(go_sprintf(fmt, args))

    def _cfn_output(self, stack: str, key: str) -> str:
        return self._lookup(lambda: self.sources().cfn_output(stack, key))

    def _cfn_export(self, name: str) -> str:
        return self._lookup(lambda: self.sources().cfn_export(name))

    # --- Jsonnet --------------------------------------------------------------------

    def native_callbacks(self) -> dict[str, tuple[tuple[str, ...], Callable[..., Any]]]:
        """Jsonnet ``std.native(name)`` functions, named as in ecspresso (with prefixes)."""
        out: dict[str, tuple[tuple[str, ...], Callable[..., Any]]] = {}
        for name, fn in self.funcs.items():
            base = next((b for b in _NATIVE_PARAMS if name.endswith(b)), None)
            if base is None:
                continue
            if base == "secretsmanager_arnf":  # arnf(fmt, arg) or arnf(fmt, [args...])
                fn = _spread_second(fn)
            out[name] = (_NATIVE_PARAMS[base], _native(name, fn))
            if base == "ssm":  # ssm_list(name, index) for StringList parameters
                out[f"{name}_list"] = (("a", "b"), _native(name, lambda n, i, f=fn: f(n, int(i))))
        return out


# Longest first, so "must_env" is not taken for "env". Parameter names are single letters:
# the _jsonnet binding mixes up longer ones.
_NATIVE_PARAMS: dict[str, tuple[str, ...]] = {
    "secretsmanager_arnf": ("a", "b"),
    "secretsmanager_arn": ("a",),
    "json_escape": ("a",),
    "cfn_output": ("a", "b"),
    "cfn_export": ("a",),
    "must_env": ("a",),
    "tfstate": ("a",),
    "env": ("a", "b"),
    "ssm": ("a",),
}


def _spread_second(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Jsonnet natives take a fixed number of arguments: a list as 2nd one holds several."""

    def call(fmt: Any, args: Any) -> Any:
        return fn(fmt, *(args if isinstance(args, list) else [args]))

    return call


def _native(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except TemplateFuncError as e:
            raise RuntimeError(f"{name}: {e}") from None

    return call


def _env(*args: Any) -> str:
    """``env "A" "B" "default"``: the first non-empty variable, else the last argument."""
    if not args:
        raise TemplateFuncError("needs at least one argument")
    if len(args) == 1:
        return os.environ.get(str(args[0]), "")
    for name in args[:-1]:
        value = os.environ.get(str(name), "")
        if value:
            return value
    return str(args[-1])


def _must_env(name: str) -> str:
    if name not in os.environ:
        raise TemplateFuncError(f"environment variable {name} is not set")
    return os.environ[name]


def _json_escape(value: Any) -> str:
    return json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)[1:-1]
