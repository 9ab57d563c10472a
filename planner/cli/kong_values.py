"""ecspresso's list- and map-valued global flags, decoded as kong decodes them.

kong (ecspresso's CLI library) splits a ``[]string`` flag on ``,`` and a
``map[string]string`` flag on ``;`` (its default ``sep``/``mapsep`` tags), with ``\\`` escaping
the separator; repeated flags add up, and a value given on the command line replaces the
environment variable's rather than merging with it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from planner.errors import EcsplanError


def split_escaped(value: str, sep: str) -> list[str]:
    """kong's SplitEscaped (mapper.go): ``a\\,b,c`` -> ``["a,b", "c"]``; a trailing empty
    item is dropped, an empty one in the middle kept."""
    out: list[str] = []
    token, escaped = "", False
    for i, ch in enumerate(value):
        if escaped:
            token += ch if ch == sep else "\\" + ch
            escaped = False
        elif ch == "\\" and i < len(value) - 1:
            escaped = True
        elif ch == sep:
            out.append(token)
            token = ""
        else:
            token += ch
    if token:
        out.append(token)
    return out


def list_values(given: Sequence[str], env: str) -> tuple[str, ...]:
    """``--envfile a.env,b.env --envfile c.env``, else ECSPRESSO_ENVFILE the same way."""
    raw = list(given) if given else ([os.environ[env]] if os.environ.get(env) else [])
    return tuple(item for value in raw for item in split_escaped(value, ","))


def map_values(given: Sequence[str], env: str, flag: str) -> dict[str, str]:
    """``--ext-str 'a=1;b=2' --ext-str c=3``, else the env var the same way; a later key wins.

    An item without ``=`` is refused as kong refuses it, naming the flag."""
    raw = list(given) if given else ([os.environ[env]] if os.environ.get(env) else [])
    out: dict[str, str] = {}
    for value in raw:
        for item in split_escaped(value, ";"):
            key, eq, val = item.partition("=")
            if not eq:
                source = flag if given else env
                raise EcsplanError(f'{source}: expected "<key>=<value>" but got {item!r}')
            out[key] = val
    return out
