"""The array core on the scenarios the issue names: a gap in detections, two crossing
targets, clutter alone, and plain accuracy in clutter."""

from collections.abc import Callable

import numpy as np
import pytest

from skywarden.model import SensorKind
from skywarden.tracking import ScanError, ScanGroup, TrackerConfig, TrackerCore

SIGMA = 10.0


def _group(t: float, z: np.ndarray, sigma: float = SIGMA) -> ScanGroup:
    z = np.asarray(z, dtype=float).reshape(-1, 2)
    r = np.broadcast_to(np.eye(2) * sigma**2, (z.shape[0], 2, 2)).copy()
    return ScanGroup(t, "radar", SensorKind.RADAR, z=z, R=r)


def _run(
    core: TrackerCore,
    scans: int,
    truth: Callable[[int], np.ndarray],
    rng: np.random.Generator,
    seen: Callable[[int], np.ndarray] | None = None,
    clutter: int = 0,
    side: float = 5000.0,
) -> list[dict[int, np.ndarray]]:
    """Run ``scans`` scans; returns, per scan, confirmed track id -> position."""
    out = []
    for k in range(scans):
        p = truth(k)
        mask = np.ones(p.shape[0], bool) if seen is None else seen(k)
        z = p[mask] + rng.normal(0, SIGMA, (int(mask.sum()), 2))
        if clutter:
            z = np.vstack([z, rng.uniform(0, side, (clutter, 2))])
        live = core.step(float(k), [_group(float(k), z)]).live
        out.append(
            {int(i): x[:2] for i, x in zip(live.get("id", []), live.get("x", []), strict=True)}
        )
    return out


def _nearest_track(scan: dict[int, np.ndarray], p: np.ndarray, within: float = 50.0) -> int | None:
    best = min(scan.items(), key=lambda kv: np.linalg.norm(kv[1] - p), default=None)
    if best is None or np.linalg.norm(best[1] - p) > within:
        return None
    return best[0]


def test_a_target_through_a_gap_in_detections_keeps_its_track() -> None:
    rng = np.random.default_rng(1)
    core = TrackerCore(TrackerConfig(), dims=2)

    def truth(k: int) -> np.ndarray:
        return np.array([[1000.0 + 12.0 * k, 2000.0 - 5.0 * k]])

    gap = range(20, 27)  # seven seconds without a single detection
    scans = _run(core, 45, truth, rng, seen=lambda k: np.array([k not in gap]))
    before = _nearest_track(scans[19], truth(19)[0])
    after = _nearest_track(scans[44], truth(44)[0])
    assert before is not None
    assert after == before
    # It coasted through the gap: reported after the first miss, then kept internally
    # but not shown once its existence probability fell below report_min_p_exist.
    assert before in scans[gap[0]]
    assert all(before not in scans[k] for k in gap[2:])
    assert {i for s in scans for i in s} == {before}  # and no second track appeared


def test_a_coasting_track_is_kept_for_reacquisition_while_hidden() -> None:
    rng = np.random.default_rng(2)
    core = TrackerCore(TrackerConfig(report_min_p_exist=0.0), dims=2)

    def truth(k: int) -> np.ndarray:
        return np.array([[1000.0 + 12.0 * k, 2000.0 - 5.0 * k]])

    gap = range(20, 27)
    scans = _run(core, 45, truth, rng, seen=lambda k: np.array([k not in gap]))
    before = _nearest_track(scans[19], truth(19)[0])
    assert before is not None
    assert all(before in scans[k] for k in gap)  # with the output gate off, shown throughout


@pytest.mark.parametrize("angle_deg", [90.0, 30.0])
def test_two_crossing_targets_keep_their_identities(angle_deg: float) -> None:
    rng = np.random.default_rng(2)
    core = TrackerCore(TrackerConfig(), dims=2)
    th = np.radians(angle_deg / 2)
    v = 10.0 * np.array([[np.cos(th), np.sin(th)], [np.cos(th), -np.sin(th)]])
    centre = np.array([2500.0, 2500.0])

    def truth(k: int) -> np.ndarray:
        return centre + v * (k - 30)  # they meet at scan 30

    scans = _run(core, 60, truth, rng, seen=lambda k: rng.random(2) < 0.95)
    first = [_nearest_track(scans[15], truth(15)[i]) for i in range(2)]
    last = [_nearest_track(scans[59], truth(59)[i]) for i in range(2)]
    assert None not in first and first[0] != first[1]
    assert last == first


def test_clutter_alone_confirms_no_track_at_the_benchmark_density() -> None:
    """1 false plot per km^2 per scan over 10 km x 10 km for 100 scans: 10,000 plots.

    Stated false-track rate with the benchmark's confirmation (4 hits; a tentative track
    is dropped after 2 missed scans in a row): at most one confirmed track per 10,000
    clutter plots (measured: none in 30,000 over three seeds). The sector default
    (3 of 4) would confirm about 30 here, which is why the benchmark and dense-clutter
    deployments confirm on 4.
    """
    rng = np.random.default_rng(5)
    config = TrackerConfig(filter="cv", confirm_m=4, confirm_n=32, tentative_max_coast_s=1.5)
    core = TrackerCore(config, dims=2)
    confirmed: set[int] = set()
    plots = 0
    for k in range(100):
        z = rng.uniform(0.0, 10_000.0, (rng.poisson(100), 2))
        plots += z.shape[0]
        live = core.step(float(k), [_group(float(k), z)]).live
        confirmed.update(int(i) for i in live.get("id", []))
    assert plots > 9_500
    assert len(confirmed) <= 1


def test_tracks_are_accurate_in_clutter() -> None:
    rng = np.random.default_rng(3)
    n = 25
    start = rng.uniform(0, 5000, (n, 2))
    vel = rng.normal(0, 8, (n, 2))
    core = TrackerCore(TrackerConfig(confirm_m=4, confirm_n=5), dims=2)
    scans = _run(
        core, 40, lambda k: start + vel * k, rng, seen=lambda k: rng.random(n) < 0.9, clutter=25
    )
    truth = start + vel * 39
    errors = [
        np.linalg.norm(scans[39][t] - truth[i])
        for i in range(n)
        if (t := _nearest_track(scans[39], truth[i])) is not None
    ]
    assert len(errors) >= n - 1
    assert float(np.sqrt(np.mean(np.square(errors)))) < SIGMA
    assert len(scans[39]) <= n + 2


def test_malformed_scan_groups_are_rejected_with_the_group_named() -> None:
    core = TrackerCore(TrackerConfig(), dims=2)
    bad = ScanGroup(0.0, "radar-7", SensorKind.RADAR, z=np.zeros((2, 3)), R=np.zeros((2, 3, 3)))
    with pytest.raises(ScanError, match="radar-7"):
        core.step(0.0, [bad])
    nan = _group(0.0, np.array([[np.nan, 1.0]]))
    with pytest.raises(ScanError, match="non-finite"):
        core.step(0.0, [nan])


def _confirmed_mover(core: TrackerCore, scans: int = 20) -> int:
    """A target flying east at 10 m/s for ``scans`` one-second scans; its track id."""
    rng = np.random.default_rng(7)
    out = _run(core, scans, lambda k: np.array([[1000.0 + 10.0 * k, 2000.0]]), rng)
    tid = _nearest_track(out[-1], np.array([1000.0 + 10.0 * (scans - 1), 2000.0]))
    assert tid is not None
    return tid


def test_after_a_feed_gap_stale_tracks_end_before_the_next_scan_is_associated() -> None:
    # Scans stop for an hour (an outage, or the month's jump between windows). The track
    # predicted across the gap has a covariance that would gate anything; the first
    # detection after the gap (another object, 300 m off) must start its own track, not
    # inherit the old one's id and class.
    core = TrackerCore(TrackerConfig(filter="cv"), dims=2)
    tid = _confirmed_mover(core)
    t = 19.0 + 3600.0
    res = core.step(t, [_group(t, np.array([[1500.0, 2300.0]]))])
    assert tid in res.ended["id"].tolist()
    assert tid not in res.live.get("id", np.array([])).tolist()
    assert core.table.row_of(tid) == -1
    assert core.table.n == 1 and int(core.table.a["id"][0]) != tid


def test_a_gap_shorter_than_the_coast_limit_keeps_the_track() -> None:
    # Five seconds without a scan (the coast limit is 10 s): the track coasts through
    # and takes the target back, as it would through five empty scans.
    core = TrackerCore(TrackerConfig(filter="cv"), dims=2)
    tid = _confirmed_mover(core)
    t = 19.0 + 5.0
    res = core.step(t, [_group(t, np.array([[1000.0 + 10.0 * t, 2000.0]]))])
    assert tid in res.live["id"].tolist()
    assert not res.ended or tid not in res.ended["id"].tolist()
