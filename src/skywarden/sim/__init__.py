"""The scenario simulator: scenario files -> truth trajectories -> sensor models -> detections.

>>> from skywarden.sim import load_scenario, Simulation
>>> scn = load_scenario("scenarios/el-paso.yaml")            # doctest: +SKIP
>>> for step in Simulation(scn, seed=1, duration_s=60).steps():  # doctest: +SKIP
...     step.t, step.truth, step.detections

Deterministic for a seed; streams one step per second (see docs/interfaces.md).
"""

from skywarden.sim.engine import Simulation, Step
from skywarden.sim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = ["Scenario", "ScenarioError", "Simulation", "Step", "load_scenario", "parse_scenario"]
