"""Bird truth: slow, low, meandering, small echo, no cooperative identity."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from skywarden.model import TargetClass
from skywarden.sim import load_scenario
from skywarden.sim.geography import Geography
from skywarden.sim.scenario import BirdTraffic
from skywarden.sim.seeding import stream
from skywarden.sim.traffic.birds import bird

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
