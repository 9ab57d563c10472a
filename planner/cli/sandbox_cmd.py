"""`ecsplan sandbox`: run the local emulated AWS until interrupted."""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType

import click

from planner.cli.main import cli
from planner.errors import EcsplanError


@cli.command("sandbox")
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
    """Start the local emulated AWS (moto + rollouts + faults) on 127.0.0.1.

    Extra CONFIG arguments are prepared too, so `--prepare a.yml b.yml` works.
    """
    try:
        from planner.sandbox import Sandbox
    except ImportError as e:  # moto is an optional extra
        raise EcsplanError(
            "the sandbox needs moto: pip install 'ecsplan[sandbox]'", details=str(e)
        ) from None
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("planner.sandbox").setLevel(logging.INFO)
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
            click.echo(f"  export {key}={value}")
        click.echo(
            f"Control: GET {sb.endpoint}/_sandbox/stats, POST /_sandbox/reset, "
            "POST /_sandbox/faults. Ctrl-C to stop."
        )
        _wait_for_signal()
    finally:
        sb.stop()
    click.echo("sandbox stopped")


def _wait_for_signal() -> None:
    done = threading.Event()

    def _handler(signum: int, frame: FrameType | None) -> None:
        done.set()

    previous = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not done.wait(0.5):
            pass
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
