"""Range-aware bearing association: a direction finder's bearing credits only the track
whose geometry fits (range, the other sites' bearings), never every track on its ray."""

import math

import numpy as np

from skywarden.geo import FloatArray
from skywarden.model import SensorKind
from skywarden.tracking import ScanGroup, TrackerConfig, TrackerCore
from skywarden.tracking.bearings import BearingGate, Bearings

SITE_A = np.array([0.0, 0.0, 0.0])
SITE_B = np.array([4000.0, 0.0, 0.0])
DRONE = np.array([0.0, 3000.0, 60.0])


def _azimuth(site: np.ndarray, p: np.ndarray) -> float:
    return math.atan2(p[0] - site[0], p[1] - site[1])


def _run(bird: np.ndarray, sites: list[np.ndarray], range_m: float, scans: int = 12) -> dict:
    """Radar sees a drone and a bird; each DF site hears only the drone's link."""
    rng = np.random.default_rng(4)
    core = TrackerCore(TrackerConfig(), dims=3)
    sigma = math.radians(2.0)
    for k in range(scans):
        t = float(k)
        truth = np.stack([DRONE, bird])
        z = truth + rng.normal(0.0, 10.0, truth.shape)
        r = np.broadcast_to(np.eye(3) * 100.0, (2, 3, 3)).copy()
        groups = [ScanGroup(t, "radar", SensorKind.RADAR, z=z, R=r)]
        if k >= 4:  # once both tracks are confirmed
            for i, site in enumerate(sites):
                az = _azimuth(site, DRONE) + rng.normal(0.0, sigma)
                b = Bearings(site, np.array([az]), np.array([sigma]), range_m=range_m)
                groups.append(ScanGroup(t, f"rf-{i}", SensorKind.RF, bearings=b))
        core.step(t, groups)
    a = core.table.a
    pos = a["x"][:, :3]
    drone_row = int(np.argmin(np.linalg.norm(pos - DRONE, axis=1)))
    bird_row = int(np.argmin(np.linalg.norm(pos - bird, axis=1)))
    assert drone_row != bird_row
    return {"drone": float(a["c_rf"][drone_row]), "bird": float(a["c_rf"][bird_row])}


def test_a_bird_beyond_the_direction_finders_range_gains_no_rf_credit() -> None:
    bird = np.array([0.0, 9000.0, 80.0])  # on the same ray, beyond the 8 km range
    c = _run(bird, [SITE_A], range_m=8000.0)
    assert c["bird"] == 0.0
    assert c["drone"] > 1.0


def test_a_second_site_takes_the_credit_off_a_bird_on_the_first_sites_ray() -> None:
    bird = np.array([0.0, 6000.0, 80.0])  # on A's ray, within range of both sites
    clf = TrackerConfig().classifier
    c = _run(bird, [SITE_A, SITE_B], range_m=8000.0)
    assert c["bird"] < 0.1 * c["drone"]
    assert c["bird"] < clf.rf_corroborate_units <= c["drone"]


def test_one_ray_through_two_tracks_credits_neither_fully() -> None:
    bird = np.array([0.0, 6000.0, 80.0])
    c = _run(bird, [SITE_A], range_m=8000.0)
    single = TrackerConfig().classifier.rf_single_site
    # one site each scan: at most rf_single_site units per scan between the two of them
    assert c["drone"] + c["bird"] <= 8 * single + 1e-9
    assert c["bird"] < 0.75 * 8 * single


def test_weights_over_candidates_and_other_emitter_sum_to_one() -> None:
    gate = BearingGate()
    x = np.zeros((3, 6))
    x[:, :3] = [[0.0, 2000.0, 50.0], [0.0, 5000.0, 50.0], [3000.0, 0.0, 50.0]]
    p = np.broadcast_to(np.eye(6) * 400.0, (3, 6, 6)).copy()
    b = Bearings(SITE_A, np.array([0.0, math.pi / 2]), np.full(2, math.radians(3.0)))
    f = gate.fit(b, x, p)
    w = gate.weights(f, 2, 3, [])
    total = w.other.copy()
    np.add.at(total, w.dj, w.w)
    np.testing.assert_allclose(total, 1.0)
    # the two tracks on the northern ray share it; the eastern track has the other alone
    north = w.w[w.dj == 0]
    assert north.shape == (2,) and (north < gate.min_weight).all()  # neither is updated
    assert w.w[w.dj == 1].max() > 0.9


def test_each_sites_weights_say_which_tracks_its_bearings_fit() -> None:
    gate = BearingGate()
    x = np.zeros((3, 6))
    x[:, :3] = [[0.0, 2000.0, 50.0], [0.0, 5000.0, 50.0], [3000.0, 0.0, 50.0]]
    p = np.broadcast_to(np.eye(6) * 400.0, (3, 6, 6)).copy()
    b = Bearings(SITE_A, np.array([0.0]), np.full(1, math.radians(3.0)))
    w = gate.weights(gate.fit(b, x, p), 1, 3, [])
    assert w.fitted.tolist() == [True, True, False]  # both on the ray, not the third
    assert w.credit[2] == 0.0 and 0.0 < w.credit[0] < 1.0 and 0.0 < w.credit[1] < 1.0


def _bird_beside_drone() -> dict[str, dict[str, float]]:
    """Two sites hear a drone 5 km south of them; a bird flies 500 m from it, inside
    both sites' bearing spread (how the month's counted birds took a surveillance
    drone's link), tracked by radar with the drone for 60 scans."""
    rng = np.random.default_rng(7)
    core = TrackerCore(TrackerConfig(), dims=3)
    sigma = math.radians(3.0)
    drone = np.array([2000.0, -5000.0, 60.0])
    bird = drone + np.array([500.0, 0.0, 20.0])
    for k in range(60):
        t = float(k)
        truth = np.stack([drone, bird])
        z = truth + rng.normal(0.0, 10.0, truth.shape)
        r = np.broadcast_to(np.eye(3) * 100.0, (2, 3, 3)).copy()
        groups = [ScanGroup(t, "radar", SensorKind.RADAR, z=z, R=r)]
        if k >= 4:
            for i, site in enumerate([SITE_A, SITE_B]):
                az = _azimuth(site, drone) + rng.normal(0.0, sigma)
                b = Bearings(site, np.array([az]), np.array([sigma]), range_m=9000.0)
                groups.append(ScanGroup(t, f"rf-{i}", SensorKind.RF, bearings=b))
        core.step(t, groups)
    clf = core.classifier
    assert clf is not None
    a = core.table.a
    pos = a["x"][:, :3]
    out = {}
    for name, p in (("drone", drone), ("bird", bird)):
        row = int(np.argmin(np.linalg.norm(pos - p, axis=1)))
        out[name] = {
            "c_rf": float(a["c_rf"][row]),
            "share": float(clf.rf_share(a)[row]),
            "rf_geometry": bool(clf.corroboration(a, 59.0)[row, 1]),
        }
    return out


def test_a_bird_beside_a_tracked_drone_is_not_corroborated_by_its_link() -> None:
    got = _bird_beside_drone()
    clf = TrackerConfig().classifier
    # the bird takes enough small shares to pass the units test on its own...
    assert got["bird"]["c_rf"] >= clf.rf_corroborate_units
    # ...but a minority of the bearings that fit it: no RF corroboration
    assert got["bird"]["share"] < clf.rf_share_min
    assert not got["bird"]["rf_geometry"]
    assert got["drone"]["share"] >= clf.rf_share_min
    assert got["drone"]["rf_geometry"]


def _radar_scan(t: float, truth: FloatArray, rng: np.random.Generator, sd_m: float) -> ScanGroup:
    """A radar scan of every target in ``truth`` with ``sd_m`` of noise per axis."""
    z = truth + rng.normal(0.0, sd_m, truth.shape)
    r = np.broadcast_to(np.eye(3) * sd_m**2, (len(truth), 3, 3)).copy()
    return ScanGroup(t, "radar", SensorKind.RADAR, z=z, R=r)


def test_each_drone_of_a_convoy_is_corroborated_by_its_own_link() -> None:
    # Three drones 40 m apart, 5 km from two sites (El Paso seed 7's convoy): each site
    # hears three links on one bearing spread, each bearing fits all three tracks and
    # each drone takes a third of every one. Until wave 12 a track's credit at a site was
    # its largest weight (a third): no member reached the RF share and the convoy's
    # crossing counted no incursion. One emitter, one bearing: it took a bearing's worth.
    rng = np.random.default_rng(11)
    core = TrackerCore(TrackerConfig(), dims=3)
    sigma = math.radians(3.0)
    lead = np.array([2000.0, -5000.0, 60.0])
    convoy = np.stack([lead + np.array([40.0 * i, 0.0, 0.0]) for i in range(3)])
    for k in range(60):
        t = float(k)
        groups = [_radar_scan(t, convoy, rng, 5.0)]
        if k >= 4:
            for i, site in enumerate([SITE_A, SITE_B]):
                az = np.array([_azimuth(site, d) for d in convoy]) + rng.normal(0.0, sigma, 3)
                b = Bearings(site, az, np.full(3, sigma), range_m=9000.0)
                groups.append(ScanGroup(t, f"rf-{i}", SensorKind.RF, bearings=b))
        core.step(t, groups)
    clf = core.classifier
    assert clf is not None
    a = core.table.a
    rows = [int(np.argmin(np.linalg.norm(a["x"][:, :3] - d, axis=1))) for d in convoy]
    assert len(set(rows)) == 3
    share = clf.rf_share(a)[rows]
    assert (share >= clf.rf_share_min).all(), share
    assert clf.corroboration(a, 59.0)[rows, 1].all()


# A ghost: site A hears drone 1, site B drone 2; each drone is out of the other site's
# range, and a third track sits where the two rays cross (count7's S07 clutter unit).
GHOST_A = np.array([0.0, 0.0, 0.0])
GHOST_B = np.array([8000.0, 0.0, 0.0])
GHOST = np.array([4000.0, 1500.0, 60.0])
_RAY_A = GHOST[:2] / np.linalg.norm(GHOST[:2])
_RAY_B = (GHOST[:2] - GHOST_B[:2]) / np.linalg.norm(GHOST[:2] - GHOST_B[:2])
DRONE_1 = np.array([*(GHOST_A[:2] + 1500.0 * _RAY_A), 60.0])  # 6.6 km from B
DRONE_2 = np.array([*(GHOST_B[:2] + 1500.0 * _RAY_B), 60.0])  # 6.6 km from A
GHOST_RANGE_M = 6000.0


def _ghost_weights(gate: BearingGate) -> tuple[float, float]:
    """Site A's bearing to drone 1, shared between the ghost and drone 1, given site B's
    bearing to drone 2: (the ghost's weight, drone 1's)."""
    x = np.zeros((3, 6))
    x[:, :3] = [GHOST, DRONE_1, DRONE_2]
    p = np.broadcast_to(np.eye(6) * 400.0, (3, 6, 6)).copy()
    sigma = np.full(1, math.radians(3.0))
    ba = Bearings(GHOST_A, np.array([_azimuth(GHOST_A, DRONE_1)]), sigma, range_m=GHOST_RANGE_M)
    bb = Bearings(GHOST_B, np.array([_azimuth(GHOST_B, DRONE_2)]), sigma, range_m=GHOST_RANGE_M)
    fa, fb = gate.fit(ba, x, p), gate.fit(bb, x, p)
    assert sorted(fa.ti.tolist()) == [0, 1] and sorted(fb.ti.tolist()) == [0, 2]
    w = gate.weights(fa, 1, 3, [fb])
    return float(w.w[w.ti == 0][0]), float(w.w[w.ti == 1][0])


def test_a_ghost_where_two_drones_rays_cross_does_not_take_their_bearings() -> None:
    ghost, drone = _ghost_weights(BearingGate())
    # site B's bearing is drone 2's as much as the ghost's: no evidence for the ghost
    assert abs(ghost - drone) < 0.15
    assert ghost < BearingGate().min_weight  # the ghost is not updated by drone 1's link
    # the old rule: the ghost got the full cross-site bonus and most of the bearing
    old_ghost, _ = _ghost_weights(BearingGate(contested_cross=False))
    assert old_ghost > 0.75


def test_a_scans_cache_computes_each_sites_factor_once_and_changes_nothing() -> None:
    # Three sites: A's and C's bearings each shared given the other two sites' factors.
    gate = BearingGate()
    x = np.zeros((3, 6))
    x[:, :3] = [GHOST, DRONE_1, DRONE_2]
    p = np.broadcast_to(np.eye(6) * 400.0, (3, 6, 6)).copy()
    sigma = np.full(1, math.radians(3.0))
    site_c = np.array([4000.0, 6000.0, 0.0])
    fits = [
        gate.fit(Bearings(site, np.array([_azimuth(site, aim)]), sigma, range_m=9000.0), x, p)
        for site, aim in ((GHOST_A, DRONE_1), (GHOST_B, DRONE_2), (site_c, GHOST))
    ]
    tentative = np.array([False, True, False])
    cache: dict[tuple[int, int, bytes], np.ndarray] = {}
    for k in (0, 2):
        others = [f for i, f in enumerate(fits) if i != k]
        plain = gate.weights(fits[k], 1, 3, others, tentative)
        cached = gate.weights(fits[k], 1, 3, others, tentative, cache)
        np.testing.assert_array_equal(plain.w, cached.w)
        np.testing.assert_array_equal(plain.other, cached.other)
    # B's factor served both A's and C's sharing; A's and C's were asked once each
    assert len(cache) == 3
    # other tentative flags are another key, never a stale factor
    gate.weights(fits[0], 1, 3, fits[1:], np.array([False, False, False]), cache)
    assert len(cache) == 5


def test_an_uncontested_cross_fit_keeps_the_full_bonus() -> None:
    x = np.zeros((2, 6))
    x[:, :3] = [[2000.0, 3000.0, 60.0], [-3000.0, 1000.0, 60.0]]
    p = np.broadcast_to(np.eye(6) * 400.0, (2, 6, 6)).copy()
    sigma = np.full(1, math.radians(3.0))
    ba = Bearings(GHOST_A, np.array([_azimuth(GHOST_A, x[0, :3])]), sigma, range_m=9000.0)
    bb = Bearings(SITE_B, np.array([_azimuth(SITE_B, x[0, :3])]), sigma, range_m=9000.0)
    got = []
    for contested in (True, False):
        gate = BearingGate(contested_cross=contested)
        fa, fb = gate.fit(ba, x, p), gate.fit(bb, x, p)
        got.append(gate.weights(fa, 1, 2, [fb]).w)
    np.testing.assert_allclose(got[0], got[1], rtol=1e-12)
    assert got[0].max() > 0.95  # the track both sites fit takes the bearing


def test_a_cross_miss_factor_of_one_or_more_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="cross_miss_factor"):
        BearingGate(cross_miss_factor=1.0)


def _ghost_shares(contested: bool) -> dict[str, float]:
    """The ghost geometry through the tracker core for 60 scans: radar holds both drones
    and an object at the crossing of the rays (a clutter track); site A hears drone 1,
    site B drone 2. Each track's RF share (the bearings it took over those that fit it)."""
    cfg = TrackerConfig(bearing=BearingGate(contested_cross=contested))
    core = TrackerCore(cfg, dims=3)
    rng = np.random.default_rng(7)
    sigma = math.radians(3.0)
    truth = np.stack([DRONE_1, DRONE_2, GHOST])
    for k in range(60):
        t = float(k)
        groups = [_radar_scan(t, truth, rng, 10.0)]
        if k >= 4:
            for i, (site, d) in enumerate([(GHOST_A, DRONE_1), (GHOST_B, DRONE_2)]):
                az = _azimuth(site, d) + rng.normal(0.0, sigma)
                b = Bearings(site, np.array([az]), np.array([sigma]), range_m=GHOST_RANGE_M)
                groups.append(ScanGroup(t + 0.1 * i, f"rf-{i}", SensorKind.RF, bearings=b))
        core.step(t, groups)
    clf = core.classifier
    assert clf is not None
    a = core.table.a
    share = clf.rf_share(a)
    out = {}
    for name, p in (("drone_1", DRONE_1), ("drone_2", DRONE_2), ("ghost", GHOST)):
        out[name] = float(share[int(np.argmin(np.linalg.norm(a["x"][:, :3] - p, axis=1)))])
    return out


def test_a_ghost_takes_no_more_of_the_bearings_than_the_drones_that_emit_them() -> None:
    got = _ghost_shares(contested=True)
    # one scan cannot tell "the ghost emits both" from "each drone emits its own" (each
    # drone is heard by one site, the ghost fits both): an even split, not the ghost's
    assert got["ghost"] <= 0.55
    assert got["drone_1"] >= 0.45 and got["drone_2"] >= 0.45
    old = _ghost_shares(contested=False)  # the full bonus: the ghost took most of both
    assert old["ghost"] > 0.75 and old["drone_1"] < 0.3 and old["drone_2"] < 0.3


def test_two_drones_two_bearings_at_the_other_site_keep_the_full_bonus() -> None:
    """Two drones close together, each heard by both sites: every bearing of site B fits
    both, but each drone takes one, so both are heard there (the bonus stays x5); a
    bearing-by-bearing odds would call each contested."""
    x = np.zeros((2, 6))
    x[:, :3] = [[0.0, 5000.0, 60.0], [60.0, 5000.0, 60.0]]
    p = np.broadcast_to(np.eye(6) * 400.0, (2, 6, 6)).copy()
    sigma = np.full(2, math.radians(3.0))

    def bearings(site: np.ndarray) -> Bearings:
        az = np.array([_azimuth(site, x[0, :3]), _azimuth(site, x[1, :3])])
        return Bearings(site, az, sigma, range_m=9000.0)

    site_b = np.array([3000.0, 0.0, 0.0])
    got = []
    for contested in (True, False):
        gate = BearingGate(contested_cross=contested)
        fa, fb = gate.fit(bearings(GHOST_A), x, p), gate.fit(bearings(site_b), x, p)
        assert fb.ti.shape[0] == 4  # every bearing of B fits both drones
        np.testing.assert_allclose(gate._cross_log_factor(fb, 2, None), math.log(5.0))
        got.append(gate.weights(fa, 2, 2, [fb]).w)
    np.testing.assert_allclose(got[0], got[1], rtol=1e-6)


def test_taken_odds_is_exact_for_one_bearing_and_sums_for_a_lone_track() -> None:
    from skywarden.tracking.assoc_marginals import taken_odds

    # one bearing, two tracks: P(track 0 took it) = psi0 / (1 + psi0 + psi1)
    psi = np.array([[4.0], [2.0]])
    np.testing.assert_allclose(taken_odds(psi), [4.0 / (1.0 + 2.0), 2.0 / (1.0 + 4.0)])
    # two tracks, two bearings, all fitting: each takes one almost surely
    both = taken_odds(np.full((2, 2), 1000.0))
    assert (both > 100.0).all()
    assert taken_odds(np.array([[3.0, 0.0], [0.0, 5.0]])).tolist() == [3.0, 5.0]
