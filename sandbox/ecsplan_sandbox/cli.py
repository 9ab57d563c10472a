"""`ecsplan sandbox`: run the local emulated AWS until interrupted.

The ecsplan CLI finds this command through the `ecsplan.commands` entry point of this
package (sandbox/pyproject.toml); without the package installed, `ecsplan sandbox` says how
to install it.
"""

from __future__ import annotations

import logging
import shlex
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import click

from planner.errors import EcsplanError


@click.command("sandbox")
@click.option("--port", default=4566, show_default=True, type=int, help="Port on 127.0.0.1.")
@click.option(
    "--tick", default=0.2, show_default=True, type=float, help="Seconds between rollout steps."
)
@click.option(
    "--prepare",
    "prepare",
    multiple=True,
    metavar="CONFIG",
    help="Create the cluster, CodeDeploy group, target groups... a config (or workspace) expects.",
)
@click.argument("more_configs", nargs=-1, metavar="[CONFIG]...")
def sandbox_cmd(
    port: int, tick: float, prepare: tuple[str, ...], more_configs: tuple[str, ...]
) -> None:
    """Start the local emulated AWS on 127.0.0.1 (moto, rollouts, faults).

    Extra CONFIG arguments are prepared too, so `--prepare a.yml b.yml` works.
    """
    from ecsplan_sandbox import Sandbox

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("ecsplan_sandbox").setLevel(logging.INFO)
    started = time.perf_counter()
    try:
        sb = Sandbox(port=port, tick=tick).start()
    except OSError as e:
        raise EcsplanError(f"cannot listen on 127.0.0.1:{port}: {e.strerror or e}") from None
    startup = time.perf_counter() - started
    try:
        configs = [*prepare, *more_configs]
        if configs:
            for line in sb.prepare(configs):
                click.echo(f"prepared: {line}")
        click.echo(
            f"ecsplan sandbox listening on {sb.endpoint} (tick {sb.tick}s, started in "
            f"{startup:.2f}s)"
        )
        click.echo("Use it from another shell with:")
        for key, value in sb.env().items():
            click.echo(f"  export {key}={shlex.quote(value)}")
        with _until_signal() as done:  # handlers in place before "Ctrl-C to stop" is said
            click.echo(
                f"Control: GET {sb.endpoint}/_sandbox/stats, POST /_sandbox/reset, "
                "POST /_sandbox/faults. Ctrl-C to stop."
            )
            while not done.wait(0.5):
                pass
    finally:
        sb.stop()
    click.echo("sandbox stopped")


@contextmanager
def _until_signal() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM while inside."""
    done = threading.Event()

    def _handler(signum: int, frame: FrameType | None) -> None:
        done.set()

    previous = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield done
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
