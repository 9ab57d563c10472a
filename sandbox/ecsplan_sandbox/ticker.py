"""The background clock: every `interval` seconds, move all deployments one step forward."""

from __future__ import annotations

import logging
import threading

from moto.codedeploy.models import codedeploy_backends
from moto.ecs.models import ecs_backends

from ecsplan_sandbox import codedeploy_progress, ecs_progress, task_runs, taskset_progress

log = logging.getLogger("ecsplan_sandbox")


def advance_all() -> None:
    """One tick over every ECS and CodeDeploy backend moto has created (never creates one)."""
    for regions in list(dict.values(ecs_backends)):
        for backend in list(dict.values(regions)):
            ecs_progress.tick(backend)
            taskset_progress.tick(backend)
            task_runs.tick(backend)
    for regions in list(dict.values(codedeploy_backends)):
        for cd in list(dict.values(regions)):
            codedeploy_progress.tick(cd)


class Ticker:
    """A daemon thread that ticks under the sandbox state lock; can pause and single-step."""

    def __init__(self, interval: float, lock: threading.RLock) -> None:
        self.interval = interval
        self._lock = lock
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._thread: threading.Thread | None = None
        self.ticks = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="sandbox-ticker", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            if self._running.is_set():
                self.step()

    def step(self, ticks: int = 1) -> None:
        for _ in range(ticks):
            with self._lock:
                try:
                    advance_all()
                except Exception:  # a bug in one tick must not kill the clock
                    log.exception("sandbox tick failed")
                self.ticks += 1

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
