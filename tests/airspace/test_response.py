"""Measure lifecycle: issue, re-evaluate, renew, lift, expire - never open-ended."""

from __future__ import annotations

from skywarden.airspace import Cause, Responder, load_policy
from skywarden.model import Action

T = 1_770_778_800.0


def cause(action=Action.PAUSE_ARRIVALS, scope="KELP", runways=("22",)) -> Cause:
    return Cause(action, scope, runways, ("drone T1 in the arrival corridor of 22",), "I1", ("T1",))


def run(r: Responder, present_until_s: float, total_s: float) -> list:
    out = []
    for s in range(int(total_s) + 1):
        out += r.step(T + s, [cause()] if s <= present_until_s else [])
    return out


def test_issue_renew_every_5_min_then_lift_10_min_after_the_cause_went():
    recs = run(Responder(load_policy()), present_until_s=700, total_s=2000)
    assert [(r.status, r.t_issued - T) for r in recs] == [
        ("active", 0.0),
        ("renewed", 300.0),
        ("renewed", 600.0),
        ("renewed", 900.0),  # seen (until 700 s) since the look at 600 s
        ("lifted", 1300.0),  # 700 s last seen + 600 s
    ]
    assert len({r.id for r in recs}) == 5 and {r.id.split("/")[0] for r in recs} == {"M0001"}
    assert recs[-1].t_expires == recs[-1].t_issued  # a lifted version ends when lifted
    assert recs[-1].reasons[0] == "lifted: cause absent for 10 min"


def test_a_cause_seen_again_before_the_lift_keeps_the_same_measure():
    r = Responder(load_policy())
    recs = []
    for s in range(0, 2400):
        present = s < 100 or 400 <= s < 500  # gone for 5 min, back, gone
        recs += r.step(T + s, [cause()] if present else [])
    assert [x.status for x in recs] == ["active", "renewed", "renewed", "lifted"]
    assert recs[-1].t_issued - T == 499 + 600


def test_end_of_input_lifts_everything():
    r = Responder(load_policy())
    r.step(T, [cause(), cause(Action.NOTIFY, "border security", ())])
    recs = r.finish(T + 60)
    assert {x.status for x in recs} == {"lifted"}
    assert all(x.reasons[0] == "lifted: end of input" for x in recs)
    assert r.active == {}


def test_causes_for_the_same_measure_merge_reasons_and_tracks():
    r = Responder(load_policy())
    a = cause()
    b = Cause(Action.PAUSE_ARRIVALS, "KELP", ("22",), ("drone T2 closing on 22",), "I2", ("T2",))
    (rec,) = r.step(T, [a, b])
    assert rec.reasons[:2] == ("drone T1 in the arrival corridor of 22", "drone T2 closing on 22")
    assert rec.incident == "I1"


def verify(track: str = "T1") -> Cause:
    return Cause(
        Action.VERIFY,
        "KELP",
        (),
        ("drone T1 in the arrival corridor of 22",),
        "I1",
        (track,),
        subject=track,
        confidence=0.8,
    )


def test_verify_renews_at_most_max_renewals_then_drops_and_is_not_reissued():
    r = Responder(load_policy())
    recs = []
    for s in range(0, 600):
        recs += r.step(T + s, [verify()])
    assert [(x.status, x.t_issued - T) for x in recs] == [
        ("active", 0.0),
        ("renewed", 60.0),
        ("renewed", 120.0),
        ("expired", 180.0),
    ]
    assert all(x.t_expires - x.t_issued <= 60.0 for x in recs)
    # Gone for 30 s (lift_after_absent_min), back: a fresh verification may be issued.
    for s in range(600, 631):
        recs += r.step(T + s, [])
    again = r.step(T + 631, [verify()])
    assert [(x.status, x.id) for x in again] == [("active", "M0002/1")]


def test_verify_is_escalated_when_its_track_causes_a_pause_there():
    r = Responder(load_policy())
    r.step(T, [verify()])
    pause = Cause(Action.PAUSE_ARRIVALS, "KELP", ("22",), ("drone T1 ...",), "I1", ("T1",))
    out = r.step(T + 10, [pause])
    assert [(x.action, x.status) for x in out] == [
        (Action.VERIFY, "escalated"),
        (Action.PAUSE_ARRIVALS, "active"),
    ]
    assert out[0].t_expires == T + 10
    assert out[0].reasons[0].startswith("escalated")
    assert out[1].confidence is None  # a cause that states none passes none on


def test_a_measure_renewed_after_its_incident_was_resolved_names_the_new_incident():
    r = Responder(load_policy())
    later = Cause(Action.PAUSE_ARRIVALS, "KELP", ("22",), ("drone T1 again",), "I2", ("T1",))
    recs = r.step(T, [cause()])
    r.incident_resolved("I1")
    for s in range(1, 301):
        recs += r.step(T + s, [later])
    assert [(x.status, x.incident) for x in recs] == [("active", "I1"), ("renewed", "I2")]


def test_resolving_another_incident_leaves_a_measure_alone():
    r = Responder(load_policy())
    later = Cause(Action.PAUSE_ARRIVALS, "KELP", ("22",), ("drone T1 again",), "I2", ("T1",))
    recs = r.step(T, [cause()])
    r.incident_resolved("I9")
    for s in range(1, 301):
        recs += r.step(T + s, [later])
    assert [x.incident for x in recs] == ["I1", "I1"]
