"""Identity is not authorisation: each Remote ID check alone, on constructed claims.

Every check is shown raising a flag on a lie and staying quiet on an honest drone with
GNSS noise; then the tracker's consequences (the evidence line, corroboration) and the
identity-first association that no claimed serial may use to pull or steal a track.
"""

from __future__ import annotations

import numpy as np

from skywarden.geo import LocalFrame
from skywarden.model import Detection, Identity, Position, SensorKind, TrackStatus, TrackUpdate
from skywarden.tracking import Tracker, TrackerConfig
from skywarden.tracking.identity_check import FALSE_REMOTE_ID, IdentityCheck, is_flagged
from skywarden.tracking.rid_serial import serial_problem

FRAME = LocalFrame(31.76, -106.43, 1150.0)
T0 = 1_770_778_800.0
SERIAL = "1581E0123456789ABCD"
SIGMA = 3.0


def claim(
    t: float,
    xy: tuple[float, float],
    v: tuple[float, float] = (0.0, 0.0),
    *,
    serial: str = SERIAL,
    operator: tuple[float, float] | None = None,
    height: float = 50.0,
    sensor: str = "rid-1",
) -> Detection:
    lat, lon, alt = FRAME.to_geodetic(xy[0], xy[1], 1200.0)
    op = FRAME.to_geodetic(*(operator or xy), 1150.0)
    cov = ((SIGMA**2, 0.0, 0.0), (0.0, SIGMA**2, 0.0), (0.0, 0.0, 16.0))
    return Detection(
        t=t,
        sensor=sensor,
        kind=SensorKind.REMOTE_ID,
        position=Position(float(lat), float(lon), float(alt), cov),
        velocity=(v[0], v[1], 0.0),
        velocity_sigma=0.5,
        identity=Identity(rid_serial=serial, operator_lat=float(op[0]), operator_lon=float(op[1])),
        attrs={"height_above_takeoff_m": height},
    )


def radar(t: float, xy: tuple[float, float], sigma: float = 20.0) -> Detection:
    lat, lon, alt = FRAME.to_geodetic(xy[0], xy[1], 1200.0)
    cov = ((sigma**2, 0.0, 0.0), (0.0, sigma**2, 0.0), (0.0, 0.0, 900.0))
    return Detection(
        t=t,
        sensor="radar-1",
        kind=SensorKind.RADAR,
        position=Position(float(lat), float(lon), float(alt), cov),
    )


def track(
    t: float, name: str, xy: tuple[float, float], v: tuple[float, float], ids: tuple[str, ...] = ()
) -> TrackUpdate:
    lat, lon, alt = FRAME.to_geodetic(xy[0], xy[1], 1200.0)
    cov = tuple(
        tuple((400.0 if i < 3 else 1.0) if i == j else 0.0 for j in range(6)) for i in range(6)
    )
    return TrackUpdate(
        t=t,
        track=name,
        status=TrackStatus.CONFIRMED,
        lat=float(lat),
        lon=float(lon),
        alt_m=float(alt),
        velocity=(v[0], v[1], 0.0),
        state=(xy[0], xy[1], 50.0, v[0], v[1], 0.0),
        cov=cov,
        class_probs={"drone": 1.0, "manned": 0.0, "bird": 0.0, "unknown": 0.0},
        identities=ids,
        sensors=("radar-1",) if not ids else ("rid-1",),
        corroboration=("remote_id",) if ids else ("radar_class",),
    )


def run(check: IdentityCheck, scans: list[tuple[list[Detection], list[TrackUpdate]]]) -> list:
    out = []
    for dets, ups in scans:
        out.append(check.apply(dets, ups))
    return out


# --------------------------------------------------------------------- serial format


def test_well_formed_serials_pass_and_each_defect_is_named() -> None:
    assert serial_problem(SERIAL) is None
    assert serial_problem("1581F" + "A" * 15) is None
    assert "outside" in (serial_problem("1581E0123456789ABCO") or "")  # no letter O
    assert "length character" in (serial_problem("1581G0123456789ABCD") or "")
    assert "says 14, serial has 11" in (serial_problem("1581E0123456789A") or "")
    assert "fewer than" in (serial_problem("158") or "")


def test_a_malformed_serial_is_flagged_at_its_first_message() -> None:
    check = IdentityCheck(FRAME)
    check.apply([claim(T0, (0.0, 0.0), serial="1581E01234567")], [])
    assert "ANSI/CTA-2063-A" in (check.reason("1581E01234567") or "")


def test_serials_silent_for_an_hour_are_forgotten_unless_flagged() -> None:
    check = IdentityCheck(FRAME)
    check.apply([claim(T0, (0.0, 0.0)), claim(T0, (9.0, 0.0), serial="1581E0")], [])
    check.apply([claim(T0 + 4000, (0.0, 0.0), serial="1581E1111111111111A")], [])
    assert SERIAL not in check.serials
    assert check.reason("1581E0") is not None


# --------------------------------------------------------------------- two places


def test_one_serial_at_two_places_at_once_is_flagged_with_the_distance() -> None:
    check = IdentityCheck(FRAME)
    for k in range(10):  # the owner over the city, a thief 2 km away, both heard
        check.apply([claim(T0 + k, (0.0, 0.0)), claim(T0 + k, (2000.0, 0.0), sensor="rid-2")], [])
    why = check.reason(SERIAL) or ""
    assert "two places at once" in why and "2.0 km apart" in why


def test_a_single_gnss_jump_is_not_two_places() -> None:
    rng = np.random.default_rng(1)
    check = IdentityCheck(FRAME)
    for k in range(60):
        jump = 800.0 if k >= 30 else 0.0  # one jump, then consistent again
        xy = (jump + rng.normal(0, SIGMA), rng.normal(0, SIGMA))
        check.apply([claim(T0 + k, xy)], [])
    assert check.reason(SERIAL) is None


# --------------------------------------------------------------------- claimed speed


def test_a_claimed_speed_its_positions_deny_is_flagged() -> None:
    check = IdentityCheck(FRAME)
    for k in range(20):  # moves 12 m/s east, says 2 m/s
        check.apply([claim(T0 + k, (12.0 * k, 0.0), (2.0, 0.0))], [])
    why = check.reason(SERIAL) or ""
    assert "claimed speed 2.0 m/s" in why and "12.0 m/s" in why


def test_an_honest_drone_with_gnss_noise_and_lost_messages_keeps_its_speed() -> None:
    rng = np.random.default_rng(7)
    check = IdentityCheck(FRAME)
    x = v = 0.0
    for k in range(600):  # legs, stops and turns with 20 % of the messages lost
        a = 3.0 * np.sin(k / 15.0)
        v = float(np.clip(v + a, -12.0, 12.0))
        x += v
        if rng.uniform() < 0.2:
            continue
        p = (x + rng.normal(0, SIGMA), rng.normal(0, SIGMA))
        check.apply([claim(T0 + k, p, (v + rng.normal(0, 0.5), rng.normal(0, 0.5)))], [])
    assert check.reason(SERIAL) is None


def test_a_small_gnss_jump_fails_a_few_speed_checks_but_raises_no_flag() -> None:
    rng = np.random.default_rng(5)
    check = IdentityCheck(FRAME)
    for k in range(60):  # 6 m/s east; the fix jumps 50 m north at 30 s and stays
        p = (6.0 * k + rng.normal(0, SIGMA), (50.0 if k >= 30 else 0.0) + rng.normal(0, SIGMA))
        check.apply([claim(T0 + k, p, (6.0, 0.0))], [])
    assert check.serials[SERIAL].speed_fail, "the jump does fail the baselines across it"
    assert check.reason(SERIAL) is None


# --------------------------------------------------------------------- operator


def test_an_operator_far_from_the_claimed_take_off_is_flagged() -> None:
    check = IdentityCheck(FRAME)
    check.apply([claim(T0, (0.0, 0.0), operator=(4000.0, 3000.0), height=1.0)], [])
    assert "operator position 5.0 km from the claimed take-off" in (check.reason(SERIAL) or "")


def test_an_operator_at_the_take_off_is_not_flagged() -> None:
    check = IdentityCheck(FRAME)
    for k in range(5):
        check.apply([claim(T0 + k, (0.0, 0.0), operator=(40.0, 0.0), height=1.0 + k)], [])
    assert check.reason(SERIAL) is None


# --------------------------------------------------------------------- geometry


def twin_scans(supported: bool, n: int = 12) -> list[tuple[list[Detection], list[TrackUpdate]]]:
    """The drone flies 8 m/s east at (1500 + 8k, 0); it claims to be 1.5 km west of that."""
    scans = []
    for k in range(n):
        t = T0 + k
        real, said = (1500.0 + 8.0 * k, 0.0), (8.0 * k, 0.0)
        plots = [radar(t, real)] + ([radar(t, said)] if supported else [])
        ups = [
            track(t, "T000001", real, (8.0, 0.0)),
            track(t, "T000002", said, (8.0, 0.0), (f"rid:{SERIAL}",)),
        ]
        scans.append(([claim(t, said, (8.0, 0.0)), *plots], ups))
    return scans


def test_a_claim_radar_denies_while_a_radar_track_flies_with_it_is_flagged() -> None:
    check = IdentityCheck(FRAME)
    out = run(check, twin_scans(supported=False))
    why = check.reason(SERIAL) or ""
    assert "1.5 km from radar/RF track T000001" in why and "no radar plot" in why
    flagged = [u for ups in out for u in ups if is_flagged(u)]
    twin = [u for u in flagged if u.track == "T000001"]
    phantom = [u for u in flagged if u.track == "T000002"]
    assert twin and twin[-1].status == TrackStatus.CONFIRMED
    # the claim-only track is a phantom: reported ended once, then no more
    assert len(phantom) == 1 and phantom[0].status == TrackStatus.ENDED
    assert "remote_id" not in phantom[0].corroboration
    assert "no drone where it claims" in phantom[0].evidence[-1]
    assert all(u.track != "T000002" for u in out[-1])


def test_a_serial_flagged_for_its_operator_still_has_its_phantom_ended() -> None:
    check = IdentityCheck(FRAME)
    scans = twin_scans(supported=False)
    first = scans[0][0][0]
    take_off = claim(first.t, (0.0, 0.0), (8.0, 0.0), operator=(0.0, 3000.0), height=2.0)
    scans[0] = ([take_off, *scans[0][0][1:]], scans[0][1])
    out = run(check, scans)
    assert "operator position 3.0 km" in (check.reason(SERIAL) or "")
    ended = [u for ups in out for u in ups if u.track == "T000002" and u.status.value == "ended"]
    assert len(ended) == 1 and "no drone where it claims" in ended[0].evidence[-1]


def test_two_tracks_flying_with_a_false_claim_flag_the_claim_but_accuse_neither() -> None:
    check = IdentityCheck(FRAME)
    scans = []
    for dets, ups in twin_scans(supported=False):
        t, real = ups[0].t, ups[0].state
        other = track(t, "T000003", (real[0] + 30.0, 40.0), (8.0, 0.0))  # a convoy mate
        scans.append(([*dets, radar(t, (real[0] + 30.0, 40.0))], [*ups, other]))
    out = run(check, scans)
    assert "from 2 radar/RF tracks that fly with it" in (check.reason(SERIAL) or "")
    assert not any(is_flagged(u) for ups in out for u in ups if u.track in ("T000001", "T000003"))
    assert any(u.track == "T000002" and is_flagged(u) for ups in out for u in ups)


def test_a_claim_radar_confirms_is_not_flagged_even_beside_a_twin() -> None:
    check = IdentityCheck(FRAME)
    out = run(check, twin_scans(supported=True))
    assert check.reason(SERIAL) is None
    assert not any(is_flagged(u) for u in out[-1])


def test_a_hovering_claim_is_not_matched_to_any_hovering_track() -> None:
    check = IdentityCheck(FRAME)
    for k in range(30):
        t = T0 + k
        ups = [track(t, "T000001", (1500.0, 0.0), (0.0, 0.0))]
        check.apply([claim(t, (0.0, 0.0)), radar(t, (1500.0, 0.0))], ups)
    assert check.reason(SERIAL) is None


# --------------------------------------------------------------------- in the tracker


def test_the_tracker_tags_flagged_tracks_and_drops_remote_id_corroboration() -> None:
    tracker = Tracker(FRAME, TrackerConfig())
    ups: list[TrackUpdate] = []
    for k in range(15):  # a malformed serial on an otherwise honest drone
        ups = tracker.step(T0 + k, [claim(T0 + k, (5.0 * k, 0.0), (5.0, 0.0), serial="1581E0")])
    flagged = [u for u in ups if is_flagged(u)]
    assert flagged, "the drone's track should carry the flag"
    u = flagged[0]
    assert any(e.startswith(f"{FALSE_REMOTE_ID}: serial '1581E0'") for e in u.evidence)
    assert "remote_id" not in u.corroboration


def test_an_honest_remote_id_drone_is_not_flagged_by_the_tracker() -> None:
    rng = np.random.default_rng(3)
    tracker = Tracker(FRAME, TrackerConfig())
    ups: list[TrackUpdate] = []
    for k in range(120):
        x = 6.0 * k
        dets = [radar(T0 + k, (x + rng.normal(0, 20), rng.normal(0, 20)))]
        if rng.uniform() > 0.2:
            p = (x + rng.normal(0, SIGMA), rng.normal(0, SIGMA))
            dets.append(claim(T0 + k, p, (6.0 + rng.normal(0, 0.5), 0.0), height=60.0))
        ups = tracker.step(T0 + k, dets)
    assert ups and not any(is_flagged(u) for u in ups)
    assert any("remote_id" in u.corroboration for u in ups)


def test_a_serial_claimed_far_away_neither_pulls_nor_steals_the_owners_track() -> None:
    tracker = Tracker(FRAME, TrackerConfig())
    owner = thief = None
    for k in range(20):  # the owner at the origin; from k = 10 a thief 2 km away
        dets = [claim(T0 + k, (0.0, 0.0))]
        if k >= 10:
            dets.append(claim(T0 + k, (2000.0, 0.0), sensor="rid-2"))
        ups = tracker.step(T0 + k, dets)
        if k == 9:
            owner = next(u.track for u in ups if f"rid:{SERIAL}" in u.identities)
    assert owner is not None, "the owner's track holds the serial by scan 9"
    thief = [u for u in ups if u.track != owner and f"rid:{SERIAL}" in u.identities]
    mine = next(u for u in ups if u.track == owner)
    x, _, _ = FRAME.to_enu(mine.lat, mine.lon, mine.alt_m)
    assert abs(float(x)) < 20.0, "the owner's track stays where the owner is"
    assert tracker.core.key_to_id[f"rid:{SERIAL}"] == int(owner[1:])
    assert thief and all(is_flagged(u) for u in ups if f"rid:{SERIAL}" in u.identities)
