"""Tracker configuration: every parameter in one validated, documented place.

``TrackerConfig()`` is tuned for the El Paso sector (small drones, manned traffic, 1 Hz
scans). For the core it builds the tracker's components
(:class:`~.components.TrackerComponents`: filter, gate, associator, initiator, deleter,
classifier, bearing associator, triangulator, existence) and nothing else: the core
takes the objects, so a caller can swap any one of them without a configuration field
for it. The remaining fields (default sensor sigmas, report age and drift, DF ranges)
are read where detections become scan groups (:mod:`.scan`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from skywarden.errors import SkywardenError
from skywarden.tracking.association import GNNAssociator
from skywarden.tracking.bearing_assoc import BearingAssociator
from skywarden.tracking.bearings import BearingGate
from skywarden.tracking.classify import Classifier
from skywarden.tracking.components import TrackerComponents
from skywarden.tracking.deletion import Deleter
from skywarden.tracking.doppler import DopplerGate
from skywarden.tracking.existence import Existence
from skywarden.tracking.filters import Filter, IMMFilter, KalmanFilter
from skywarden.tracking.gating import CHI2_999, PositionGate
from skywarden.tracking.initiation import Initiator, MofN
from skywarden.tracking.motion import ConstantVelocity, CoordinatedTurn, Hover
from skywarden.tracking.rf_bias import RfBias
from skywarden.tracking.triangulation import Triangulator


class InvalidConfig(SkywardenError, ValueError):
    """A tracker parameter is out of range. Names the parameter."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"TrackerConfig.{name}: {reason}")
        self.field = name
        self.reason = reason


#: the four-model IMM's mode persistence per second and first probabilities (cruise,
#: hover, left and right turn): a turn lasts as long as a hover (a manoeuvre of seconds)
TURN_STAY_PER_S = (0.98, 0.85, 0.85, 0.85)
TURN_MU0 = (0.7, 0.2, 0.05, 0.05)
#: a turn rate above this is not a coordinated turn at speed (180 deg in a second)
MAX_TURN_RATE_DEG_S = 180.0

_DEFAULT_SIGMA_M = MappingProxyType(
    {"radar": 25.0, "rf": 200.0, "remote_id": 10.0, "adsb": 30.0, "visual": 300.0, "eo": 30.0}
)


@dataclass(frozen=True)
class TrackerConfig:
    """Parameters of the tracker.

    Filter: ``filter`` is ``"imm"`` (cruise + hover/manoeuvre, the default) or ``"cv"``
    (one constant-velocity Kalman filter with noise density ``cv_q`` m^2/s^3). The IMM's
    cruise model is that constant-velocity model, its hover/manoeuvre model a velocity
    decaying with time constant ``hover_tau_s`` (s) under noise ``hover_q`` (m^2/s^3).
    ``turn_rate_deg_s`` (None: off) adds two coordinated-turn models, turning at that
    rate left and right under the cruise noise ``cv_q`` (:class:`~.motion.CoordinatedTurn`;
    Bar-Shalom, Li and Kirubarajan 2001, section 11.7.1): neither cruise nor hover
    predicts a 90 deg turn at 8 m/s, and with Doppler on the plots after such a turn
    have a radial speed both put far off, so the track refuses its own drone's plots and
    coasts straight on, held by bearings (the 30-day month's one false unit, S05 day 3).
    A noisy constant-velocity model follows the turn too but lets a bird's plot beside
    a hovering drone through the Doppler gate again; the turn models keep the speed and
    do not (``bench/doppler_gate.py``, docs/notes/wave18.md).
    Gating: ``gate_chi2`` (None = 99.9 % chi-square point for the position dimension),
    ``bearing_gate_chi2`` for 1-D bearings.
    Initiation: tentative tracks confirm after ``confirm_m`` hits in ``confirm_n`` scans.
    3 of 4 (default) suits the sector radars: sparse false alarms (about 0.004 per km^2
    per scan) and small drones seen only intermittently at range. In dense clutter
    (1 plot/km^2 per scan, the benchmark) 3 of 4 confirms about one false track per 300
    clutter plots; 4 hits with a tentative track dropped after 2 missed scans
    (``confirm_m=4, confirm_n=32, tentative_max_coast_s=1.5``) none in 30,000.
    A new track's velocity is unknown with ``init_speed_sigma_ms`` per axis.
    Deletion: ``max_coast_s``, ``tentative_max_coast_s``, ``max_position_sigma_m``.
    Sensors: ``default_sigma_m`` per sensor kind when a detection has no covariance;
    ``velocity_sigma_ms`` when a full-state report gives none; a delayed report (visual
    sightings carry ``attrs["observed_t"]``) older than ``max_report_age_s`` is not used,
    a younger one has its covariance grown by ``report_drift_ms`` per second of age (what
    the target may have done that its track's velocity does not say: the report is met
    by each track retrodicted to ``observed_t``, :mod:`.delayed`).
    RF direction finders: a DF's detection range is ``attrs["range_max_m"]`` of its
    bearings if the sensor says, else ``rf_range_m[sensor]``, else ``rf_max_range_m``
    (10 km: the upper end of what commercial DFs claim for a small drone's link);
    ``bearing`` holds the geometric association weights (:mod:`.bearings`); RF-only
    tracks start ``rf_default_height_m`` above the frame origin
    (+-``rf_height_sigma_m``) unless elevation is measured.
    Doppler (:mod:`.doppler`): with ``doppler`` on, a radar plot's radial speed joins
    its position in the gate, the association cost and the update when every plot of
    the group carries one; ``doppler_sigma_ms`` is its error (1 sigma) where the radar
    states none (1 m/s: twice the simulated radars' 0.5 m/s). On by default since
    wave 16, when the gate took each motion model's own distance: wave 15's gate, from
    the mixed state, kept a hovering drone's track from a passing bird but broke a
    drone's track where it turned back at the line (docs/notes/wave15.md, wave16.md).
    Existence (IPDA, :mod:`.existence`): ``detection_probability`` per scan,
    ``survival_per_s``, clutter density ``clutter_per_km2`` (2-D runs) or
    ``clutter_per_km3`` (3-D), a new track's ``p_exist_init``. A coasting track is kept
    until deleted but reported only while ``p_exist >= report_min_p_exist`` (with
    ``P_D`` 0.9: shown after one missed scan, hidden after two).
    """

    filter: str = "imm"
    cv_q: float = 0.5
    gate_chi2: float | None = None
    bearing_gate_chi2: float = CHI2_999[1]
    confirm_m: int = 3
    confirm_n: int = 4
    max_coast_s: float = 10.0
    tentative_max_coast_s: float = 2.5
    max_position_sigma_m: float = 1500.0
    init_speed_sigma_ms: float = 25.0
    default_sigma_m: Mapping[str, float] = field(default_factory=lambda: _DEFAULT_SIGMA_M)
    velocity_sigma_ms: float = 2.0
    max_report_age_s: float = 60.0
    report_drift_ms: float = 15.0
    rf_max_range_m: float = 10_000.0
    rf_range_m: Mapping[str, float] = field(default_factory=dict)
    bearing: BearingGate = field(default_factory=BearingGate)
    detection_probability: float = 0.9
    survival_per_s: float = 0.99
    clutter_per_km2: float = 1.0
    clutter_per_km3: float = 5.0
    p_exist_init: float = 0.5
    report_min_p_exist: float = 0.8
    rf_default_height_m: float = 100.0
    rf_height_sigma_m: float = 100.0
    classifier: Classifier = field(default_factory=Classifier)
    dense_limit: int = 4096
    hover_tau_s: float = 2.0
    hover_q: float = 8.0
    turn_rate_deg_s: float | None = None
    doppler: bool = True
    doppler_sigma_ms: float = 1.0

    def __post_init__(self) -> None:
        if self.filter not in ("imm", "cv"):
            raise InvalidConfig("filter", f"expected 'imm' or 'cv', got {self.filter!r}")
        positive = [
            "cv_q",
            "bearing_gate_chi2",
            "max_coast_s",
            "tentative_max_coast_s",
            "max_position_sigma_m",
            "init_speed_sigma_ms",
            "velocity_sigma_ms",
            "rf_max_range_m",
            "rf_height_sigma_m",
            "clutter_per_km2",
            "clutter_per_km3",
            "hover_tau_s",
            "hover_q",
            "doppler_sigma_ms",
        ]
        for name in positive:
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise InvalidConfig(name, f"must be a positive number, got {v!r}")
        t = self.turn_rate_deg_s
        ok = isinstance(t, int | float) and math.isfinite(t) and 0 < t <= MAX_TURN_RATE_DEG_S
        if t is not None and not ok:
            raise InvalidConfig(
                "turn_rate_deg_s",
                f"must be a number in (0, {MAX_TURN_RATE_DEG_S:g}] or null, got {t!r}",
            )
        if t is not None and self.filter != "imm":
            raise InvalidConfig("turn_rate_deg_s", "turn models are IMM models: needs filter imm")
        if self.gate_chi2 is not None and not self.gate_chi2 > 0:
            raise InvalidConfig("gate_chi2", f"must be positive, got {self.gate_chi2!r}")
        if not 1 <= self.confirm_m <= self.confirm_n <= 32:
            raise InvalidConfig("confirm_m", "need 1 <= confirm_m <= confirm_n <= 32")
        for name in ("detection_probability", "survival_per_s", "p_exist_init"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and 0.0 < v <= 1.0):
                raise InvalidConfig(name, f"must be in (0, 1], got {v!r}")
        v = self.report_min_p_exist
        if not (isinstance(v, int | float) and 0.0 <= v <= 1.0):
            raise InvalidConfig("report_min_p_exist", f"must be in [0, 1], got {v!r}")
        for sensor, r in self.rf_range_m.items():
            if not (isinstance(r, int | float) and math.isfinite(r) and r > 0):
                raise InvalidConfig("rf_range_m", f"{sensor}: must be positive, got {r!r}")
        for kind, s in self.default_sigma_m.items():
            if not (math.isfinite(s) and s > 0):
                raise InvalidConfig("default_sigma_m", f"{kind}: must be positive, got {s!r}")

    # ----------------------------------------------------------- components

    def components(self, dims: int, classify: bool = True) -> TrackerComponents:
        """Every component of a ``dims``-D tracker (``classify=False``: no classifier)."""
        return TrackerComponents(
            filter=self.make_filter(dims),
            gate=PositionGate(self.gate_chi2, self.dense_limit),
            associator=GNNAssociator(),
            initiator=self.initiator(),
            deleter=self.deleter(),
            classifier=self.classifier if classify else None,
            bearings=BearingAssociator(self.bearing_gate(), self._finder_slots(classify)),
            triangulator=self.triangulator(),
            existence=self.existence(dims),
            velocity_sigma_ms=self.velocity_sigma_ms,
            report_min_p_exist=self.report_min_p_exist,
            doppler=DopplerGate(self.doppler_sigma_ms) if self.doppler else None,
        )

    def make_filter(self, dims: int) -> Filter:
        cruise = ConstantVelocity(q=self.cv_q)
        if self.filter == "cv":
            return KalmanFilter(cruise, dims=dims)
        hover = Hover(tau_s=self.hover_tau_s, q=self.hover_q)
        if self.turn_rate_deg_s is None:
            return IMMFilter((cruise, hover), dims=dims)
        w = math.radians(self.turn_rate_deg_s)
        left = CoordinatedTurn(w, self.cv_q, "left")
        right = CoordinatedTurn(-w, self.cv_q, "right")
        return IMMFilter((cruise, hover, left, right), TURN_STAY_PER_S, TURN_MU0, dims=dims)

    def gate(self, dims: int) -> float:
        return self.gate_chi2 if self.gate_chi2 is not None else CHI2_999[dims]

    def initiator(self) -> Initiator:
        return Initiator(MofN(self.confirm_m, self.confirm_n), self.init_speed_sigma_ms)

    def deleter(self) -> Deleter:
        return Deleter(self.max_coast_s, self.tentative_max_coast_s, self.max_position_sigma_m)

    def triangulator(self) -> Triangulator:
        return Triangulator(
            max_range_m=self.rf_max_range_m,
            default_height_m=self.rf_default_height_m,
            height_sigma_m=self.rf_height_sigma_m,
        )

    def bearing_gate(self) -> BearingGate:
        return replace(self.bearing, gate_chi2=self.bearing_gate_chi2)

    def _finder_slots(self, classify: bool) -> RfBias | None:
        """The per-finder follow test's settings when a classifying tracker keeps it."""
        rf = self.classifier.rf_bias
        return rf if classify and rf.per_finder else None

    def existence(self, dims: int) -> Existence:
        # clutter per km^2 (2-D) or km^3 (3-D) scan -> per m^dims
        density = self.clutter_per_km2 * 1e-6 if dims == 2 else self.clutter_per_km3 * 1e-9
        return Existence(
            detection_probability=self.detection_probability,
            survival_per_s=self.survival_per_s,
            clutter_density=density,
            p_init=self.p_exist_init,
        )

    def rf_range_for(self, sensor: str) -> float:
        """A direction finder's detection range (m): per sensor, else ``rf_max_range_m``."""
        return float(self.rf_range_m.get(sensor, self.rf_max_range_m))

    def sigma_for(self, kind: str) -> float:
        return float(self.default_sigma_m.get(kind, 50.0))
