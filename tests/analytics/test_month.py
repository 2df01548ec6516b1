"""A month directory as the month simulation writes it (docs/month.md of that branch):
border.json with sensed and unsensed stretches, sector runs with window weights and
compressed tracks. Constructed here so each figure's right answer is known."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from analytics_build import LAT_BORDER, ORIGIN, T0, crossing, track_lines, write_run

from skywarden.analytics import compute_stats, count_incursions

KM_AT_107W = 1067.47  # the shipped line's geodesic km from its Pacific end at 107 W
QUIET_WEIGHT = 50.0


def _pts(t0: float, east: float) -> list[tuple[float, float, float]]:
    return [(t0 - 100.0 + k, east, -1000.0 + 10.0 * k) for k in range(201)]


def _month(tmp_path: Path, extra: tuple[float, float] | None = None) -> Path:
    month = tmp_path / "month"
    radar = {
        "id": "radar-A-1",
        "kind": "radar",
        "site": {"lat": LAT_BORDER + 0.005, "lon": ORIGIN["lon"], "alt_m": 1225.0},
        "range_max_m": 15000,
        "range_50_m": 1e6,
        "pd_max": 0.95,
    }
    a0 = KM_AT_107W - 10.0
    sectors = [
        {
            "id": "A",
            "stretch_km": [a0, a0 + 20.0],
            "origin": {"lat": ORIGIN["lat"], "lon": ORIGIN["lon"]},
            "extent_m": 15000.0,
            "ground_alt_m": 1200.0,
            "sensed": True,
            "rate_weight_per_km": 1.0,
            "sensors": [radar],
            "run_dir": "sectors/A",
        },
        {
            "id": "B",
            "stretch_km": [a0 + 20.0, a0 + 40.0],
            "sensed": False,
            "rate_weight_per_km": 1.0,
            "sensors": [],
            "run_dir": None,
        },
        {
            "id": "C",
            "stretch_km": [a0 + 40.0, a0 + 60.0],
            "sensed": True,
            "rate_weight_per_km": 1.0,
            "sensors": [],
            "run_dir": None,
        },
    ]
    (month / "sectors").mkdir(parents=True)
    (month / "border.json").write_text(
        json.dumps(
            {
                "schema": "skywarden.month/1",
                "start_t": T0,
                "end_t": T0 + 86400.0,
                "sectors": sectors,
            }
        )
    )
    crossings = [
        (T0 + 1000.0, -6000.0),
        (T0 + 2000.0, 0.0),
        (T0 + 3000.0, 6000.0),
        (T0 + 50_000.0, 2000.0),
    ]  # the last in a quiet sample
    crossings += [extra] if extra else []
    events, tracks = [], []
    for k, (t, east) in enumerate(crossings):
        tid = f"TA-{k + 1:06d}"
        events.append(crossing(tid, t, east))
        tracks += track_lines(tid, _pts(t, east), ("radar-A-1",))
    run = write_run(month / "sectors" / "A", events, [], name="A")
    (run / "tracks.jsonl").unlink()
    with gzip.open(run / "tracks.jsonl.gz", "wt") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in sorted(tracks, key=lambda r: r["t"]))
    windows = [
        {"start_t": T0 + 500.0, "end_t": T0 + 3500.0, "kind": "incursion", "weight": 1.0},
        {"start_t": T0 + 49_700.0, "end_t": T0 + 50_200.0, "kind": "quiet", "weight": QUIET_WEIGHT},
    ]
    (run / "windows.json").write_text(json.dumps({"sector": "A", "windows": windows}))
    return month


def test_a_month_counts_with_window_weights_and_reads_compressed_tracks(tmp_path: Path) -> None:
    month = _month(tmp_path)
    stats = compute_stats(month)
    assert stats.kind == "month"
    assert stats.count("incursion") == 3 + QUIET_WEIGHT
    assert next(c for c in stats.counts if c.rule == "incursion").units == 4
    assert stats.count("alert") == 3 + QUIET_WEIGHT  # one radar: one alert per crossing
    assert stats.breakdown.by_sector == {"A": 3 + QUIET_WEIGHT}
    assert any("C" in n and "no run" in n for n in stats.notes)
    tracks = count_incursions(month, "track")
    assert {t.tracks[0] for t in tracks} == {f"A/TA-{k:06d}" for k in range(1, 5)}


def test_an_unsensed_stretch_is_estimated_at_the_watched_rate(tmp_path: Path) -> None:
    cov = compute_stats(_month(tmp_path)).coverage
    assert cov is not None
    assert cov.border_km == pytest.approx(40.0, abs=0.5)  # A and B; C has no run
    assert cov.counted == 3 + QUIET_WEIGHT
    radar = next(s for s in cov.sets if s.name == "radar")
    assert radar.share == pytest.approx(0.5, abs=0.03)  # A watched, B blind
    # B is as long as A and has the same rate weight: as many again as A (p ~ 1 there).
    assert cov.estimated == pytest.approx(2 * (3 + QUIET_WEIGHT), rel=0.05)
    assert cov.low < cov.estimated < cov.high
    blind = [s for s in cov.segments if s.sector == "B"]
    assert blind and all(s.p_detect == 0.0 and s.counted == 0 for s in blind)


def test_a_crossing_is_attributed_to_the_sector_owning_that_stretch(tmp_path: Path) -> None:
    # Sector A's tracker sees a drone cross 12 km east of 107 W: B's stretch of border.
    month = _month(tmp_path, extra=(T0 + 3200.0, 12_000.0))
    units = count_incursions(month, "incursion")
    assert sorted(u.sector for u in units) == ["A", "A", "A", "A", "B"]
    assert compute_stats(month).breakdown.by_sector == {"A": 3 + QUIET_WEIGHT, "B": 1}
