"""Local emulated AWS (moto in server mode + rollout progression + faults)."""

from planner.sandbox.server import Sandbox

__all__ = ["Sandbox"]
