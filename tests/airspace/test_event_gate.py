"""Crossings and zone entries are observed on every track that is not manned, and reported
once the track is confident, at the time and place they happened.

Tracks here are hand-written fixtures (conftest ``leg``) whose class probabilities we set
per second: a smuggler that crosses before its tracker has classed it drone, a bird whose
drone probability flickers, a drone with Remote ID.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from skywarden.airspace.event_gate import EventGateConfig
from skywarden.model import TrackUpdate


def classed(ups: list[TrackUpdate], p_drone: object, p_bird: float = 0.0) -> list[TrackUpdate]:
    """The same track with drone probability ``p_drone(i)`` at its i-th second."""
    out = []
    for i, u in enumerate(ups):
        p = float(p_drone(i)) if callable(p_drone) else float(p_drone)  # type: ignore[arg-type]
        probs = {"drone": p, "manned": 0.0, "bird": p_bird, "unknown": 1.0 - p - p_bird}
        out.append(dataclasses.replace(u, class_probs=probs))
    return out


def across_border(analyzer, fx, seconds: int = 200) -> tuple[list[TrackUpdate], np.ndarray]:
    """A northbound leg at 10 m/s across the El Paso border, crossing at t = 50 s."""
    seg = analyzer.border.segments[len(analyzer.border.segments) // 2]
    mid = seg.mean(axis=0)
    d = (seg[1] - seg[0]) / np.hypot(*(seg[1] - seg[0]))
    north = np.array([-d[1], d[0]])  # the US is on the left of the line
    a = mid - north * 500.0
    b = a + north * 10.0 * seconds
    leg = fx.leg("T-smuggler", [(0, a[0], a[1], 1300.0), (seconds, b[0], b[1], 1300.0)])
    return leg, mid


def crossings(out: dict) -> list:
    return [e for e in out["events"] if e.kind == "border_crossing"]


def test_a_crossing_made_before_the_track_is_classed_drone_is_reported_at_its_true_time(
    analyzer, fx, run
):
    leg, mid = across_border(analyzer, fx)
    # Unknown (0.4) for its first 70 s, crossing at 50 s; then classed drone at 0.95.
    out = run(analyzer, classed(leg, lambda i: 0.4 if i < 70 else 0.95))
    (ev,) = crossings(out)
    assert ev.attrs["direction"] == "northbound"
    assert ev.t == pytest.approx(fx.T0 + 50.0, abs=1.0)
    x, y, _ = fx.FRAME.to_enu(ev.lat, ev.lon, ev.alt_m)
    assert np.hypot(x - mid[0], y - mid[1]) < 15.0
    # Reported once confident: classed drone at 70 s, plus the 30 s dwell.
    assert ev.attrs["reported_after_s"] == pytest.approx(100.0 - 50.0, abs=2.0)


def test_a_drone_track_confident_at_once_is_reported_within_the_dwell(analyzer, fx, run):
    leg, _ = across_border(analyzer, fx)
    (ev,) = crossings(run(analyzer, classed(leg, 0.95)))
    assert ev.t == pytest.approx(fx.T0 + 50.0, abs=1.0)
    # Confident since 0 s: reported when the track is 40 m beyond the line (hysteresis).
    assert ev.attrs.get("reported_after_s", 0.0) <= 6.0


def test_a_flickering_bird_like_track_reports_no_crossing(analyzer, fx, run):
    leg, _ = across_border(analyzer, fx)
    # Drone 0.85 for 20 s, 0.5 for 10 s, over and over: a subject, never confident.
    out = run(analyzer, classed(leg, lambda i: 0.85 if i % 30 < 20 else 0.5))
    assert crossings(out) == []


def test_a_crossing_older_than_the_lookback_is_dropped(analyzer, fx, run):
    leg, _ = across_border(analyzer, fx, seconds=500)
    cfg = EventGateConfig()
    late = int(50 + cfg.lookback_s + 20)  # confident only after the look-back has passed
    out = run(analyzer, classed(leg, lambda i: 0.4 if i < late - cfg.dwell_s else 0.95))
    assert crossings(out) == []


def test_remote_id_is_reported_without_the_dwell(analyzer, fx, run):
    leg, _ = across_border(analyzer, fx)
    leg = [dataclasses.replace(u, identities=("rid:1581F5FKD229400DRONE",)) for u in leg]
    # Classed drone only from 45 s: without Remote ID it would wait until 75 s.
    (ev,) = crossings(run(analyzer, classed(leg, lambda i: 0.4 if i < 45 else 0.95)))
    assert ev.attrs.get("reported_after_s", 0.0) <= 6.0


def test_a_manned_track_is_not_watched(analyzer, fx, run):
    leg, _ = across_border(analyzer, fx)
    probs = {"drone": 0.0, "manned": 0.95, "bird": 0.0, "unknown": 0.05}
    out = run(analyzer, [dataclasses.replace(u, class_probs=probs) for u in leg])
    assert crossings(out) == []


def _zone_leg(analyzer, fx, zone_id: str, seconds: int) -> tuple[list[TrackUpdate], float]:
    """A leg at 10 m/s from 3 km west of ``zone_id`` into it, and its first second inside."""
    k = analyzer.zindex.ids.index(zone_id)
    zone = analyzer.zindex.zones[k]
    lon, lat = np.array(zone.polygon).T
    x, y, _ = fx.FRAME.to_enu(lat, lon, np.zeros(len(lat)))
    cy, x0 = float(np.mean(y)), float(np.min(x)) - 3000.0
    alt = zone.floor_m + 30.0
    leg = fx.leg("T-visitor", [(0, x0, cy, alt), (seconds, x0 + 10.0 * seconds, cy, alt)])
    xs = x0 + 10.0 * np.arange(len(leg))
    pi, zi = analyzer.zindex.memberships(xs, np.full(len(xs), cy), np.full(len(xs), alt))
    return leg, float(pi[zi == k].min())


def test_a_track_already_inside_a_zone_when_confident_has_its_true_entry(analyzer, fx, run):
    leg, t_in = _zone_leg(analyzer, fx, "KELP-SFC", 600)
    late = t_in + 60.0  # classed drone a minute after it entered
    out = run(analyzer, classed(leg, lambda i: 0.4 if i < late else 0.95))
    entries = [e for e in out["events"] if e.kind == "zone_entry" and e.attrs["zone"] == "KELP-SFC"]
    (ev,) = entries
    assert ev.t == pytest.approx(fx.T0 + t_in, abs=1.0)
    assert ev.attrs["reported_after_s"] == pytest.approx(60.0 + 30.0, abs=2.0)


def _in_and_out(analyzer, fx, run, confident_after: float) -> tuple[list, float, float]:
    """A visit of 20 s inside KELP-SFC; the track is classed drone ``confident_after`` s
    after it turned back. Returns the KELP-SFC events, the entry time and the turn time."""
    probe, t_in = _zone_leg(analyzer, fx, "KELP-SFC", 600)
    a = fx.FRAME.to_enu(probe[0].lat, probe[0].lon, probe[0].alt_m)
    alt = probe[0].alt_m
    turn = t_in + 20.0  # 20 s inside, then back out the way it came
    b = (a[0] + 10.0 * turn, a[1])
    end = max(2 * turn, turn + confident_after + 60.0)
    leg = fx.leg(
        "T-visitor",
        [
            (0, a[0], a[1], alt),
            (turn, *b, alt),
            (2 * turn, a[0], a[1], alt),
            (end, a[0], a[1], alt),
        ],
    )
    out = run(analyzer, classed(leg, lambda i: 0.4 if i < turn + confident_after else 0.95))
    return [e for e in out["events"] if e.attrs.get("zone") == "KELP-SFC"], t_in, turn


def test_a_visit_made_before_confident_is_reported_whole_within_the_lookback(analyzer, fx, run):
    events, t_in, turn = _in_and_out(analyzer, fx, run, confident_after=60.0)
    assert [e.kind for e in events] == ["zone_entry", "zone_exit"]
    assert events[0].t == pytest.approx(fx.T0 + t_in, abs=1.0)
    # Out again 20 s after the turn, plus the 50 m margin of the zone at 10 m/s.
    assert events[1].t == pytest.approx(fx.T0 + turn + 20.0 + 5.0, abs=2.0)


def test_a_visit_older_than_the_lookback_is_not_reported(analyzer, fx, run):
    events, _, _ = _in_and_out(analyzer, fx, run, confident_after=EventGateConfig().lookback_s)
    assert events == []


def test_config_rejects_what_cannot_be_a_probability_or_a_duration():
    with pytest.raises(ValueError, match="min_p_drone"):
        EventGateConfig(min_p_drone=1.5)
    with pytest.raises(ValueError, match="dwell_s"):
        EventGateConfig(dwell_s=float("nan"))
