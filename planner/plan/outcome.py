"""How applying a service's plan ended: what apply's summary, journals and views report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ServiceResult:
    """How one service's apply ended; the CLI and workspace summaries print these."""

    key: str
    outcome: str  # succeeded | unchanged | failed | interrupted | skipped
    run_id: str
    message: str = ""
    outputs: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome in ("succeeded", "unchanged")
