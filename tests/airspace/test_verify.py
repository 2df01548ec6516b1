"""Verify before disruption: the life of a verification and what a pause rests on.

Hand-written trajectories (conftest) through the full analyzer with the shipped policy:
evidence.min_p_drone 0.9, two kinds or persistence for three verification deadlines
(180 s), verify deadline 1 min renewed at most twice.
"""

from __future__ import annotations

import pytest

from skywarden.model import Action


def of(out: dict, action: Action) -> list:
    return [r for r in out["recommendations"] if r.action == action]


def hold_in_22(fx, seconds: float, **kw) -> list:
    x, y, alt = fx.runway_point("22", 1.5 * 1852, 300 * 0.3048)
    return fx.leg("D", [(0, x, y, alt), (seconds, x + 20, y, alt)], **kw)


def test_uncorroborated_drone_gets_a_one_minute_verify_and_the_tower_is_told(analyzer, fx, run):
    out = run(analyzer, hold_in_22(fx, 20, p_drone=0.95), idle_s=60)
    (v, lifted) = of(out, Action.VERIFY)
    assert (v.status, v.airport, v.t_issued) == ("active", "KELP", fx.T0)
    assert v.t_expires - v.t_issued == 60.0
    assert v.reasons[0].startswith("verify drone D at KELP: cue a camera or an observer")
    assert any("arrival corridor of 22" in r for r in v.reasons)
    assert v.confidence == pytest.approx(0.95)
    assert v.evidence == ()
    assert not of(out, Action.PAUSE_ARRIVALS)
    # The cause went after 20 s: lifted 30 s later (lift_after_absent_min 0.5).
    assert lifted.status == "lifted" and lifted.t_issued - fx.T0 == pytest.approx(50.0)
    assert any("notify KELP" in r.reasons for r in of(out, Action.NOTIFY))


def test_persistence_escalates_the_verify_into_the_pause_at_the_last_deadline(analyzer, fx, run):
    assert analyzer.policy.evidence.persistence_s == 180.0
    out = run(analyzer, hold_in_22(fx, 300, p_drone=0.95))
    verify = of(out, Action.VERIFY)
    assert [(r.status, r.t_issued - fx.T0) for r in verify] == [
        ("active", 0.0),
        ("renewed", 60.0),
        ("renewed", 120.0),
        ("escalated", 180.0),
    ]
    pause = of(out, Action.PAUSE_ARRIVALS)[0]
    assert pause.t_issued - fx.T0 == 180.0
    assert pause.evidence == ("persistence",)
    assert any("verified by persistence (180 s)" in r for r in pause.reasons)


def test_corroboration_mid_verify_escalates_at_once(analyzer, fx, run):
    plain = hold_in_22(fx, 20, p_drone=0.95)
    seen = hold_in_22(fx, 120, p_drone=0.95, corroboration=("radar_class", "rf_geometry"))
    track = plain + [u for u in seen if u.t > plain[-1].t]
    out = run(analyzer, track)
    verify = of(out, Action.VERIFY)
    assert [r.status for r in verify] == ["active", "escalated"]
    pause = of(out, Action.PAUSE_ARRIVALS)[0]
    assert pause.t_issued - fx.T0 == 21.0 == verify[1].t_issued - fx.T0
    assert pause.evidence == ("radar_class", "rf_geometry")
    assert pause.confidence == pytest.approx(0.95)
    line = next(r for r in pause.reasons if r.startswith("drone 0.95;"))
    assert "radar classifier + RF bearings fit" in line


def test_still_uncorroborated_verify_renews_twice_then_drops_and_stays_dropped(analyzer, fx, run):
    # Drone 0.8: a subject (>= 0.7) but never at the 0.9 a pause needs, for 10 minutes.
    out = run(analyzer, hold_in_22(fx, 600, p_drone=0.8))
    verify = of(out, Action.VERIFY)
    assert [(r.status, r.t_issued - fx.T0) for r in verify] == [
        ("active", 0.0),
        ("renewed", 60.0),
        ("renewed", 120.0),
        ("expired", 180.0),
    ]
    assert verify[-1].reasons[0].startswith("dropped: not corroborated after 3 deadlines")
    assert len({r.id.split("/")[0] for r in verify}) == 1  # one measure, never re-issued
    assert not of(out, Action.PAUSE_ARRIVALS)
    assert of(out, Action.NOTIFY)  # the tower stays notified


def test_a_track_that_may_be_clutter_never_pauses(analyzer, fx, run):
    out = run(
        analyzer,
        hold_in_22(fx, 300, p_drone=0.95, corroboration=("radar_class", "visual"), p_exist=0.5),
    )
    assert not of(out, Action.PAUSE_ARRIVALS)
    assert of(out, Action.VERIFY)


def test_every_recommendation_states_confidence(analyzer, fx, run):
    out = run(analyzer, hold_in_22(fx, 120, p_drone=0.93, corroboration=("radar_class",), rid=True))
    assert out["recommendations"]
    for r in out["recommendations"]:
        assert r.confidence == pytest.approx(0.93), r
        assert r.evidence == ("radar_class", "remote_id"), r
        assert r.to_dict()["evidence"] == ["radar_class", "remote_id"]
