"""Minimal sandbox: moto in server mode on 127.0.0.1 (progression and faults come later)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from moto.server import ThreadedMotoServer

SANDBOX_REGION = "ap-northeast-1"


class Sandbox:
    """An in-process moto server over real HTTP; the AWS of tests and of the demo."""

    def __init__(self, port: int = 0, tick: float = 0.2) -> None:
        self.port = port
        self.tick = tick
        self._server: ThreadedMotoServer | None = None

    def start(self) -> Sandbox:
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self.port = self._server.get_host_and_port()[1]
        return self

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment a client process needs to talk to this sandbox."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": SANDBOX_REGION,
            "AWS_REGION": SANDBOX_REGION,
        }

    def reset(self) -> None:
        self._post("/moto-api/reset")

    def _post(self, path: str, body: Any = None) -> Any:
        data = json.dumps(body or {}).encode()
        req = urllib.request.Request(self.endpoint + path, data=data, method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
        return json.loads(raw) if raw.strip().startswith(b"{") else None

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
