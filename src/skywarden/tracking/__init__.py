"""skywarden.tracking: filters, gating, assignment, track management, fusion, classification.

The seams of a classic tracker, each a small component with documented parameters:
motion models (:mod:`.motion`), filters (:mod:`.filters`: constant-velocity Kalman and
IMM), measurement models (:mod:`.measurements`), gating (:mod:`.gating`), association
(:mod:`.association`), range-aware bearing association (:mod:`.bearings`), initiation
(:mod:`.initiation`), deletion (:mod:`.deletion`), existence (:mod:`.existence`, IPDA),
RF triangulation (:mod:`.triangulation`) and classification (:mod:`.classify`, with
radar class reports in :mod:`.classreport` and kinematic features in
:mod:`.kinematics`); configuration files in :mod:`.config_file`,
assembled as objects (:class:`TrackerComponents`, built by :class:`TrackerConfig` or
by hand) by the array core (:mod:`.core`) and faced by :class:`Tracker`
(``Detection`` in, ``TrackUpdate`` out). GOSPA lives in :mod:`.metrics`, the evaluation
against truth in :mod:`.evaluation`.

    from skywarden.tracking import Tracker, TrackerConfig
    tracker = Tracker(frame, TrackerConfig())
    updates = tracker.step(t, detections)
"""

from skywarden.tracking.components import TrackerComponents
from skywarden.tracking.config import InvalidConfig, TrackerConfig
from skywarden.tracking.core import ScanError, ScanGroup, TrackerCore
from skywarden.tracking.metrics import Gospa, gospa
from skywarden.tracking.tracker import Tracker, track_name

__all__ = [
    "Gospa",
    "InvalidConfig",
    "ScanError",
    "ScanGroup",
    "Tracker",
    "TrackerComponents",
    "TrackerConfig",
    "TrackerCore",
    "gospa",
    "track_name",
]
