"""The hand-over protocol message by message, on synthetic track updates: offer, accept,
release, claim; duplicates, reordering, expiry, competing candidates, bad input."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import pickle
import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from skywarden.bus.memory import InProcessBus
from skywarden.cluster.handover import HandoverAgent, HandoverConfig, HandoverStep
from skywarden.cluster.handover_evidence import TrackerEvidence
from skywarden.cluster.handover_hook import HandoverHooks
from skywarden.cluster.handover_link import HandoverLink
from skywarden.cluster.handover_messages import (
    OFFER,
    RELEASE,
    HandoverError,
    HandoverMessage,
    topic_for,
)
from skywarden.cluster.overlap import SectorArea, SectorLayout
from skywarden.geo import LocalFrame
from skywarden.model import (
    Action,
    Event,
    Incident,
    Recommendation,
    TrackStatus,
    TrackUpdate,
)
from skywarden.tracking.tracker import Tracker

LAT0, LON0, W = 31.3272, -110.6, 0.085
FRAME = LocalFrame(LAT0, LON0 + W, 0.0)  # origin on the w/e core boundary
T0 = 1.8e9
#: These tests go message by message, with tracks that jump where the test needs them:
#: a match on one scan, and no declining. The defaults (5 scans each) are tested in
#: test_a_match_needs_several_scans_and_a_shadow_that_drifts_declines and the border
#: scenarios.
ONE_SCAN = HandoverConfig(match_scans=1, decline_scans=30)


def layout() -> SectorLayout:
    def ring(i: int) -> list[tuple[float, float]]:
        lo, hi = LON0 + i * W, LON0 + (i + 1) * W
        return [(lo, 31.2), (hi, 31.2), (hi, 31.46), (lo, 31.46)]

    return SectorLayout(
        [SectorArea.from_lonlat("w", ring(0)), SectorArea.from_lonlat("e", ring(1))]
    )


def upd(track: str, x: float, t: float, y: float = 300.0, sd: float = 30.0) -> TrackUpdate:
    """A drone at ``x`` m east of the core boundary at T0 + ``t``, flying east at 20 m/s."""
    lat, lon, alt = FRAME.to_geodetic(x, y, 120.0)
    cov = tuple(
        tuple((sd**2 if i < 3 else 4.0) if i == j else 0.0 for j in range(6)) for i in range(6)
    )
    probs = {"drone": 0.9, "manned": 0.02, "bird": 0.04, "unknown": 0.04}
    return TrackUpdate(
        T0 + t, track, TrackStatus.CONFIRMED, float(lat), float(lon), float(alt),
        (20.0, 0.0, 0.0), (), cov, probs, identities=("rid:1581F5FJD22A0000001",),
    )  # fmt: skip


def deliver(step: HandoverStep, *agents: HandoverAgent) -> None:
    by = {a.sector: a for a in agents}
    for m in step.messages:
        by[m.to].on_message(json.loads(json.dumps(m.to_dict())))


@pytest.fixture
def pair() -> tuple[HandoverAgent, HandoverAgent]:
    lay = layout()
    return HandoverAgent("w", lay, config=ONE_SCAN), HandoverAgent("e", lay, config=ONE_SCAN)


def test_offer_accept_release_passes_the_track_and_its_id(
    pair: tuple[HandoverAgent, HandoverAgent],
) -> None:
    w, e = pair
    s = w.on_updates(T0, [upd("T000001", -5000, 0)])
    assert [u.track for u in s.updates] == ["w:T000001"] and not s.messages  # deep: no offer
    s = w.on_updates(T0 + 1, [upd("T000001", -1500, 1)])
    assert [m.kind for m in s.messages] == [OFFER]  # inside e's margin
    offer = s.messages[0]
    assert offer.identities == ("rid:1581F5FJD22A0000001",) and offer.cov is not None
    deliver(s, e)
    se = e.on_updates(T0 + 1, [upd("T000007", -1490, 1)])
    assert se.updates == []  # a shadow: tracked, not reported
    assert [u.track for u in se.analysis] == ["w:T000001"]  # but analysed under the id
    assert [m.kind for m in se.messages] == ["accept"]
    deliver(se, w)
    s = w.on_updates(T0 + 2, [upd("T000001", 200, 2)])  # within w's hysteresis: keeps it
    assert [u.track for u in s.updates] == ["w:T000001"]
    assert "release" not in [m.kind for m in s.messages]
    s = w.on_updates(T0 + 3, [upd("T000001", 400, 3)])
    assert [u.track for u in s.updates] == ["w:T000001"]  # the owner reports its release scan
    assert RELEASE in [m.kind for m in s.messages]
    deliver(s, e)
    assert e.on_updates(T0 + 3, [upd("T000007", 400, 3)]).updates == []  # same scan: not yet
    se = e.on_updates(T0 + 4, [upd("T000007", 420, 4)])
    assert [u.track for u in se.updates] == ["w:T000001"]
    assert w.on_updates(T0 + 4, [upd("T000001", 420, 4)]).updates == []
    # The old owner's track ends without an ENDED: it was handed over, not lost.
    gone = dataclasses.replace(upd("T000001", 2100, 90), status=TrackStatus.ENDED)
    ended = w.on_updates(T0 + 90, [gone])
    assert ended.updates == [] and w.ids.get("T000001") is None
    assert e.tracks["T000007"].history["path"] == ["w", "e"]


def test_duplicate_and_out_of_order_messages_are_idempotent(
    pair: tuple[HandoverAgent, HandoverAgent],
) -> None:
    w, e = pair
    w.on_updates(T0, [upd("T000001", -5000, 0)])
    offers = [w.on_updates(T0 + k, [upd("T000001", -1500 + 20 * k, k)]) for k in (1, 2, 3)]
    m1, m2, m3 = (s.messages[0].to_dict() for s in offers)
    assert m1["offer_id"] == m2["offer_id"] == m3["offer_id"] and m1["seq"] < m3["seq"]
    e.on_message(m3)
    e.on_message(m3)  # delivered twice
    e.on_message(m1)  # an older version, late
    assert e.stats.duplicates == 1 and e.stats.stale == 1
    assert e.inbox[m3["offer_id"]].seq == m3["seq"]


def test_a_release_arriving_before_its_offer_still_hands_over(
    pair: tuple[HandoverAgent, HandoverAgent],
) -> None:
    w, e = pair
    w.on_updates(T0, [upd("T000001", -5000, 0)])
    s1 = w.on_updates(T0 + 1, [upd("T000001", -1500, 1)])
    e.on_message(s1.messages[0])
    deliver(e.on_updates(T0 + 1, [upd("T000007", -1500, 1)]), w)
    s2 = w.on_updates(T0 + 2, [upd("T000001", 400, 2)])
    release = next(m for m in s2.messages if m.kind == RELEASE)
    offer = next(m for m in s2.messages if m.kind == OFFER)
    e.on_message(release)
    e.on_message(offer)  # the offer of the same scan, overtaken by the release
    assert e.inbox[release.offer_id].kind == RELEASE
    assert [u.track for u in e.on_updates(T0 + 3, [upd("T000007", 420, 3)]).updates] == [
        "w:T000001"
    ]


def test_an_offer_that_matches_nothing_expires(pair: tuple[HandoverAgent, HandoverAgent]) -> None:
    w, e = pair
    w.on_updates(T0, [upd("T000001", -5000, 0)])
    deliver(w.on_updates(T0 + 1, [upd("T000001", -1500, 1)]), e)
    e.on_updates(T0 + 2, [])
    assert e.stats.expired == 0 and len(e.inbox) == 1
    e.on_updates(T0 + 1 + e.config.offer_ttl_s + 0.5, [])
    assert e.stats.expired == 1 and not e.inbox
    # A late copy of the expired offer is not revived.
    e.on_message(
        w.on_updates(T0 + 2, [upd("T000001", -1480, 2)]).messages[0].to_dict()
        | {"seq": 99, "offer_id": next(iter(e.closed))}
    )
    assert not e.inbox and e.stats.stale == 1


def test_the_best_of_two_candidates_adopts_and_an_owned_track_is_never_stolen(
    pair: tuple[HandoverAgent, HandoverAgent],
) -> None:
    w, e = pair
    w.on_updates(T0, [upd("T000001", -5000, 0)])
    deliver(w.on_updates(T0 + 1, [upd("T000001", -1500, 1)]), e)
    # 120 m off with 30 m sigmas is inside the gate but too close a rival: wait.
    e.on_updates(T0 + 1, [upd("T000003", -1500, 1, y=420), upd("T000004", -1480, 1)])
    assert e.ids.get("T000004") is None and e.stats.ambiguous == 1
    # 180 m off (squared distance about 18, in the gate of 27.9): the closer one wins.
    deliver(w.on_updates(T0 + 2, [upd("T000001", -1480, 2)]), e)
    se = e.on_updates(T0 + 2, [upd("T000003", -1480, 2, y=480), upd("T000004", -1460, 2)])
    assert e._distance2(e.inbox[se.messages[0].offer_id], upd("T000003", -1480, 2, y=480)) < (
        e.config.gate
    )
    assert e.ids.get("T000004") == "w:T000001" and e.ids.get("T000003") is None
    assert e.tracks["T000003"].role == "provisional"
    assert len(se.messages) == 1
    # A track e already reports under its own id is not a candidate for any offer.
    lay = layout()
    w2, e2 = HandoverAgent("w", lay, config=ONE_SCAN), HandoverAgent("e", lay, config=ONE_SCAN)
    e2.on_updates(T0, [upd("T000002", 5000, 0)])  # born deep in e: e's own
    e2.tracks["T000002"].role = "own"
    w2.on_updates(T0, [upd("T000001", -5000, 0)])
    deliver(w2.on_updates(T0 + 1, [upd("T000001", -1500, 1)]), e2)
    e2.on_updates(T0 + 1, [upd("T000002", -1500, 1)])
    assert e2.ids.get("T000002") == "e:T000002" and e2.stats.adopted == 0


def test_two_offers_and_two_tracks_pair_one_to_one_by_total_distance(
    pair: tuple[HandoverAgent, HandoverAgent],
) -> None:
    w, e = pair
    w.on_updates(T0, [upd("T000001", -5000, 0, y=200), upd("T000002", -5000, 0, y=380)])
    deliver(
        w.on_updates(T0 + 1, [upd("T000001", -1500, 1, y=200), upd("T000002", -1500, 1, y=380)]),
        e,
    )
    # e's tracks listed in the other order, each 20 m off its true partner.
    e.on_updates(T0 + 1, [upd("T000009", -1500, 1, y=365), upd("T000008", -1500, 1, y=215)])
    assert e.ids.get("T000008") == "w:T000001" and e.ids.get("T000009") == "w:T000002"


def test_the_gate_is_statistical_not_a_distance(pair: tuple[HandoverAgent, HandoverAgent]) -> None:
    w, e = pair
    w.on_updates(T0, [upd("T000001", -5000, 0, sd=30)])
    offer = w.on_updates(T0 + 1, [upd("T000001", -1500, 1, sd=30)]).messages[0]
    far = upd("T000007", -1500, 1, y=600, sd=30)  # 300 m off
    assert e._distance2(offer, far) > e.config.gate  # 300 m with 30 m sigmas: no
    vague = upd("T000007", -1500, 1, y=600, sd=400)
    assert e._distance2(offer, vague) < e.config.gate  # with a 400 m sigma: plausible
    assert e.config.gate == pytest.approx(27.86, abs=0.01)  # chi2(6) at 0.9999


def test_a_silent_owner_is_claimed_and_stops_reporting_when_it_comes_back(
    pair: tuple[HandoverAgent, HandoverAgent],
) -> None:
    w, e = pair
    w.on_updates(T0, [upd("T000001", -5000, 0)])
    deliver(w.on_updates(T0 + 1, [upd("T000001", -1500, 1)]), e)
    deliver(e.on_updates(T0 + 1, [upd("T000007", -1500, 1)]), w)
    # w's worker dies. e waits while the track is outside its core...
    assert e.on_updates(T0 + 20, [upd("T000007", -200, 20)]).updates == []
    # ...and claims it once it is in e's core and w has been silent long enough.
    s = e.on_updates(T0 + 30, [upd("T000007", 100, 30)])
    assert [u.track for u in s.updates] == ["w:T000001"] and e.stats.claimed == 1
    # w comes back, resumed from a snapshot taken before the claim, which it missed:
    # it still owns the track and offers it again; e answers with the claim again.
    w = HandoverAgent.from_snapshot(w.to_snapshot(), layout(), config=ONE_SCAN)
    again = w.on_updates(T0 + 31, [upd("T000001", 120, 31)])
    assert [u.track for u in again.updates] == ["w:T000001"]  # two owners, for now
    deliver(again, e)
    s = e.on_updates(T0 + 31, [upd("T000007", 120, 31)])
    assert "claim" in [m.kind for m in s.messages]  # two owners: "e" < "w" keeps it
    deliver(s, w)
    assert w.on_updates(T0 + 32, [upd("T000001", 140, 32)]).updates == []
    assert [u.track for u in e.on_updates(T0 + 32, [upd("T000007", 140, 32)]).updates] == [
        "w:T000001"
    ]


def test_events_are_reported_by_the_sector_authoritative_when_they_were_observed(
    pair: tuple[HandoverAgent, HandoverAgent],
) -> None:
    w, e = pair
    w.on_updates(T0, [upd("T000001", -5000, 0)])
    deliver(w.on_updates(T0 + 1, [upd("T000001", -1500, 1)]), e)
    deliver(e.on_updates(T0 + 1, [upd("T000007", -1500, 1)]), w)
    g = "w:T000001"

    def crossing(t: float) -> Event:
        return Event("border_crossing", T0 + t, g, 31.33, -110.51, 1300.0, {"direction": "n"})

    # e's analyzer confirms a crossing observed at +2 before any release: held.
    assert e.filter_events([crossing(2)]) == []
    assert len(e.pending) == 1
    s = w.on_updates(T0 + 3, [upd("T000001", 400, 3)])  # release; switch time T0 + 3
    deliver(s, e)
    e.on_updates(T0 + 4, [upd("T000007", 420, 4)])
    assert e.filter_events([crossing(3.5)]) == [crossing(3.5)]  # observed after: e's
    assert e.pending == [] and e.stats.events_elsewhere == 1  # the +2 one was w's
    assert w.filter_events([crossing(2), crossing(3.5)]) == [crossing(2)]


def test_resuming_from_a_snapshot_mid_handover_completes_it(
    pair: tuple[HandoverAgent, HandoverAgent],
) -> None:
    w, e = pair
    w.on_updates(T0, [upd("T000001", -5000, 0)])
    deliver(w.on_updates(T0 + 1, [upd("T000001", -1500, 1)]), e)
    deliver(e.on_updates(T0 + 1, [upd("T000007", -1500, 1)]), w)
    w2 = HandoverAgent.from_snapshot(
        json.loads(json.dumps(w.to_snapshot())), layout(), config=ONE_SCAN
    )
    e2 = HandoverAgent.from_snapshot(
        json.loads(json.dumps(e.to_snapshot())), layout(), config=ONE_SCAN
    )
    s = w2.on_updates(T0 + 3, [upd("T000001", 400, 3)])
    assert RELEASE in [m.kind for m in s.messages]  # the accept survived w's restart
    deliver(s, e2)
    assert [u.track for u in e2.on_updates(T0 + 4, [upd("T000007", 420, 4)]).updates] == [
        "w:T000001"
    ]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"kind": "steal"}, "kind 'steal'"),
        ({"lat": float("nan")}, "lat"),
        ({"lat": 91.0}, "lat"),
        ({"seq": -1}, "seq"),
        ({"seq": True}, "seq"),
        ({"from": "a.b"}, "from"),
        ({"global_id": "nosector"}, "global track id"),
        ({"cov": [[1.0] * 6] * 5}, "6x6"),
        ({"velocity": [1.0, 2.0]}, "velocity"),
        ({"class_probs": {"drone": 2.0}}, "class_probs.drone"),
        ({"evidence": {"c_rid": "x"}}, "evidence.c_rid"),
        ({"history": []}, "history"),
    ],
)
def test_a_malformed_message_is_refused_naming_the_field(
    pair: tuple[HandoverAgent, HandoverAgent], change: dict[str, object], match: str
) -> None:
    w, e = pair
    w.on_updates(T0, [upd("T000001", -5000, 0)])
    good = w.on_updates(T0 + 1, [upd("T000001", -1500, 1)]).messages[0].to_dict()
    HandoverMessage.from_dict(good)  # the unchanged message parses
    with pytest.raises(HandoverError, match=match):
        e.on_message(good | change)
    assert e.stats.rejected == 1
    with pytest.raises(HandoverError, match="missing 'to'"):
        e.on_message({k: v for k, v in good.items() if k != "to"})
    with pytest.raises(HandoverError, match="addressed to e"):
        w.on_message(good)


def test_the_link_drops_a_malformed_message_and_carries_the_rest() -> None:
    lay = layout()
    w, e = HandoverAgent("w", lay, config=ONE_SCAN), HandoverAgent("e", lay, config=ONE_SCAN)

    async def go() -> None:
        bus = InProcessBus()
        link = HandoverLink(e, bus)
        await link.start()
        w.on_updates(T0, [upd("T000001", -5000, 0)])
        s = w.on_updates(T0 + 1, [upd("T000001", -1500, 1)])
        await bus.publish(topic_for("e"), {"kind": "offer", "lat": math.nan})
        await HandoverLink(w, bus).send(s.messages)
        for _ in range(3):
            await asyncio.sleep(0)
        assert (link.received, link.rejected) == (2, 1)
        assert len(e.inbox) == 1
        await link.close()

    asyncio.run(go())


def test_config_is_checked() -> None:
    with pytest.raises(HandoverError, match="offer_ttl_s"):
        HandoverConfig(offer_ttl_s=0.0)
    with pytest.raises(HandoverError, match="gate_probability"):
        HandoverConfig(gate_probability=1.0)


def test_the_worker_hook_hands_over_between_a_stage_thread_and_the_event_loop() -> None:
    lay = layout()
    bus = InProcessBus()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        hooks = HandoverHooks(lay, bus, loop, config=ONE_SCAN)
        assert hooks.for_sector("nowhere") is None
        hw, he = hooks.for_sector("w"), hooks.for_sector("e")
        assert hw is not None and he is not None

        def until(cond: Callable[[], bool]) -> None:
            end = time.monotonic() + 5
            while not cond():
                assert time.monotonic() < end, "timed out waiting for the event loop"
                time.sleep(0.002)

        until(lambda: len(bus._subs) == 2)
        assert [u.track for u in hw("w", [upd("T000001", -5000, 0)])] == ["w:T000001"]
        hw("w", [upd("T000001", -1500, 1)])  # offer, published on the loop
        until(lambda: not he.inbox.empty())
        # The stages (analyzer, hold-fire) see the shadow under its global id; the
        # step the worker publishes does not carry it (filter_step).
        seen = he("e", [upd("T000007", -1490, 1)])  # adopted as a shadow; accept
        assert [u.track for u in seen] == ["w:T000001"]
        assert he.filter_step(seen, [], [], []) == ([], [], [], [])
        # e's analyzer opens an incident, with a measure, on the shadowed track: both
        # are withheld (w, the owner, publishes its own) until the track is e's.
        inc = Incident("I-e-1", ["w:T000001"], T0 + 1, 2)
        rec = Recommendation(
            "M-e-1", "I-e-1", Action.VERIFY, T0 + 1, T0 + 600, T0 + 60, ("shadow",)
        )
        assert he.filter_step(seen, [], [inc], [rec]) == ([], [], [], [])
        until(lambda: not hw.inbox.empty())
        assert [u.track for u in hw("w", [upd("T000001", 400, 3)])] == ["w:T000001"]  # release
        until(lambda: not he.inbox.empty())
        # The worker saves the hook's state with the sector snapshot (pickled) and
        # restores it into a new hook; the tracker it attached stays attached.
        he.attach_tracker(lambda: Tracker(FRAME))
        he.restore_state(pickle.loads(pickle.dumps(he.snapshot_state())))
        assert isinstance(he.agent.evidence, TrackerEvidence)
        assert he.agent.evidence.read("T000007") == {}  # no such live track in that one
        seen = he("e", [upd("T000007", 420, 4)])
        ups, _, incs, recs = he.filter_step(seen, [], [], [rec])
        assert [u.track for u in ups] == ["w:T000001"]
        assert incs == [inc] and recs == [rec]  # the withheld incident, now e's
        seen = hw("w", [upd("T000001", 420, 4)])
        assert [u.track for u in seen] == ["w:T000001"]  # still analysed at w...
        assert hw.filter_step(seen, [], [], [])[0] == []  # ...no longer reported
        with pytest.raises(HandoverError, match="hook of w called for e"):
            hw("e", [])
        assert hooks("nowhere", []) == []  # a sector without hand-over passes through
        hooks.close()
        # Let the loop finish the last sends and the readers' cancellation.
        asyncio.run_coroutine_threadsafe(asyncio.sleep(0.05), loop).result(5)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def test_two_owners_settle_on_one_the_smaller_sector_id_then_geometry(
    pair: tuple[HandoverAgent, HandoverAgent],
) -> None:
    w, e = pair  # "e" < "w": e keeps a contested track
    e.on_updates(T0, [upd("T000001", 5000, 0)])  # born deep in e, flying west
    deliver(e.on_updates(T0 + 1, [upd("T000001", 1500, 1)]), w)
    old_e = e.to_snapshot()  # e's last snapshot: before w's accept
    deliver(w.on_updates(T0 + 1, [upd("T000009", 1500, 1)]), e)  # w accepts
    # e goes silent; w claims once the track is in w's core.
    s = w.on_updates(T0 + 20, [upd("T000009", -300, 20)])
    assert w.stats.claimed == 1 and [u.track for u in s.updates] == ["e:T000001"]
    # e resumes from before the claim and still owns the track: both report it...
    e = HandoverAgent.from_snapshot(old_e, layout(), config=ONE_SCAN)
    se = e.on_updates(T0 + 21, [upd("T000001", -320, 21)])
    assert [u.track for u in se.updates] == ["e:T000001"]
    deliver(s, e)  # w's claim reaches e: e is the smaller id, it keeps the track
    deliver(se, w)  # e's offer reaches w: w yields, shadows and accepts
    sw = w.on_updates(T0 + 21, [upd("T000009", -320, 21)])
    assert sw.updates == [] and "accept" in [m.kind for m in sw.messages]
    deliver(sw, e)
    # ...and then the geometry: the track is past e's keep area, e releases it to w.
    se = e.on_updates(T0 + 22, [upd("T000001", -340, 22)])
    assert "release" in [m.kind for m in se.messages]
    deliver(se, w)
    assert e.on_updates(T0 + 23, [upd("T000001", -360, 23)]).updates == []
    assert [u.track for u in w.on_updates(T0 + 23, [upd("T000009", -360, 23)]).updates] == [
        "e:T000001"
    ]


def test_hooks_made_outside_an_event_loop_need_the_loop() -> None:
    with pytest.raises(HandoverError, match="give the worker's event loop"):
        HandoverHooks(layout(), InProcessBus())


def test_a_match_needs_several_scans_and_a_shadow_that_drifts_declines() -> None:
    lay = layout()
    w, e = HandoverAgent("w", lay), HandoverAgent("e", lay)  # match_scans=5
    w.on_updates(T0, [upd("T000001", -5000, 0)])
    for k in range(1, 6):
        deliver(w.on_updates(T0 + k, [upd("T000001", -1500 + 20 * k, k)]), e)
        se = e.on_updates(T0 + k, [upd("T000007", -1500 + 20 * k, k)])
        assert (e.ids.get("T000007") is None) == (k < 5)  # adopted at the fifth scan
    assert [m.kind for m in se.messages] == ["accept"]
    deliver(se, w)
    assert w.tracks["T000001"].accepted == ["e"]
    # e's track jumps to a drone 300 m away while w's offers go on: after 5 scans out
    # of the gate e gives the id back and tells w, which no longer counts on e.
    for k in range(6, 11):
        deliver(w.on_updates(T0 + k, [upd("T000001", -1500 + 20 * k, k)]), e)
        se = e.on_updates(T0 + k, [upd("T000007", -1500 + 20 * k, k, y=600)])
    assert [m.kind for m in se.messages] == ["decline"]
    assert e.ids.get("T000007") is None and e.tracks["T000007"].role == "provisional"
    assert e.stats.declined == 1
    deliver(se, w)
    assert w.tracks["T000001"].accepted == []


def test_all_pairs_at_once_give_the_same_distances_as_one_pair_at_a_time(
    pair: tuple[HandoverAgent, HandoverAgent],
) -> None:
    w, e = pair
    w.on_updates(T0, [upd("T1", -5000, 0), upd("T2", -5000, 0, y=500)])
    offers = w.on_updates(T0 + 1, [upd("T1", -1500, 1), upd("T2", -1500, 1, y=500, sd=80)])
    # Tracks later and earlier than the offers, with other covariances.
    cands = [upd("A", -1400, 6, y=320), upd("B", -1300, 3, y=480, sd=10), upd("C", -1500, 0.5)]
    batch = e.distances2(offers.messages, cands)
    one = [[e._distance2(m, u) for u in cands] for m in offers.messages]
    assert batch.shape == (2, 3)
    assert np.allclose(batch, one, rtol=1e-9)
