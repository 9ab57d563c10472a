"""Look up values in a Terraform state (format version 4), like ecspresso's tfstate plugin.

Addresses: ``aws_vpc.main.id``, ``data.aws_caller_identity.current.account_id``,
``module.net.aws_subnet.private[0].id``, ``aws_instance.web["a"].tags.Name``,
``output.vpc_id``. The state is read lazily, on the first lookup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from planner.config.templates import TemplateFuncError

_SEG = re.compile(
    r"""\.?(?P<name>[A-Za-z0-9_\-]+)|\[(?:(?P<num>\d+)|"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\]"""
)


Seg = tuple[str | int, bool]  # (name or index key, written in brackets)


def parse_address(addr: str) -> list[Seg]:
    """Split an address into names and bracketed index keys; raise on anything else."""
    parts: list[Seg] = []
    pos = 0
    while pos < len(addr):
        m = _SEG.match(addr, pos)
        if m is None or (pos == 0 and addr.startswith(".")):
            raise TemplateFuncError(f"invalid address {addr!r}")
        if m.group("name") is not None:
            parts.append((m.group("name"), False))
        elif m.group("num") is not None:
            parts.append((int(m.group("num")), True))
        else:
            key = m.group("dq") if m.group("dq") is not None else m.group("sq")
            parts.append((key, True))
        pos = m.end()
    if not parts or parts[0][1]:
        raise TemplateFuncError(f"invalid address {addr!r}")
    return parts


class TFState:
    """A parsed state, loaded on first use from ``loader`` (local file or s3:// bytes)."""

    def __init__(self, location: str, loader: Callable[[], bytes]) -> None:
        self.location = location
        self._loader = loader
        self._state: dict[str, Any] | None = None

    def state(self) -> dict[str, Any]:
        if self._state is None:
            raw = self._loader()
            try:
                state = json.loads(raw)
            except ValueError as e:
                raise TemplateFuncError(f"{self.location} is not a JSON tfstate: {e}") from None
            if not isinstance(state, dict) or state.get("version") != 4:
                raise TemplateFuncError(
                    f"{self.location}: only tfstate format version 4 is supported"
                )
            self._state = state
        return self._state

    def lookup(self, addr: str) -> Any:
        segs = parse_address(addr)
        state = self.state()
        missing = TemplateFuncError(f"{addr} not found in {self.location}")
        invalid = TemplateFuncError(f"invalid address {addr!r}")
        if segs[0][0] == "output":
            if len(segs) < 2 or segs[1][1]:
                raise invalid
            outputs = state.get("outputs") or {}
            if segs[1][0] not in outputs:
                raise missing
            return _walk(outputs[segs[1][0]].get("value"), segs[2:], missing)
        module = ""
        i = 0
        while i < len(segs) and segs[i] == ("module", False):
            if i + 1 >= len(segs) or segs[i + 1][1]:
                raise invalid
            module += ("." if module else "") + f"module.{segs[i + 1][0]}"
            i += 2
            if i < len(segs) and segs[i][1]:
                key = segs[i][0]
                module += f"[{key}]" if isinstance(key, int) else f'["{key}"]'
                i += 1
        mode = "managed"
        if i < len(segs) and segs[i] == ("data", False):
            mode = "data"
            i += 1
        if i + 1 >= len(segs) or segs[i][1] or segs[i + 1][1]:
            raise invalid
        rtype, rname = segs[i][0], segs[i + 1][0]
        i += 2
        index: str | int | None = None
        if i < len(segs) and segs[i][1]:
            index = segs[i][0]
            i += 1
        for res in state.get("resources") or []:
            if (
                res.get("mode", "managed") == mode
                and res.get("type") == rtype
                and res.get("name") == rname
                and (res.get("module") or "") == module
            ):
                for inst in res.get("instances") or []:
                    if inst.get("index_key") == index:
                        return _walk(inst.get("attributes") or {}, segs[i:], missing)
        raise missing


def _walk(value: Any, rest: list[Seg], missing: TemplateFuncError) -> Any:
    for key, _ in rest:
        if (isinstance(value, dict) and isinstance(key, str) and key in value) or (
            isinstance(value, list) and isinstance(key, int) and key < len(value)
        ):
            value = value[key]
        else:
            raise missing
    return value


def go_sprintf(fmt: str, args: tuple[Any, ...]) -> str:
    """The %s/%d/%v subset of Go's fmt.Sprintf that tfstatef addresses use."""
    it = iter(args)

    def repl(m: re.Match[str]) -> str:
        if m.group() == "%%":
            return "%"
        try:
            return str(next(it))
        except StopIteration:
            raise TemplateFuncError(f"not enough arguments for format {fmt!r}") from None

    return re.sub(r"%%|%[sdv]", repl, fmt)
