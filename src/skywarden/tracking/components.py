"""The tracker's components as objects, Stone Soup style: swap one, nothing else changes.

``TrackerCore(components=TrackerComponents(...))`` takes its filter, position gate,
associator, initiator, deleter, classifier, bearing associator, triangulator and
existence model as instances, each a small object with documented parameters
(Stone Soup's ``MultiTargetTracker`` takes its initiator, deleter and associator the
same way). Every field has a default, the El Paso tuning in 3-D; ``TrackerConfig``
and the YAML of ``track --config`` only build these objects
(:meth:`TrackerConfig.components`). To change one component of a configured tracker::

    comps = dataclasses.replace(TrackerConfig().components(3), deleter=Deleter(5.0))
    core = TrackerCore(components=comps)

``classifier=None`` skips classification (kinematic features, class probabilities):
for callers that report positions only (``track --enu``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from skywarden.tracking.association import GNNAssociator
from skywarden.tracking.bearing_assoc import BearingAssociator
from skywarden.tracking.classify import Classifier
from skywarden.tracking.deletion import Deleter
from skywarden.tracking.doppler import DopplerGate
from skywarden.tracking.existence import Existence
from skywarden.tracking.filters import Filter, IMMFilter
from skywarden.tracking.gating import PositionGate
from skywarden.tracking.initiation import Initiator
from skywarden.tracking.triangulation import Triangulator


@dataclass(frozen=True)
class TrackerComponents:
    """What a tracker is made of (see module).

    ``velocity_sigma_ms``: a full-state report's velocity sigma when it gives none.
    ``report_min_p_exist``: a coasting track is reported only while its existence
    probability is at least this (it is kept for re-acquisition until deleted).
    ``doppler``: radial speeds join the position gate, cost and update (None: position
    only; see :mod:`.doppler`).
    """

    filter: Filter = field(default_factory=IMMFilter)
    gate: PositionGate = field(default_factory=PositionGate)
    associator: GNNAssociator = field(default_factory=GNNAssociator)
    initiator: Initiator = field(default_factory=Initiator)
    deleter: Deleter = field(default_factory=Deleter)
    classifier: Classifier | None = field(default_factory=Classifier)
    bearings: BearingAssociator = field(default_factory=BearingAssociator)
    triangulator: Triangulator = field(default_factory=lambda: Triangulator(max_range_m=10_000.0))
    existence: Existence = field(default_factory=lambda: Existence(clutter_density=5e-9))
    velocity_sigma_ms: float = 2.0
    report_min_p_exist: float = 0.8
    doppler: DopplerGate | None = field(default_factory=DopplerGate)
