"""El Paso radar plots from the simulator, for the SAPIENT sensor-node simulator."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from skywarden.model import Detection

SCENARIO = Path(__file__).parents[2] / "scenarios" / "el-paso.yaml"
sys.path.insert(0, str(Path(__file__).parent))  # sapient_node, the test's sensor node


@pytest.fixture(scope="session")
def el_paso_radar() -> SimpleNamespace:
    """One minute of the El Paso radar with a classifier that saw the most: its site and
    its plots (positions with class reports), as the simulator makes them."""
    from skywarden.sim import Simulation, load_scenario

    scn = load_scenario(str(SCENARIO))
    plots: dict[str, list[Detection]] = {}
    for step in Simulation(scn, seed=1, duration_s=60).steps():
        for d in step.detections:
            if d.position is not None and "class_report" in d.attrs:
                plots.setdefault(d.sensor, []).append(d)
    sensor = max(plots, key=lambda s: len(plots[s]))
    site = next(s.site for s in scn.sensors if s.id == sensor)
    return SimpleNamespace(sensor=sensor, site=site, plots=plots[sensor])
