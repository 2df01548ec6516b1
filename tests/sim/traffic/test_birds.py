"""Bird truth: slow, low, meandering, small echo, no cooperative identity."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from skywarden.model import TargetClass
from skywarden.sim import load_scenario
from skywarden.sim.geography import Geography
from skywarden.sim.scenario import BirdTraffic
from skywarden.sim.seeding import stream
from skywarden.sim.traffic.birds import bird, flock

SCENARIO = Path(__file__).parents[3] / "scenarios" / "el-paso.yaml"


def test_birds_are_slow_low_and_anonymous() -> None:
    scn = load_scenario(SCENARIO)
    geo = Geography(scn.frame, scn.sector.extent_m, scn.sector.ground_alt_m, ["KELP"])
    cfg = BirdTraffic()
    for i in range(20):
        tg = bird(cfg, geo, 1_770_778_800.0, stream(1, "bird", i, 0), f"b{i}")
        assert tg.kind is TargetClass.BIRD and tg.identity is None
        assert not tg.remote_id and not tg.adsb and tg.link is None
        speed = np.linalg.norm(tg.vel, axis=1)
        assert speed.max() < cfg.speed_mps[1] * 1.2 + 2.0
        agl = tg.xyz[:, 2] - geo.ground_at(tg.xyz[:, 0], tg.xyz[:, 1])
        # Birds keep their altitude band from where they started: over the airport mesa
        # (57 m above the valley floor) or off it, the band shifts by up to that much.
        mesa = geo.airport("KELP").elevation_m - geo.ground_alt_m
        assert agl.min() >= 5.0 - 1e-9 and agl.max() < cfg.agl_m[1] + mesa + 8.0
        assert cfg.rcs_m2[0] <= tg.rcs_m2 <= cfg.rcs_m2[1]
        # Meandering: heading changes along the way.
        hdg = np.degrees(np.arctan2(tg.vel[:, 0], tg.vel[:, 1]))
        assert np.ptp(np.unwrap(np.radians(hdg))) > np.radians(20)


# --------------------------------------------------------------------------- as they fly

DAY_T = 1_770_778_800.0 + 15 * 3600.0  # 18:00Z, ~10:55 local solar time at El Paso
NIGHT_T = 1_770_778_800.0  # 03:00Z, ~20:00 local solar time


def _geo() -> Geography:
    scn = load_scenario(SCENARIO)
    return Geography(scn.frame, scn.sector.extent_m, scn.sector.ground_alt_m, ["KELP"])


def test_the_default_ranges_are_unchanged() -> None:
    # The contract: new behaviour never makes birds easier.
    cfg = BirdTraffic()
    assert cfg.speed_mps == (6.0, 15.0) and cfg.agl_m == (10.0, 400.0)
    assert cfg.rcs_m2 == (0.001, 0.02) and cfg.radius_m == 20_000.0
    shipped = load_scenario(SCENARIO).traffic.birds
    assert (shipped.speed_mps, shipped.agl_m, shipped.rcs_m2) == (
        cfg.speed_mps,
        cfg.agl_m,
        cfg.rcs_m2,
    )


def test_shipped_birds_stay_in_their_ranges() -> None:
    geo = _geo()
    cfg = load_scenario(SCENARIO).traffic.birds
    mesa = geo.airport("KELP").elevation_m - geo.ground_alt_m
    cruise = []
    for t0 in (NIGHT_T, DAY_T):
        for i in range(15):
            for tg in flock(cfg, geo, t0, stream(2, "bird", i, 0), f"bird-{i:02d}-000"):
                speed = np.linalg.norm(tg.vel, axis=1)
                assert speed.max() < cfg.speed_mps[1] * 1.2 + 2.0
                agl = tg.xyz[:, 2] - geo.ground_at(tg.xyz[:, 0], tg.xyz[:, 1])
                assert agl.min() >= 5.0 - 1e-9 and agl.max() < cfg.agl_m[1] + mesa + 8.0
                assert cfg.rcs_m2[0] <= tg.rcs_m2 <= cfg.rcs_m2[1]
                cruise.append(float(np.median(speed)))
    # Cruise speeds still cover the range, from slow to fast birds.
    assert min(cruise) < 8.0 and max(cruise) > 13.0


def test_flocks_fly_together() -> None:
    geo = _geo()
    cfg = BirdTraffic(flock_size=(4, 4), flock_spacing_m=(5.0, 15.0))
    fl = flock(cfg, geo, NIGHT_T, stream(1, "bird", 3, 0), "bird-03-000")
    assert [t.id for t in fl] == [f"bird-03-000-{m}" for m in range(1, 5)]
    assert {t.attrs["group"] for t in fl} == {"bird-03-000"}
    assert {t.role for t in fl} == {"bird"} and len({t.rcs_m2 for t in fl}) == 4
    lead = fl[0]
    for m in fl[1:]:
        assert m.t0 == lead.t0 and len(m.xyz) == len(lead.xyz)
        gap = np.linalg.norm(m.xyz[:, :2] - lead.xyz[:, :2], axis=1)
        assert np.median(gap) < 2 * cfg.flock_spacing_m[1]
        # Same flight: velocities agree far better than two independent birds' would.
        dv = np.linalg.norm(m.vel[:, :2] - lead.vel[:, :2], axis=1)
        assert np.median(dv) < 0.3 * np.median(np.linalg.norm(lead.vel[:, :2], axis=1))
    # A flock of one keeps the plain id, as single birds always had.
    one = flock(BirdTraffic(), geo, NIGHT_T, stream(1, "bird", 3, 0), "bird-03-000")
    assert [t.id for t in one] == ["bird-03-000"] and "group" not in one[0].attrs


def _step_stats(cfg: BirdTraffic, n: int = 12) -> tuple[float, float]:
    """Median over birds of the sd of per-second speed change and heading change (deg)."""
    geo = _geo()
    dv, dh = [], []
    for i in range(n):
        tg = bird(cfg, geo, NIGHT_T, stream(4, "bird", i, 0), f"b{i}")
        sp = np.linalg.norm(tg.vel[:, :2], axis=1)
        hd = np.unwrap(np.arctan2(tg.vel[:, 0], tg.vel[:, 1]))
        dv.append(float(np.std(np.diff(sp))))
        dh.append(float(np.degrees(np.std(np.diff(hd)))))
    return float(np.median(dv)), float(np.median(dh))


def test_wing_beat_jitter_shows_in_speed_and_heading() -> None:
    calm = _step_stats(BirdTraffic(speed_jitter=0.0, heading_jitter_deg=0.0))
    flapping = _step_stats(BirdTraffic())
    assert flapping[0] > 1.5 * calm[0] and flapping[1] > 1.5 * calm[1]


def test_soaring_by_day_only() -> None:
    geo = _geo()
    cfg = BirdTraffic(soaring_fraction=1.0)
    tg = bird(cfg, geo, DAY_T, stream(1, "bird", 0, 0), "b")
    assert tg.attrs.get("soaring") is True
    hd = np.unwrap(np.arctan2(tg.vel[:, 0], tg.vel[:, 1]))
    assert abs(hd[-1] - hd[0]) / (2 * np.pi) > 3  # several full thermal circles
    assert tg.vel[:, 2].max() > 0.4  # climbing in the thermal
    assert tg.vel[:, 2].min() < -0.3  # sinking in the glide
    night = bird(cfg, geo, NIGHT_T, stream(1, "bird", 0, 0), "b")
    assert "soaring" not in night.attrs  # no thermals at night


def test_flocks_in_a_run_are_deterministic_by_seed() -> None:
    from skywarden.sim import Simulation, parse_scenario

    scn = load_scenario(SCENARIO)
    doc = scn.model_dump(mode="json", exclude={"source"})
    doc["traffic"]["birds"].update(flock_size=[3, 3], count=4)
    flocky = parse_scenario(doc)

    def run(seed: int) -> list[tuple[str, float, float]]:
        sim = Simulation(flocky, seed=seed, duration_s=60)
        return [(p.target, p.lat, p.lon) for s in sim.steps() for p in s.truth if p.role == "bird"]

    a, b, c = run(5), run(5), run(6)
    assert a == b and a != c
    ids = {t for t, _, _ in a}
    assert ids and all(t.rsplit("-", 1)[1] in {"1", "2", "3"} for t in ids)
