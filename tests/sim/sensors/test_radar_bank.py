"""The radar bank against the one-radar-at-a-time reference, bit for bit.

``RadarBank`` exists only for speed: its plots must be the very floats each radar
scanning alone makes, from the same draws of the same streams, or every seeded output
would shift. The radars here differ in every parameter the bank turns into columns
(limits, a sector, slopes, noise, update period, a classifier).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from skywarden.sim import Simulation, load_scenario
from skywarden.sim.calibration import T_NIGHT
from skywarden.sim.scenario import RadarConfig
from skywarden.sim.seeding import stream
from skywarden.sim.sensors.radar import Radar
from skywarden.sim.sensors.radar_bank import RadarBank
from skywarden.sim.snapshot import Snapshot

SCENARIO = Path(__file__).parents[3] / "scenarios" / "el-paso.yaml"


def _configs() -> list[RadarConfig]:
    scn = load_scenario(SCENARIO)
    cfgs = [c for c in scn.sensors if isinstance(c, RadarConfig)]
    assert any(c.classifier is not None for c in cfgs)
    assert any(c.azimuth_max_deg - c.azimuth_min_deg < 360.0 for c in cfgs)
    cfgs[0] = cfgs[0].model_copy(update={"pd_slope": 4.0, "update_s": 2})
    cfgs[1] = cfgs[1].model_copy(update={"sigma_range_m": 9.0, "false_alarms_per_scan": 4.0})
    return cfgs


def test_a_bank_makes_the_plots_of_each_radar_alone() -> None:
    cfgs = _configs()
    steps = Simulation(load_scenario(SCENARIO), seed=5).steps()
    snaps = [st.snapshot for st in itertools.islice(steps, 240)]
    banked = [Radar(c, stream(5, "sensor", c.id)) for c in cfgs]
    RadarBank(banked)
    alone = [Radar(c, stream(5, "sensor", c.id)) for c in cfgs]
    plots = 0
    for snap in snaps:
        for b, a in zip(banked, alone, strict=True):
            got, want = b.observe(snap), a.observe_alone(snap)
            assert repr([d.to_dict() for d in got]) == repr([d.to_dict() for d in want])
            assert b.last_seen == a.last_seen
            plots += len(got)
    assert plots > 1000
    for b, a in zip(banked, alone, strict=True):  # the streams are where they were
        assert b.rng.random() == a.rng.random()
        if b.classifier is not None and a.classifier is not None:
            assert b.classifier.rng.random() == a.classifier.rng.random()


def test_a_lone_radar_asked_twice_scans_twice() -> None:
    cfg = _configs()[2]
    r = Radar(cfg, np.random.default_rng(3))
    snap = next(iter(Simulation(load_scenario(SCENARIO), seed=5).steps())).snapshot
    first, second = r.observe(snap), r.observe(snap)
    assert first and second
    assert [d.to_dict() for d in first] != [d.to_dict() for d in second]


def test_an_empty_sky_gives_each_radar_its_false_alarms_as_alone() -> None:
    cfgs = _configs()
    banked = [Radar(c, stream(7, "sensor", c.id)) for c in cfgs]
    RadarBank(banked)
    alone = [Radar(c, stream(7, "sensor", c.id)) for c in cfgs]
    empty = Snapshot.of(T_NIGHT, [], banked[0].frame)
    for b, a in zip(banked, alone, strict=True):
        got, want = b.observe(empty), a.observe_alone(empty)
        assert repr([d.to_dict() for d in got]) == repr([d.to_dict() for d in want])
