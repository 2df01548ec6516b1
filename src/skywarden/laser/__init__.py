"""skywarden.laser: keep a counter-drone laser from ever endangering an aircraft.

Eye hazard (ANSI Z136.1 MPE, NOHD of a Gaussian beam with atmospheric attenuation), the
FAA flight zones (AC 70-1B, JO 7400.2 ch. 29) around airports from the runway data, the
3-D hazard volume of a firing fan, the smallest TFR with its FAA and ICAO NOTAM text, the
flows and flights it touches, and a live HOLD/CLEAR interlock (see docs/interfaces.md):

    from skywarden.laser import load_laser_plan, HoldFire
    plan = load_laser_plan("scenarios/el-paso-laser.yaml")
    hold = HoldFire(plan, frame)
    d = hold.decide(t, updates)   # Decision(state="HOLD"|"CLEAR", reasons, tracks)
"""

from skywarden.laser.beam import Beam, extinction_per_km
from skywarden.laser.flight_zones import FlightZone, HazardDistances, hazard_distances
from skywarden.laser.holdfire import CLEAR, HOLD, Decision, HoldFire
from skywarden.laser.mpe import LaserInputError, mpe_w_cm2
from skywarden.laser.plan import LaserPlan, LaserPlanError, load_laser_plan
from skywarden.laser.tfr import Tfr, smallest_tfr
from skywarden.laser.volume import Fan, HazardVolume

__all__ = [
    "CLEAR",
    "HOLD",
    "Beam",
    "Decision",
    "Fan",
    "FlightZone",
    "HazardDistances",
    "HazardVolume",
    "HoldFire",
    "LaserInputError",
    "LaserPlan",
    "LaserPlanError",
    "Tfr",
    "extinction_per_km",
    "hazard_distances",
    "load_laser_plan",
    "mpe_w_cm2",
    "smallest_tfr",
]
