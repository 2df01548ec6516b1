"""Radar class reports fused as likelihoods through the radar's confusion matrix.

Counter-drone radars classify on the radar (micro-Doppler: rotor blade flash against
wing beat, plus track features) and report a declared class with a confidence per plot
or track; Echodyne EchoGuard, Robin IRIS/ELVIRA and Blighter A800 all do. A declared
class is not the truth: the vendor publishes (or the integrator measures) a confusion
matrix ``M[true, declared] = P(declared | true)``. A report of class ``d`` with
confidence ``c`` is soft evidence (Pearl's virtual evidence): the declared class has
weight ``c``, each other ``(1 - c) / 3``, and the likelihood of each true class is
``l(true) = sum_d q(d) M[true, d]``. A report with ``c = 1`` moves the odds of two
classes by exactly the ratio of their matrix entries; ``c = 0.25`` carries nothing.

True class ``clutter`` maps to the tracker's ``unknown``: a plot the radar calls
clutter supports "not a known flying object".

Correlated reports. Successive reports on one target come from the same echo and the
same classifier, which declares a class over a dwell: one target's declaration persists
for about ``correlation_s`` (20 s), so twenty reports at 1 Hz are about one independent
opinion, not twenty. Each report's log-likelihood is therefore weighted by the chance
that it is a fresh draw, ``1 - exp(-dt / correlation_s)`` with ``dt`` the time since the
track's previous report (the first report counts fully): the effective number of
independent reports, the discounted likelihood of a Markov-persistent declaration.
Reports from two radars in the same second are discounted as one (conservative: it
under-counts independent classifiers rather than over-counting one). The accumulated
vector decays with ``tau_s`` (120 s, about six independent declarations kept) and,
after centring on its largest class, no class may trail the leader by more than
``cap_nats`` (ln 20 = 3.0 nats): radar reports alone never make one class more than
20 times as likely as another, however many arrive.

Measured on El Paso (docs/notes/evidence.md): without the discount, a bird the radar
declared "drone" for 20 s went to the full 20:1 cap, and the term followed the latest
declaration rather than the average of several.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skywarden.errors import SkywardenError
from skywarden.geo import FloatArray

REPORT_CLASSES = ("drone", "bird", "manned", "clutter")

# P(declared | true): rows true drone, bird, manned, clutter; columns declared in the
# same order. The VENDOR'S CLAIM for a modern counter-UAS radar (the order of the
# >= 90 % drone classification and ~85 % bird figures quoted in Echodyne, Robin Radar
# and Blighter product literature), not a measurement: configure it per radar from
# the vendor's sheet or, better, from your own trials.
DEFAULT_CONFUSION = (
    (0.90, 0.06, 0.01, 0.03),
    (0.10, 0.85, 0.01, 0.04),
    (0.02, 0.02, 0.95, 0.01),
    (0.10, 0.15, 0.01, 0.74),
)


class ClassReportError(SkywardenError, ValueError):
    """A detection's class report cannot be used; names the attribute and value."""


@dataclass(frozen=True)
class RadarClassModel:
    """Confusion matrix (rows true, columns declared, drone/bird/manned/clutter) and the
    rule against over-confidence from correlated reports (see module)."""

    confusion: tuple[tuple[float, ...], ...] = DEFAULT_CONFUSION
    per_sensor: Mapping[str, tuple[tuple[float, ...], ...]] = field(default_factory=dict)
    tau_s: float = 120.0
    cap_nats: float = math.log(20.0)
    correlation_s: float = 20.0

    def __post_init__(self) -> None:
        for name, m in [("confusion", self.confusion), *self.per_sensor.items()]:
            arr = np.asarray(m, dtype=float)
            if arr.shape != (4, 4) or not np.isfinite(arr).all() or (arr < 0).any():
                raise ValueError(f"radar class matrix {name!r}: need 4x4 non-negative numbers")
            if not np.allclose(arr.sum(axis=1), 1.0, atol=1e-3):
                raise ValueError(f"radar class matrix {name!r}: each row must sum to 1")
        if not (self.tau_s > 0 and self.cap_nats > 0 and self.correlation_s > 0):
            raise ValueError(
                "radar class model: tau_s, cap_nats and correlation_s must be positive"
            )

    def likelihood(self, sensor: str, attrs: Mapping[str, Any]) -> FloatArray:
        """(4,) likelihood per TRACKER class (drone, manned, bird, unknown), or NaNs."""
        label = attrs.get("class_report")
        if label is None:
            return np.full(4, np.nan)
        if label not in REPORT_CLASSES:
            raise ClassReportError(
                f"{sensor}: attrs['class_report'] = {label!r}, expected one of {REPORT_CLASSES}"
            )
        conf = attrs.get("class_confidence", 1.0)
        if isinstance(conf, bool) or not isinstance(conf, int | float) or not 0 <= conf <= 1:
            raise ClassReportError(
                f"{sensor}: attrs['class_confidence'] = {conf!r}, expected a number in [0, 1]"
            )
        m = np.asarray(self.per_sensor.get(sensor, self.confusion), dtype=float)
        q = np.full(4, (1.0 - float(conf)) / 3.0)
        q[REPORT_CLASSES.index(label)] = float(conf)
        lik = m @ q  # per true class, in report order drone, bird, manned, clutter
        return np.asarray(lik[[0, 2, 1, 3]])

    def decay(self, c_cls: FloatArray, dt: float) -> FloatArray:
        return np.asarray(c_cls * math.exp(-dt / self.tau_s))

    def freshness(self, since_s: FloatArray) -> FloatArray:
        """Weight of a report ``since_s`` seconds after the track's previous one (inf:
        the first): the chance the declaration was drawn afresh."""
        return np.asarray(-np.expm1(-np.maximum(since_s, 0.0) / self.correlation_s))

    def fold(
        self, c_cls: FloatArray, lik: FloatArray, weight: FloatArray | float = 1.0
    ) -> FloatArray:
        """Accumulated log-likelihoods (k, 4) after reports ``lik`` (k, 4), each counted
        with ``weight`` (k,) (see :meth:`freshness`), capped."""
        w = np.asarray(weight, dtype=float)
        w = w[:, None] if w.ndim == 1 else w
        ll = c_cls + w * np.log(np.maximum(lik, 1e-12))
        ll = ll - ll.max(axis=1, keepdims=True)
        return np.asarray(np.maximum(ll, -self.cap_nats))
