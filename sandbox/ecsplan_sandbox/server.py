"""The sandbox: moto in server mode on 127.0.0.1, plus progression, faults and control."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from ecsplan_sandbox import fidelity, task_runs
from ecsplan_sandbox.control import Control, Faults, WriteRecord, is_write
from ecsplan_sandbox.middleware import SandboxApp
from ecsplan_sandbox.signers import SignedCall
from ecsplan_sandbox.ticker import Ticker

SANDBOX_REGION = "ap-northeast-1"
SANDBOX_ACCOUNT = "123456789012"


class _QuietHandler(MotoRequestHandler):
    """No access log per request (the demo and tests would drown in it)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class Sandbox:
    """An in-process moto server over real HTTP; the AWS of tests and of the demo.

    `tick` is the progression interval in seconds (0.2 for the demo, 0.02 in tests).
    """

    def __init__(self, port: int = 0, tick: float = 0.2, host: str = "127.0.0.1") -> None:
        self.port = port
        self.host = host
        self.control = Control()
        self._ticker = Ticker(tick, self.control.state_lock)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> Sandbox:
        fidelity.install()
        task_runs.install()
        app = SandboxApp(DomainDispatcherApplication(create_backend_app), self.control, self)
        self._server = make_server(
            self.host, self.port, app, threaded=True, request_handler=_QuietHandler
        )
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sandbox-http", daemon=True
        )
        self._thread.start()
        self._ticker.start()
        return self

    def stop(self) -> None:
        self._ticker.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start() if self._server is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addressing ----------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment a client process needs to talk to this sandbox."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": SANDBOX_REGION,
            "AWS_REGION": SANDBOX_REGION,
            "AWS_PAGER": "",  # the guide's `aws ...` commands print, not page
        }

    # --- progression clock ---------------------------------------------------------------

    @property
    def tick(self) -> float:
        """Seconds between progression steps."""
        return self._ticker.interval

    @tick.setter
    def tick(self, seconds: float) -> None:
        self._ticker.interval = max(0.001, float(seconds))

    @property
    def ticks(self) -> int:
        """Progression steps taken so far."""
        return self._ticker.ticks

    def pause(self) -> None:
        """Stop the clock (deployments stay where they are until `resume` or `step`)."""
        self._ticker.pause()

    def resume(self) -> None:
        self._ticker.resume()

    def step(self, ticks: int = 1) -> None:
        """Advance progression synchronously, e.g. while paused, for deterministic tests."""
        self._ticker.step(ticks)

    # --- state, counters, faults ---------------------------------------------------------

    def reset(self) -> None:
        """Forget all AWS state, counters and faults; the clock keeps its pause state."""
        from moto.moto_api._internal.models import moto_api_backend

        with self.control.state_lock:
            moto_api_backend.reset()
            self.control.reset()

    def stats(self) -> dict[str, Any]:
        """{"requests": {"ecs:DescribeServices": 3, ...}, "total", "writes", "write_calls", ...}"""
        return self.control.stats()

    def write_calls(self) -> dict[str, int]:
        """Counted calls whose operation changes state (Create*, Update*, Register*, ...)."""
        return {k: v for k, v in self.control.stats()["requests"].items() if is_write(k)}

    def writes(self, operation: str | None = None) -> list[WriteRecord]:
        """Every write call received since the last reset, with its parameters and outcome
        (``applied``, ``refused``, ``faulted`` before moto saw it, or ``lost``)."""
        return [w for w in self.control.writes() if operation in (None, w.operation)]

    def signed_calls(self, operation: str | None = None) -> list[SignedCall]:
        """Every counted call since the last reset with who signed it: the access key, and
        the account and assumed role moto acts as for that key (``role_arn`` None: the
        long-term "testing" key, in the default account)."""
        return [c for c in self.control.signed_calls() if operation in (None, c.operation)]

    def calls_by_account(self) -> dict[str, dict[str, int]]:
        """{account: {"ecs:UpdateService": 2, ...}}: how many calls acted in each account."""
        out: dict[str, dict[str, int]] = {}
        for c in self.control.signed_calls():
            ops = out.setdefault(c.account, {})
            ops[c.operation] = ops.get(c.operation, 0) + 1
        return out

    def set_faults(
        self,
        throttle_rate: float = 0,
        error_rate: float = 0,
        latency_ms: int = 0,
        operations: Iterable[str] | None = None,
        seed: int | None = None,
        lost_rate: float = 0,
    ) -> None:
        """Make a share of matching calls throttle (HTTP 400), fail (HTTP 503), or be applied
        and then answered with a 503 (``lost_rate``); 0s = off."""
        self.control.set_faults(
            Faults.from_dict(
                {
                    "throttle_rate": throttle_rate,
                    "error_rate": error_rate,
                    "lost_rate": lost_rate,
                    "latency_ms": latency_ms,
                    "operations": list(operations) if operations else None,
                    "seed": seed,
                }
            )
        )

    # --- infrastructure ------------------------------------------------------------------

    def prepare(self, config_paths: Iterable[str]) -> list[str]:
        """Create what the configs expect outside ecsplan; returns what was created."""
        from ecsplan_sandbox.prepare import prepare

        return prepare(self.endpoint, self.control, [str(p) for p in config_paths])

    # --- HTTP helpers (for clients of a sandbox in another process) ----------------------

    def _post(self, path: str, body: Any = None) -> Any:
        data = json.dumps(body or {}).encode()
        req = urllib.request.Request(self.endpoint + path, data=data, method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
        return json.loads(raw) if raw.strip().startswith(b"{") else None
