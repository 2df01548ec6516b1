"""The scenario simulator: scenario files -> truth trajectories -> sensor models -> detections.

>>> from skywarden.sim import load_scenario, Simulation, write_run
>>> scn = load_scenario("scenarios/el-paso.yaml")            # doctest: +SKIP
>>> for step in Simulation(scn, seed=1, duration_s=60).steps():  # doctest: +SKIP
...     step.t, step.truth, step.detections, step.seen
>>> write_run(Simulation(scn, seed=1), "out/el-paso")           # doctest: +SKIP

Deterministic for a seed; streams one step per second (see docs/interfaces.md).
Modules: ``scenario`` (the file format, validated), ``geography`` (border, sides,
runways, ground), ``traffic`` (truth generators), ``schedule`` (launch times),
``sensors`` (one model per sensor kind), ``engine`` (the loop), ``output`` (files and
summary), ``calibration`` (measuring a sensor model against its parameters).
"""

from skywarden.sim.engine import Simulation, Step
from skywarden.sim.output import RunSummary, write_run
from skywarden.sim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = [
    "RunSummary",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "Step",
    "load_scenario",
    "parse_scenario",
    "write_run",
]
