"""Global flags in any position, as ecspresso (kong) takes them.

ecspresso users write `ecspresso deploy --config ecspresso.yml`; click only reads group options
before the subcommand. Before click parses, the global flags found after the subcommand are
moved in front of it (a flag the subcommand defines itself, such as `wait --timeout`, stays
with the subcommand). The same pass refuses a flag given twice with different values, which
click would otherwise settle silently by taking the last one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import click

from planner.cli.kong_values import split_escaped
from planner.errors import EcsplanError

HELP_FLAGS = frozenset({"-h", "--help"})


def _options(cmd: click.Command) -> dict[str, click.Option]:
    """Every spelling of every option of ``cmd`` (``--no-x`` of a boolean pair included)."""
    out: dict[str, click.Option] = {}
    for p in cmd.params:
        if isinstance(p, click.Option):
            for name in (*p.opts, *p.secondary_opts):
                out[name] = p
    return out


def _takes_value(p: click.Option) -> bool:
    return not (p.is_flag or p.count)


@dataclass
class _Token:
    """One option occurrence: its tokens in argv and what it said."""

    name: str
    param: click.Option
    tokens: list[str]
    value: object


@dataclass
class _Seen:
    """Values per option, to refuse one given twice with different values."""

    values: dict[str, list[tuple[str, object]]] = field(default_factory=dict)

    def add(self, key: str, name: str, value: object) -> None:
        self.values.setdefault(key, []).append((name, value))


def _read_option(
    argv: Sequence[str], i: int, known: dict[str, click.Option]
) -> tuple[_Token | None, int]:
    """The option at ``argv[i]`` if ``known`` has it, and the index after it (and its value)."""
    tok = argv[i]
    name, inline = tok, None
    if tok.startswith("--") and "=" in tok:
        name, _, inline = tok.partition("=")
    elif not tok.startswith("--") and len(tok) > 2 and tok[:2] in known:
        name, inline = tok[:2], tok[2:]  # -cpath
    p = known.get(name)
    if p is None:
        return None, i + 1
    if not _takes_value(p):
        if inline is not None:
            return None, i + 1  # --flag=x: leave it to click to reject
        return _Token(name, p, [tok], name not in p.secondary_opts), i + 1
    if inline is not None:
        return _Token(name, p, [tok], inline), i + 1
    nxt = argv[i + 1] if i + 1 < len(argv) else None
    if getattr(p, "_flag_needs_value", False) and (nxt is None or nxt.startswith("-")):
        # an optional value (`tasks --stop [ID]`): as click reads it, the next option is not it
        return _Token(name, p, [tok], p.flag_value), i + 1
    n = max(p.nargs, 1)
    vals = list(argv[i + 1 : i + 1 + n])
    if len(vals) < n:
        return None, len(argv)  # missing value: click says so
    return _Token(name, p, [tok, *vals], vals[0] if n == 1 else tuple(vals)), i + 1 + n


def _check_repeats(seen: _Seen) -> None:
    """A single-valued option given twice must say the same; K=V pairs must not disagree."""
    for key, occurrences in seen.values.items():
        if len(occurrences) < 2 or key.endswith("+"):  # repeatable: -c a.yml -c b.yml
            continue
        names = "/".join(dict.fromkeys(n for n, _ in occurrences))
        multiple = key.endswith("*")
        if multiple:
            pairs: dict[str, str] = {}
            items = [item for _, v in occurrences for item in split_escaped(str(v), ";")]
            for k, sep, val in (item.partition("=") for item in items):
                if not sep:
                    continue
                if k in pairs and pairs[k] != val:
                    raise EcsplanError(
                        f"{names} {k} given twice with different values: {pairs[k]!r} and {val!r}"
                    )
                pairs[k] = val
            continue
        distinct = list(dict.fromkeys(repr(v) for _, v in occurrences))
        if len(distinct) > 1:
            if all(isinstance(v, bool) for _, v in occurrences):
                raise EcsplanError(f"{names}: both forms given; give one")
            raise EcsplanError(
                f"{names} given twice with different values: {' and '.join(distinct)}"
            )


def _key(p: click.Option, scope: str) -> str:
    """The identity of an option for repeat checks: by its first long name, across scopes.

    `--timeout` before the subcommand and `wait --timeout` after it are the same flag to a
    user, so both land under one key. Repeatable options are marked ``+`` (any values) or
    ``*`` (K=V pairs, which must not give one key two values).
    """
    long = next((o for o in p.opts if o.startswith("--")), p.opts[0])
    if p.multiple:
        return f"{scope}:{long}*" if long in ("--ext-str", "--ext-code") else f"{scope}:{long}+"
    return long


def normalize_argv(group: click.Group, argv: Sequence[str]) -> list[str]:
    """``argv`` with every global flag in front of the subcommand; refuses conflicting repeats.

    Anything this pass does not understand (an unknown command or option) is left where it
    is, so click reports it with its usual one-line message.
    """
    gopts = _options(group)
    seen = _Seen()
    front: list[str] = []
    i = 0
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "--":
        if argv[i] in HELP_FLAGS or argv[i] == "--version":
            return list(argv)
        opt, nxt = _read_option(argv, i, gopts)
        if opt is None:
            return list(argv)
        seen.add(_key(opt.param, "g"), opt.name, opt.value)
        front.extend(opt.tokens)
        i = nxt
    if i >= len(argv) or argv[i] == "--":
        _check_repeats(seen)
        return list(argv)
    cmd: click.Command | None = group.get_command(click.Context(group), argv[i])
    if cmd is None:
        return list(argv)
    path, rest = _after_command(argv, i, cmd, gopts, seen, front)
    _check_repeats(seen)
    return [*front, *path, *rest]


def _after_command(
    argv: Sequence[str],
    i: int,
    cmd: click.Command,
    gopts: Mapping[str, click.Option],
    seen: _Seen,
    front: list[str],
) -> tuple[list[str], list[str]]:
    """The command path from ``argv[i]`` and what follows it; global flags go to ``front``."""
    path = [argv[i]]
    rest: list[str] = []
    local = _options(cmd)
    i += 1
    while i < len(argv):
        tok = argv[i]
        if tok == "--":
            rest.extend(argv[i:])
            break
        if not tok.startswith("-") or tok == "-":
            sub = (
                cmd.get_command(click.Context(cmd), tok)
                if isinstance(cmd, click.Group) and not rest
                else None
            )
            if sub is not None:
                cmd, local = sub, _options(sub)
                path.append(tok)
            else:
                rest.append(tok)
            i += 1
            continue
        opt, nxt = _read_option(argv, i, local)
        if opt is not None:
            seen.add(_key(opt.param, "l"), opt.name, opt.value)
            rest.extend(opt.tokens)
            i = nxt
            continue
        opt, nxt = _read_option(argv, i, gopts)
        if opt is not None and tok not in HELP_FLAGS:
            seen.add(_key(opt.param, "g"), opt.name, opt.value)
            front.extend(opt.tokens)
            i = nxt
            continue
        rest.append(tok)
        i += 1
    return path, rest
