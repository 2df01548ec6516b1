"""Class evidence travels with a handed-over track: what the owner's tracker learned
(Remote ID reports here) is written into the neighbour's adopting track."""

from __future__ import annotations

import numpy as np

from skywarden.cluster.handover_evidence import TrackerEvidence
from skywarden.geo import LocalFrame
from skywarden.model import Detection, Identity, Position, SensorKind
from skywarden.tracking.tracker import Tracker

FRAME = LocalFrame(31.3272, -110.5, 1200.0)
T0 = 1_767_225_600.0
COV = ((625.0, 0.0, 0.0), (0.0, 625.0, 0.0), (0.0, 0.0, 2500.0))


def drone(k: int, rid: bool) -> list[Detection]:
    lat, lon, alt = FRAME.to_geodetic(20.0 * k, 300.0, 120.0)
    pos = Position(float(lat), float(lon), float(alt), COV)
    out = [Detection(T0 + k, "radar", SensorKind.RADAR, pos)]
    if rid:
        ident = Identity(rid_serial="1581F5FJD22A0000001")
        out.append(Detection(T0 + k, "rid", SensorKind.REMOTE_ID, pos, identity=ident))
    return out


def test_the_owner_evidence_is_written_into_the_adopting_track() -> None:
    owner, heir = Tracker(FRAME), Tracker(FRAME)
    for k in range(12):
        up_o = owner.step(T0 + k, drone(k, rid=True))
        up_h = heir.step(T0 + k, drone(k, rid=False))  # no Remote ID receiver here
    (uo,), (uh,) = up_o, up_h
    ev_o, ev_h = TrackerEvidence(owner), TrackerEvidence(heir)
    offered = ev_o.read(uo.track)
    assert offered["c_rid"] > 0 and ev_h.read(uh.track)["c_rid"] == 0
    ev_h.write(uh.track, offered, uo.identities)
    got = ev_h.read(uh.track)
    assert got.keys() == offered.keys()
    assert all(np.isclose(got[k], v, equal_nan=True) for k, v in offered.items())
    (after,) = heir.step(T0 + 12, drone(12, rid=False))
    assert after.identities == uo.identities
    assert after.class_probs["drone"] > uh.class_probs["drone"]
    # The serial's own next report at the heir still goes to the adopting track.
    (nxt,) = heir.step(T0 + 13, drone(13, rid=True))
    assert nxt.track == uh.track and "rid" in nxt.sensors
    assert ev_h.read("T999999") == {} and ev_h.read("nonsense") == {}
    ev_h.write("T999999", offered, ())  # an ended track: nothing to write, no error
