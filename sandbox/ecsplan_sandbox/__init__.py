"""Local emulated AWS (moto in server mode + rollout progression + faults).

``Sandbox`` loads on first use, so `ecsplan --help` (which lists this package's `sandbox`
command) does not import moto.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecsplan_sandbox.server import Sandbox

__all__ = ["Sandbox"]


def __getattr__(name: str) -> Any:
    if name == "Sandbox":
        from ecsplan_sandbox.server import Sandbox

        return Sandbox
    raise AttributeError(name)
