"""Confirmation prompts as ecspresso asks them: github.com/Songmu/prompter v0.5.1
(prompter.go, funcs.go), so scripts and terminals see the same thing with ecsplan.

- The prompt goes to stdout without a newline: ``Deregister app:3 ? (yes/no) [no]: ``.
- When stdin OR stdout is not a terminal, nothing is read: the default answer is taken at
  once (``no``), so an unattended ``deregister`` or ``delete`` without ``--force`` fails with
  ``confirmation failed`` instead of waiting or guessing.
- ``GO_PROMPTER_USE_DEFAULT`` (non-empty) takes the default even on a terminal;
  ``GO_PROMPTER_USE_PIPE`` (non-empty) reads the answer from a piped stdin.
- One line is read per prompt, as a fresh ``bufio.Scanner`` on stdin does: a read of up to
  4096 bytes at a time until a newline, the rest of what that read returned is lost (so a
  re-prompt after a bad answer on a pipe usually meets EOF, as with ecspresso). EOF or an
  empty line is the default; a bad answer prints ``# Enter `yes` or `no``` and asks again.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence

import click

_CHUNK = 4096  # bufio.Scanner's first buffer


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):
        return False


def skip() -> bool:
    """prompter.go skip(): answer with the default without reading stdin."""
    if os.environ.get("GO_PROMPTER_USE_DEFAULT"):
        return True
    if not (_is_terminal(sys.stdin) and _is_terminal(sys.stdout)):  # isPipe()
        return not os.environ.get("GO_PROMPTER_USE_PIPE")
    return False


def _read_chunk() -> bytes:
    try:
        return os.read(sys.stdin.fileno(), _CHUNK)
    except (AttributeError, OSError, ValueError):  # no real descriptor (in-process runner)
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:
            return str(sys.stdin.read(_CHUNK)).encode()
        read1 = getattr(buffer, "read1", buffer.read)
        return bytes(read1(_CHUNK))


def _scan() -> str | None:
    """One ``scanner.Scan()`` on stdin: the first line (CR LF trimmed); None at EOF."""
    data = b""
    while b"\n" not in data:
        chunk = _read_chunk()
        if not chunk:
            if not data:
                return None
            break
        data += chunk
    return data.split(b"\n", 1)[0].decode(errors="replace").rstrip("\r\n")


def read_line() -> str:
    """The answer a prompt reads: one line, or "" at EOF (then the default applies)."""
    return _scan() or ""


def _message(message: str, choices: Sequence[str], default: str) -> str:
    """prompter.go msg()."""
    if choices:
        message += f" ({'/'.join(choices)})"
    if default:
        message += f" [{default}]"
    return message + ": "


def _error_message(choices: Sequence[str]) -> str:
    """prompter.go errorMsg()."""
    if len(choices) == 1:
        return f"# Enter `{choices[0]}`"
    head = ", ".join(f"`{c}`" for c in choices[:-1])
    return f"# Enter {head} or `{choices[-1]}`"


def prompt(message: str, default: str = "", choices: Sequence[str] = ()) -> str:
    """prompter ``(*Prompter).Prompt`` with IgnoreCase (what YN and YesNo set)."""
    valid = re.compile(r"(?i)\A(?:" + "|".join(re.escape(c) for c in choices) + r")\Z")
    while True:
        click.echo(_message(message, choices, default), nl=False)
        sys.stdout.flush()
        if skip():
            return default
        answer = read_line() or default
        if not choices or valid.match(answer):
            return answer
        click.echo(_error_message(choices))


def yes_no(message: str, default_yes: bool = False) -> bool:
    """prompter.YesNo: ``(yes/no) [no]``; true only for an answer of yes."""
    return prompt(message, "yes" if default_yes else "no", ("yes", "no")).lower() == "yes"


def yn(message: str, default_yes: bool = False) -> bool:
    """prompter.YN: ``(y/n) [n]``; true only for an answer of y."""
    return prompt(message, "y" if default_yes else "n", ("y", "n")).lower() == "y"


def prompt_line(message: str) -> str | None:
    """A prompt without default or choices (``Enter task ID: ``) for a loop that asks again on
    an empty answer: None when nothing can be read (not a terminal, or end of input), where
    ecsta's loop would spin until the command's timeout."""
    click.echo(_message(message, (), ""), nl=False)
    sys.stdout.flush()
    return None if skip() else _scan()
