"""WSGI layer in front of moto: control endpoints, call counting, fault injection, locking."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from ecsplan_sandbox.control import Control, Faults, is_write
from ecsplan_sandbox.protocol import error_response, identify, request_params

log = logging.getLogger("ecsplan_sandbox")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

PREFIX = "/_sandbox/"


class Controller(Protocol):
    """What the control endpoints drive (implemented by `Sandbox`)."""

    def reset(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def step(self, ticks: int = 1) -> None: ...
    def prepare(self, config_paths: list[str]) -> list[str]: ...


class SandboxApp:
    """Wraps moto's WSGI app; one instance per sandbox."""

    def __init__(self, moto_app: WSGIApp, control: Control, controller: Controller) -> None:
        self.moto_app = moto_app
        self.control = control
        self.controller = controller

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(PREFIX):
            return self._control(path[len(PREFIX) :], environ, start_response)
        if path.startswith("/moto-api"):
            return self._locked(environ, start_response)
        if environ.get("HTTP_X_SANDBOX_INTERNAL"):
            return self._locked(environ, start_response)
        body = _read_body(environ)
        call = identify(environ, body)
        self.control.count(call.key)
        self.control.log_signer(call.key, environ)
        latency_ms, fault = self.control.decide(call.key)
        write = is_write(call.key)
        if latency_ms:
            time.sleep(latency_ms / 1000)
        if fault in ("throttle", "error"):
            if write:
                self.control.log_write(call.key, request_params(call, environ, body), "faulted", 0)
            status, headers, payload = error_response(call, fault)
            start_response(status, headers)
            return [payload]
        if not write and fault is None:
            return self._locked(environ, start_response)
        seen: list[str] = []

        def capture(status: str, headers: Any, exc_info: Any = None) -> Any:
            seen.append(status)
            if fault is None:
                return start_response(status, headers, exc_info)
            return lambda _data: None

        out = self._locked(environ, capture)
        code = int(seen[0].split()[0]) if seen else 0
        if write:
            outcome = "lost" if fault == "lost" else ("applied" if code < 300 else "refused")
            self.control.log_write(call.key, request_params(call, environ, body), outcome, code)
        if fault == "lost":
            status, headers, payload = error_response(call, "error")
            start_response(status, headers)
            return [payload]
        return out

    def _locked(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        with self.control.state_lock:
            out = self.moto_app(environ, start_response)
            try:
                return [b"".join(out)]
            finally:
                close = getattr(out, "close", None)
                if close is not None:
                    close()

    def _control(
        self, action: str, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        try:
            data = json.loads(_read_body(environ) or b"{}")
            result = self._dispatch(method, action.strip("/"), data)
        except (ValueError, TypeError, KeyError) as e:
            return _json(start_response, "400 Bad Request", {"error": str(e)})
        if result is None:
            return _json(
                start_response, "404 Not Found", {"error": f"no {method} /_sandbox/{action}"}
            )
        return _json(start_response, "200 OK", result)

    def _dispatch(self, method: str, action: str, data: dict[str, Any]) -> dict[str, Any] | None:
        c = self.controller
        if method == "GET" and action == "stats":
            return self.control.stats()
        if method == "GET" and action == "faults":
            return self.control.faults.to_dict()
        if method == "GET" and action == "writes":
            return {"writes": [w.to_dict() for w in self.control.writes()]}
        if method == "GET" and action == "calls":
            return {"calls": [c.to_dict() for c in self.control.signed_calls()]}
        if method != "POST":
            return None
        if action == "reset":
            c.reset()
        elif action == "faults":
            self.control.set_faults(Faults.from_dict(data))
            log.info("faults set: %s", self.control.faults.to_dict())
            return self.control.faults.to_dict()
        elif action == "pause":
            c.pause()
        elif action == "resume":
            c.resume()
        elif action == "step":
            c.step(int(data.get("ticks", 1)))
        elif action == "prepare":
            return {"created": c.prepare(list(data["configs"]))}
        else:
            return None
        return {"ok": True}


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body once and put it back for the next reader."""
    cached = environ.get("ecsplan_sandbox.body")
    if isinstance(cached, bytes):
        return cached
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    body = stream.read(length) if stream is not None and length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["ecsplan_sandbox.body"] = body
    return body


def _json(start_response: StartResponse, status: str, payload: Any) -> list[bytes]:
    body = json.dumps(payload, default=str).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
