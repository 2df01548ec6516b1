"""A counter-drone radar's on-board class report: declared class and confidence per plot.

Counter-UAS radars classify on the radar, from micro-Doppler (rotor blade flashes against
wing beats) and track features: Echodyne EchoGuard runs a multi-class classifier with a
configurable UAV threshold (default 90 %), Robin Radar (IRIS, ELVIRA) and Blighter do the
same. Published figures this model's defaults rest on (``scenario.DEFAULT_CONFUSION``):

* Narayanan, Tsang & Bharadwaj 2023, "Classification and Discrimination of Birds and
  Small Drones Using Radar Micro-Doppler Spectrogram Images", Signals 4(2):337-358
  (doi:10.3390/signals4020018): 10 GHz CW radar, SVM, about 96 % drone vs bird and 85 %
  across five drone/bird classes.
* Jochumsen et al. 2016, "A recursive kinematic random forest and alpha beta filter
  classifier for 2D radar tracks", EURASIP J. Adv. Signal Process. 2016:82: 82.6 %
  overall on simulated and 79.7 % on real-world tracks (birds among the classes).
* Rahman & Robertson 2018, "Radar micro-Doppler signatures of drones and birds at K-band
  and W-band", Sci. Rep. 8:17396: the signatures that make the separation possible, and
  how weak the blade returns are next to the body echo.
* Torvik, Olsen & Griffiths 2016, "Classification of Birds and UAVs Based on Radar
  Polarimetry", IEEE GRSL 13(9):1305-1309: good separation of large birds and UAVs of
  comparable size with a nearest-neighbour classifier, in a controlled S-band experiment.
* Yoon et al. 2021, J. Electromagn. Eng. Sci. 21(4):270-281: accuracy "degraded
  significantly due to the diversity of both drones and birds".
* Dale et al. 2022, "SNR-dependent drone classification using convolutional neural
  networks", IET Radar Sonar Navig. 16(1):22-33 (doi:10.1049/rsn2.12161): accuracy drops
  with falling SNR; Fioranelli et al. 2023 (TechRxiv 22769693) warn that headline
  accuracies come from high-SNR tests.

So the nominal matrix is set below the laboratory figures, and skill fades with SNR.

**The law.** A plot's SNR margin ``m`` (dB) over the radar's 50 %-detection point follows
the radar equation the detection model uses (SNR ~ sigma / R^4)::

    m = 10 log10(sigma_meas / 0.01 m^2) + 40 log10(range_50_m / R)

with ``sigma_meas`` the measured echo (``rcs_dbsm``, fluctuation included). The matrix in
force is ``M(m) = w(m) M + (1 - w(m)) U`` with ``U`` uniform over the four classes and
``w(m) = 1 / (1 + exp(-(m - snr50_db) / snr_width_db))``. The default ``snr50_db`` = 8 dB
(an assumption, stated as such): micro-Doppler lines are weaker than the body echo, so
classifying takes more SNR than detecting; with it a 0.01 m^2 target at a border tower
(range_50 4.5 km) keeps half its skill at ~2.8 km and nearly all of it inside ~1.7 km.

**Persistence.** A radar classifies a track over a dwell, so one target's successive
reports are not independent draws: with probability ``exp(-update_s / correlation_s)``
a target keeps its previous declaration, else it is drawn afresh from its row of
``M(m)`` (the stationary law is that row, so the marginal frequencies follow the matrix).
A tracker must not multiply successive reports as independent evidence. False alarms
are new every scan and always drawn afresh from the ``clutter`` row.

**Confidence.** The stated confidence is the calibrated posterior of the declared class
under a uniform prior, ``M(m)[d, d] / sum_k M(m)[k, d]``, scattered per plot by a Beta law
with concentration ``confidence_concentration``. It depends only on the declared class and
the SNR, never on the truth, so it carries no information a real classifier's score would
not; it falls towards 0.25 as the echo weakens.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from skywarden.model import TargetClass
from skywarden.sim.scenario import CLASSIFIER_CLASSES, ClassifierConfig

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

REFERENCE_RCS_DBSM = -20.0  # 0.01 m^2, the radar model's reference target
CLUTTER = CLASSIFIER_CLASSES.index("clutter")

#: Truth class -> confusion-matrix row ("unknown" truth has no row of its own: clutter).
ROW_OF = {
    TargetClass.DRONE: CLASSIFIER_CLASSES.index("drone"),
    TargetClass.BIRD: CLASSIFIER_CLASSES.index("bird"),
    TargetClass.MANNED: CLASSIFIER_CLASSES.index("manned"),
    TargetClass.UNKNOWN: CLUTTER,
}


def confusion_array(cfg: ClassifierConfig) -> FloatArray:
    """The nominal matrix as a (4, 4) array, rows true and columns declared."""
    return np.array([[cfg.confusion[r][c] for c in CLASSIFIER_CLASSES] for r in CLASSIFIER_CLASSES])


def snr_margin_db(rcs_dbsm: FloatArray, range_m: FloatArray, range_50_m: float) -> FloatArray:
    """SNR above the 50 %-detection point of a 0.01 m^2 target at ``range_50_m`` (dB)."""
    r = np.maximum(np.asarray(range_m, dtype=float), 1.0)
    return np.asarray(rcs_dbsm, dtype=float) - REFERENCE_RCS_DBSM + 40.0 * np.log10(range_50_m / r)


def skill(margin_db: FloatArray, cfg: ClassifierConfig) -> FloatArray:
    """Weight of the nominal matrix against a uniform guess at an SNR margin (0..1)."""
    z = (np.asarray(margin_db, dtype=float) - cfg.snr50_db) / cfg.snr_width_db
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0))))


def effective(matrix: FloatArray, w: FloatArray) -> FloatArray:
    """(N, 4, 4) matrices in force at skills ``w``: ``w M + (1 - w) U``."""
    n = matrix.shape[0]
    w3 = np.asarray(w, dtype=float)[:, None, None]
    return w3 * matrix[None] + (1.0 - w3) / n


class ClassReporter:
    """Draws one radar's class reports, remembering each target's last declaration."""

    def __init__(self, cfg: ClassifierConfig, update_s: float, rng: np.random.Generator) -> None:
        self.cfg = cfg
        self.rng = rng
        self.matrix = confusion_array(cfg)
        self.keep_p = math.exp(-update_s / cfg.correlation_s) if cfg.correlation_s > 0 else 0.0
        self._last: dict[str, int] = {}

    def report(
        self, rows: IntArray, margin_db: FloatArray, ids: list[str | None]
    ) -> tuple[IntArray, FloatArray]:
        """Declared class index and stated confidence per plot.

        ``rows`` are the true classes' row indices, ``ids`` the target ids (``None`` for a
        false alarm, which never persists). Targets not reported in this call are
        forgotten, so memory follows the targets in view.
        """
        k = len(rows)
        rng = self.rng
        u_keep, u_class = rng.uniform(size=k), rng.uniform(size=k)
        m_eff = effective(self.matrix, skill(margin_db, self.cfg))
        probs = m_eff[np.arange(k), np.asarray(rows, dtype=np.intp)]
        drawn = np.minimum((u_class[:, None] > np.cumsum(probs, axis=1)).sum(axis=1), 3)
        prev = np.array([self._last.get(i, -1) if i is not None else -1 for i in ids], dtype=int)
        keep = (prev >= 0) & (u_keep < self.keep_p)
        declared = np.where(keep, prev, drawn).astype(np.intp)
        self._last = {i: int(d) for i, d in zip(ids, declared, strict=True) if i is not None}
        diag = m_eff[np.arange(k), declared, declared]
        col = m_eff[np.arange(k), :, declared].sum(axis=1)
        mean = np.clip(diag / col, 1e-3, 1.0 - 1e-3)
        c = self.cfg.confidence_concentration
        conf = rng.beta(c * mean, c * (1.0 - mean)) if k else np.zeros(0)
        return declared, np.asarray(conf, dtype=float)
