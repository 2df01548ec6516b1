"""Loiter, drop signature, group and closing detectors on hand-written tracks."""

from __future__ import annotations

import numpy as np
import pytest

from skywarden.airspace.closing import cpa_to_segments


def kinds(out, kind):
    return [e for e in out["events"] if e.kind == kind]


def test_loiter_after_two_minutes_within_150_m(analyzer, fx, run):
    x, y = 15_000.0, 15_000.0  # open desert north-east of KBIF's corridors
    wander = [
        (t, x + 60 * np.cos(t / 20), y + 60 * np.sin(t / 20), 1300.0) for t in range(0, 200, 5)
    ]
    out = run(analyzer, fx.leg("L", wander))
    (lo,) = kinds(out, "loiter")
    assert lo.t - fx.T0 == pytest.approx(120.0, abs=1.0)
    assert lo.attrs["radius_m"] == 150.0


def test_transit_is_not_a_loiter(analyzer, fx, run):
    out = run(analyzer, fx.leg("X", [(0, 15_000, 15_000, 1300), (200, 17_000, 15_000, 1300)]))
    assert kinds(out, "loiter") == []


def test_dip_drop_signature(analyzer, fx, run):
    x, y = 15_000.0, 15_000.0
    path = [
        (0, x, y, 1250),
        (30, x + 300, y, 1250),
        (45, x + 350, y, 1200),
        (60, x + 400, y, 1250),
        (90, x + 700, y, 1250),
    ]
    out = run(analyzer, fx.leg("D", path))
    (d,) = kinds(out, "drop")
    assert d.attrs["signature"] == "dip"
    assert d.t - fx.T0 == pytest.approx(45.0, abs=1.0)
    assert d.alt_m == pytest.approx(1200.0, abs=1.0)


def test_hover_then_leave_drop_signature(analyzer, fx, run):
    x, y = 15_000.0, 15_000.0
    # Down to 15 m above the ground (the frame's 1200 m), held 30 s, then away.
    path = [(0, x, y, 1250), (20, x + 200, y, 1215), (50, x + 200, y, 1215), (80, x + 500, y, 1250)]
    out = run(analyzer, fx.leg("H", path))
    (d,) = kinds(out, "drop")
    assert d.attrs["signature"] == "hover"
    assert d.attrs["size"] >= 15.0


def test_a_drone_pausing_high_up_to_watch_is_not_a_drop(analyzer, fx, run):
    x, y = 15_000.0, 15_000.0
    path = [(0, x, y, 1320), (20, x + 200, y, 1320), (50, x + 200, y, 1320), (80, x + 500, y, 1320)]
    assert kinds(run(analyzer, fx.leg("W", path)), "drop") == []


def test_gentle_altitude_changes_are_not_drops(analyzer, fx, run):
    x, y = 15_000.0, 15_000.0
    path = [(0, x, y, 1250), (100, x + 800, y, 1230), (200, x + 1600, y, 1250)]
    assert kinds(run(analyzer, fx.leg("G", path)), "drop") == []


def test_three_drones_flying_together_form_a_group(analyzer, fx, run):
    x, y = 15_000.0, 15_000.0
    tracks = [
        fx.leg(f"G{i}", [(0, x + 80 * i, y, 1300), (60, x + 80 * i + 600, y, 1300)])
        for i in range(3)
    ]
    other = fx.leg("Z", [(0, x, y + 2000, 1300), (60, x + 600, y + 2000, 1300)])
    out = run(analyzer, *tracks, other)
    (g,) = kinds(out, "group")
    assert g.attrs["members"] == ["G0", "G1", "G2"]
    assert g.t - fx.T0 == pytest.approx(10.0, abs=1.0)
    (inc,) = [i for i in analyzer.incidents if "G0" in i.tracks and len(i.tracks) == 3]
    assert inc.events[0].kind == "group"


def test_two_drones_are_not_a_group(analyzer, fx, run):
    x, y = 15_000.0, 15_000.0
    tracks = [
        fx.leg(f"P{i}", [(0, x + 80 * i, y, 1300), (60, x + 80 * i + 600, y, 1300)])
        for i in range(2)
    ]
    assert kinds(run(analyzer, *tracks), "group") == []


def test_cpa_to_a_segment_matches_brute_force():
    rng = np.random.default_rng(11)
    x, y = rng.uniform(-3000, 3000, (2, 200))
    vx, vy = rng.uniform(-20, 20, (2, 200))
    seg = np.array([[0.0, 0.0, 2000.0, 500.0], [-1000.0, 1000.0, -1000.0, 3000.0]])
    d0, dmin, tmin = cpa_to_segments(x, y, vx, vy, seg, 120.0)
    taus = np.linspace(0, 120, 12001)
    for j, (ax, ay, bx, by) in enumerate(seg):
        px = x[:, None] + vx[:, None] * taus
        py = y[:, None] + vy[:, None] * taus
        dx, dy = bx - ax, by - ay
        u = np.clip(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy), 0, 1)
        d = np.hypot(px - ax - u * dx, py - ay - u * dy)
        # Exact minimum: never above the sampled one, below it by at most a sample step.
        assert np.all(dmin[:, j] <= d.min(axis=1) + 1e-6)
        assert np.all(d.min(axis=1) - dmin[:, j] <= 0.3)
        assert d0[:, j] == pytest.approx(d[:, 0])
        # ... and the reported time is when that distance is reached.
        qx, qy = x + vx * tmin[:, j], y + vy * tmin[:, j]
        u = np.clip(((qx - ax) * dx + (qy - ay) * dy) / (dx * dx + dy * dy), 0, 1)
        assert np.hypot(qx - ax - u * dx, qy - ay - u * dy) == pytest.approx(dmin[:, j])


def test_closing_on_the_approach_path_gives_time_and_distance(analyzer, fx, run):
    # 1.2 km to the side of the 22 approach path at 2 NM, flying at it at 10 m/s.
    x0, y0, alt = fx.runway_point("22", 2 * 1852, 60.0, lateral_m=1200.0)
    x1, y1, _ = fx.runway_point("22", 2 * 1852, 60.0, lateral_m=0.0)
    out = run(analyzer, fx.leg("C", [(0, x0, y0, alt), (120, x1, y1, alt)]))
    closing = [e for e in kinds(out, "closing") if e.attrs["path"] == "KELP approach 22"]
    assert len(closing) == 1
    c = closing[0]
    assert c.attrs["d_cpa_m"] <= 300.0
    # Reported as soon as the closest approach falls within 300 m and 90 s.
    assert c.attrs["t_cpa_s"] <= 90.0
    assert c.attrs["d_now_m"] > 300.0
