"""Journal entries and run ids apart from any backend: the entry schema, run id order."""

from __future__ import annotations

import json
import time
from pathlib import Path

from jsonschema import Draft202012Validator

from planner.state import new_run_id

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "journal-entry.schema.json").read_text())


def test_schema_refuses_a_failure_without_error() -> None:
    bad = {"format": 1, "seq": 1, "run_id": "r1", "ts": "2026-01-01T00:00:00Z",
           "event": "failure", "step_id": "s", "kind": "update_service"}  # fmt: skip
    assert list(Draft202012Validator(SCHEMA).iter_errors(bad))
    good = {**bad, "error": "ServiceNotActiveException"}
    assert not list(Draft202012Validator(SCHEMA).iter_errors(good))


def test_new_run_ids_sort_by_time_and_differ() -> None:
    ordered = []
    for _ in range(5):
        ordered.append(new_run_id())
        time.sleep(0.002)  # ids a few ms apart sort in creation order (same second too)
    assert sorted(ordered) == ordered
    ids = {new_run_id() for _ in range(50)}
    assert len(ids) == 50
    for rid in ids:
        stamp, _, rand = rid.partition("-")
        assert len(stamp) == len("20261128T192400123Z") and stamp.endswith("Z") and rand
