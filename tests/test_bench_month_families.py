"""``bench/month.py``'s per-family lines: planned flights counted over sensed and
unsensed stretches, and those only set apart, from each unit's attributed target."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from bench_loader import load_bench


def test_flights_are_tallied_by_family_and_stretch(tmp_path: Path) -> None:
    b = load_bench("month")
    truth = [
        {"id": "inc-00000", "family": "smuggler", "sector": "S01"},
        {"id": "inc-00001", "family": "watcher", "sector": "S01"},
        {"id": "inc-00002", "family": "watcher", "sector": None},  # a neighbour saw it
        {"id": "inc-00003", "family": "watcher", "sector": "S02"},  # only set apart
        {"id": "inc-00004", "sector": "S02"},  # a file from before families: a smuggler
        # a sector --sectors left out: not over a sensed stretch that ran
        {"id": "inc-00005", "family": "smuggler", "sector": "S03", "simulated": False},
    ]
    (tmp_path / "truth_incursions.jsonl").write_text("".join(json.dumps(t) + "\n" for t in truth))
    counted = [SimpleNamespace(id=f"u{i}") for i in range(5)]
    apart = [SimpleNamespace(id="a0"), SimpleNamespace(id="a1")]
    targets = {
        "u0": "inc-00000",
        "u1": "inc-00001",
        "u2": "inc-00001",  # two units, one flight
        "u3": "inc-00002",
        "u4": "inc-00005",  # counted by a neighbour that ran
        "a0": "inc-00003",
        "a1": "inc-00000",  # set apart once, counted once: counted
    }
    fams = b.by_family(tmp_path, counted, apart, targets)
    assert fams["smuggler"] == {
        "truth": 3,
        "sensed": 2,
        "counted_sensed": 1,
        "counted_unsensed": 1,
        "set_apart": 0,
    }
    assert fams["watcher"] == {
        "truth": 3,
        "sensed": 2,
        "counted_sensed": 1,
        "counted_unsensed": 1,
        "set_apart": 1,
    }
