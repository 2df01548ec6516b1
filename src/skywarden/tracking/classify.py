"""Classification: drone / manned / bird / unknown probabilities from kept evidence.

Each track carries a few evidence features, updated per scan for all tracks at once:
cooperative reports (ADS-B, Remote ID), RF control-link bearings, radar cross-section,
smoothed speed, height above the frame origin, time spent hovering and vertical rate.
The class probabilities are a softmax of summed log-likelihood terms, one per feature
(naive Bayes over features; Blackman and Popoli 1999, chapter 14 on identity
fusion), recomputed from the features each scan rather than accumulated, so a term
cannot run away and the same features always give the same answer. ``unknown`` starts
ahead and loses ground as evidence arrives: a track nobody knows anything about yet
is honestly unknown.

Cooperative identity is decisive by design: an ADS-B address makes a track manned and a
Remote ID serial makes it a drone, whatever its kinematics (no ADS-B aircraft may be
called a drone). The evidence strings (``evidence``) say in words why a track is what
it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from skywarden.geo import FloatArray
from skywarden.model import EVIDENCE_KINDS
from skywarden.tracking.classify_evidence import evidence_lines, evidence_table
from skywarden.tracking.classreport import RadarClassModel
from skywarden.tracking.kinematics import KinematicFeatures
from skywarden.tracking.rf_bias import RfBias

CLASSES = ("drone", "manned", "bird", "unknown")
DRONE, MANNED, BIRD, UNKNOWN = range(4)

Arrays = dict[str, FloatArray]


@dataclass(frozen=True)
class Classifier:
    """Evidence model; every weight is in nats (natural-log likelihood units).

    - ``prior`` (drone, manned, bird, unknown): log prior. ``unknown`` starts ahead and
      loses ``unknown_kinematic`` once the kinematics are known; a slow small target with
      no drone-specific evidence (link, Remote ID, hover) then leans bird, because in
      the sector's sky such targets are mostly birds.
    - ``adsb_weight``, ``rid_weight``: cooperative identity (decisive).
    - ``rf_weight``: a drone control link heard by direction finders, credited only where
      the geometry fits (:mod:`.bearings`: range, elevation, the other sites' bearings,
      shared by likelihood between tracks on one ray). A scan's credit ``n`` is the sum
      over sites of the track's association weight; it counts
      ``rf_single_site * min(n, 1) + (1 - rf_single_site) * clip(n - 1, 0, 1)`` units
      (1 for two sites that agree, ``rf_single_site`` for one). The evidence FADES when
      the link is no longer heard: units decay exponentially with ``rf_tau_s`` (20 s)
      and are capped at ``rf_cap_units``, so a silent track falls below full weight
      ``rf_full_units`` within ~14 s and to a tenth of it within a minute. What is kept
      is the memory that the object was a link's emitter: ``rf_keep_fraction`` of the
      recent units, at most ``rf_keep_max_units`` (half weight), fading over
      ``rf_keep_tau_s`` (10 min); a smuggler's drone heard at launch that crosses
      silent is still a drone. The memory forms only in scans where two sites' bearings
      FIX the track: credit ``n >= rf_fix_min_credit`` (1.5: both sites give it most of
      their bearing, say 0.75 each). One site's ray through a bird is geometry, not
      identity, and a track that shares two bearings with another candidate (about 0.5
      each) is not fixed either. On El Paso (seed 1, 40 min) the scans with n > 1 had a
      median n of 2.0 on drones and 1.27 on birds; 89 % of the drones' and 25 % of the
      birds' reach 1.5. The class term likewise counts unfixed recent credit (one site,
      or shared bearings) only up to ``rf_unfixed_max_units`` (1 of the 3 full-weight
      units): a bird that stays on one DF's ray for a minute is one coincidence of
      geometry, not sixty independent ones; fixed credit (``c_rf_fix``) counts in full.
      Corroboration ``rf_geometry`` counts recent units (fixed or not), and only while the
      track has taken most of the bearings that fit it: its RF share, the bearings'
      worth it took (per site the sum of its weights there, at most 1: a convoy's three
      drones each take a third of three bearings, one bearing's worth) over the sites
      whose bearings fit it, both faded over ``rf_share_tau_s`` (60 s),
      at least ``rf_share_min`` (0.5, the majority). A drone's own link gives it nearly
      all of each bearing (a week of seed 3, sector S00: lone drones 0.86-0.99,
      surveillance drones with a bird beside them 0.57-0.75); a bird or a clutter track
      near a tracked drone's ray takes a small share of many bearings (0.03-0.24), which
      the faded units add up to a corroboration it never earned: every bird and clutter
      unit the month's incursion rule still counted had its RF credit from another
      drone's link (docs/notes/count7.md). A ghost where two drones' rays cross is the
      association's to stop (``BearingGate.contested_cross``): the share cannot, since
      the ghost takes most of what fits it. The class term counts the credit as before.
    - ``radar``: radar class reports through the radar's confusion matrix
      (:mod:`.classreport`), capped against correlated reports.
    - ``kinematics``: jitter of speed (``speed_jitter_ms``) and heading
      (``heading_jitter``), sustained turning (``turn_rate_rads``) and flying with a
      flock favour bird by up to ``jitter_weight``, ``turn_weight`` and ``flock_weight``
      nats: small, since drones also turn and convoys fly together.
    - corroboration (independent kinds of drone evidence, ``EVIDENCE_KINDS``):
      radar reports favour drone by ``radar_corroborate_nats``; RF credited by geometry
      above ``rf_corroborate_units``; Remote ID; a visual report within
      ``visual_recent_s``; hovering for ``hover_full_s`` (rotorcraft-only motion).
    - speed: drones fly below ``drone_max_speed_ms``, manned aircraft above
      ``manned_min_speed_ms``, birds within ``bird_speed_ms`` (soft edges).
    - ``hover_speed_ms``/``hover_weight``: seconds below that ground speed count towards a
      hover (or a vertical climb or descent), which only a rotorcraft does (full weight
      after ``hover_full_s``).
    - height: above ``drone_max_height_m`` (frame origin = ground) drones become unlikely.
      Below it, small drones keep low: the FAA's Part 107 ceiling is 400 ft (122 m) above
      ground (14 CFR 107.51(b)), and smugglers fly low to stay under radar; birds fly at
      any height (night migrants mostly above 200 m). Above ``drone_ceiling_m`` (the 122 m
      ceiling plus ~80 m for terrain above the frame origin and height error) drone loses
      ``0.5 ((h - ceiling) / drone_ceiling_scale_m)^2`` nats, at most
      ``drone_ceiling_max_nats`` (a drone may break the rule: RF, Remote ID or the radar
      classifier still make it a drone up there).
    - RCS (dBsm) Gaussians per class, used when the radar reports ``rcs_dbsm``. Small
      drones and birds overlap: a small quadcopter is about 0.005-0.03 m^2 (-23 to
      -15 dBsm), birds 1-200 cm^2 (-30 to -17 dBsm, ducks and raptors more); the means
      are 4 dB apart with 6 dB spreads, weak evidence (Rahman & Robertson 2018, Sci.
      Rep. 8:17396; Torvik, Olsen & Griffiths 2016, IEEE GRSL 13(9):1305: birds and
      UAVs of comparable size). The earlier 10 dB gap (-15 against -25) called most
      detected birds drone-sized: a radar sees the larger birds first.
    - ``unknown_when_ambiguous``: ``unknown`` is then the average likelihood of the other
      classes plus ``ambiguity_prior`` nats, so a track stays unknown until one class
      leads the others by roughly 2:1 instead of being called drone at 55 %. Off by
      default: the airspace stage latches a track as a drone at p >= 0.7 and was
      calibrated without it; with it on, real drones of the El Paso night stayed below
      that for over a minute and opened no incident.
    - ``kinematic_ramp_s``: kinematic terms grow from 0 to full weight over a track's first
      seconds, so a first noisy velocity cannot decide anything.
    - ``speed_tau_s``: time constant of the smoothed speed.
    """

    prior: tuple[float, float, float, float] = (0.0, 0.0, 0.5, 1.0)
    unknown_kinematic: float = -1.5
    adsb_weight: float = 15.0
    rid_weight: float = 10.0
    rf_weight: float = 5.0
    rf_single_site: float = 0.25
    rf_full_units: float = 3.0
    rf_tau_s: float = 20.0
    rf_cap_units: float = 6.0
    rf_keep_fraction: float = 0.5
    rf_keep_max_units: float = 1.5
    rf_keep_tau_s: float = 600.0
    rf_fix_min_credit: float = 1.5
    rf_unfixed_max_units: float = 1.0
    radar: RadarClassModel = field(default_factory=RadarClassModel)
    kinematics: KinematicFeatures = field(default_factory=KinematicFeatures)
    speed_jitter_ms: float = 1.5
    heading_jitter: float = 0.05
    jitter_weight: float = 0.7
    turn_rate_rads: float = 0.15
    turn_weight: float = 0.5
    flock_weight: float = 0.4
    radar_corroborate_nats: float = 1.0
    rf_corroborate_units: float = 1.0
    rf_share_min: float = 0.5
    rf_share_tau_s: float = 60.0
    rf_bias: RfBias = field(default_factory=RfBias)
    visual_recent_s: float = 120.0
    drone_max_speed_ms: float = 25.0
    manned_min_speed_ms: float = 35.0
    bird_speed_ms: tuple[float, float] = (4.0, 18.0)
    hover_speed_ms: float = 1.5
    hover_weight: float = 4.0
    hover_full_s: float = 5.0
    drone_max_height_m: float = 400.0
    drone_ceiling_m: float = 200.0
    drone_ceiling_scale_m: float = 75.0
    drone_ceiling_max_nats: float = 3.0
    rcs_mean_dbsm: tuple[float, float, float] = (-17.0, 13.0, -21.0)
    rcs_sd_db: tuple[float, float, float] = (6.0, 6.0, 6.0)
    kinematic_ramp_s: float = 4.0
    unknown_when_ambiguous: bool = False
    ambiguity_prior: float = 0.6
    speed_tau_s: float = 4.0

    def __post_init__(self) -> None:
        positive = (
            "rf_full_units",
            "rf_tau_s",
            "rf_cap_units",
            "rf_keep_tau_s",
            "hover_full_s",
            "kinematic_ramp_s",
            "speed_tau_s",
            "speed_jitter_ms",
            "heading_jitter",
            "turn_rate_rads",
            "drone_ceiling_scale_m",
            "rf_fix_min_credit",
            "rf_unfixed_max_units",
            "rf_share_tau_s",
        )
        for name in positive:
            v = getattr(self, name)
            if not (isinstance(v, int | float) and np.isfinite(v) and v > 0):
                raise ValueError(f"classifier.{name} must be a positive number, got {v!r}")
        if not 0.0 <= self.rf_single_site <= 1.0:
            raise ValueError(f"classifier.rf_single_site: not in [0, 1]: {self.rf_single_site}")
        if not 0.0 <= self.rf_share_min <= 1.0:
            raise ValueError(f"classifier.rf_share_min: not in [0, 1]: {self.rf_share_min}")

    # ------------------------------------------------------------------ state

    def init(self, k: int) -> Arrays:
        """Evidence arrays for ``k`` new tracks (NaN = not observed yet)."""
        return {
            "c_adsb": np.zeros(k),
            "c_rid": np.zeros(k),
            "c_rf": np.zeros(k),
            "c_rf_fix": np.zeros(k),
            "c_rf_keep": np.zeros(k),
            "c_rf_took": np.zeros(k),  # faded credit taken (RF share numerator)
            "c_rf_heard": np.zeros(k),  # faded sites whose bearings fit (denominator)
            "c_speed": np.full(k, np.nan),
            "c_hover_s": np.zeros(k),
            "c_height": np.full(k, np.nan),
            "c_vz": np.zeros(k),
            "c_rcs": np.full(k, np.nan),
            "c_nrcs": np.zeros(k),
            "c_age_s": np.zeros(k),
            "c_cls": np.zeros((k, 4)),
            "c_ncls": np.zeros(k),
            "c_cls_age": np.full(k, -np.inf),  # track age at its last class report
            "c_visual_t": np.full(k, np.nan),
            "probs": np.tile(self.prior_probs(), (k, 1)),
            **self.kinematics.init(k),
            **self.rf_bias.init(k),
        }

    def observe_kinematics(self, a: Arrays, dt: float, dims: int) -> None:
        """Fold the current filtered state of every track into its kinematic evidence."""
        x = a["x"]
        if x.shape[0] == 0 or dt <= 0.0:
            return
        v = x[:, dims : 2 * dims]
        ground_speed = np.hypot(v[:, 0], v[:, 1])
        speed = ground_speed if dims == 2 else np.linalg.norm(v, axis=1)
        alpha = 1.0 - np.exp(-dt / self.speed_tau_s)
        self.kinematics.observe(a, dt, dims, a["c_speed"])
        a["c_cls"] = self.radar.decay(a["c_cls"], dt)
        old = a["c_speed"]
        a["c_speed"] = np.where(np.isnan(old), speed, old + alpha * (speed - old))
        # Hovering, or climbing and descending straight up and down: rotorcraft only.
        hovering = ground_speed < self.hover_speed_ms
        a["c_hover_s"] = np.where(
            hovering, a["c_hover_s"] + dt, np.maximum(a["c_hover_s"] - dt, 0.0)
        )
        if dims == 3:
            h = x[:, 2]
            oldh = a["c_height"]
            a["c_height"] = np.where(np.isnan(oldh), h, oldh + alpha * (h - oldh))
            a["c_vz"] = a["c_vz"] + alpha * (np.abs(v[:, 2]) - a["c_vz"])
        a["c_age_s"] = a["c_age_s"] + dt

    def observe_rf(
        self,
        a: Arrays,
        credit: FloatArray,
        dt: float = 0.0,
        fits: FloatArray | None = None,
        took: FloatArray | None = None,
        resid: FloatArray | None = None,
        follow: FloatArray | None = None,
    ) -> None:
        """Fade the RF evidence over ``dt`` s, then add this scan's geometric ``credit``
        (and ``fits``, the sites whose bearings fit each track, and ``took``, the
        bearings' worth it took there: the RF share; None counts every credited site as
        fitted and the credit as taken; ``resid`` and ``follow``, the weighted residuals
        and their follow sums, :mod:`.rf_bias`; the finder slots' sums of the scan,
        ``a["rf_fscan"]`` when kept, join theirs and start again from nothing)."""
        scan = a.get("rf_fscan")
        self.rf_bias.observe(a, resid, dt, follow, scan)
        if scan is not None:
            scan[:] = 0.0
        n = np.asarray(credit, dtype=float)
        heard = np.ceil(n) if fits is None else np.asarray(fits, dtype=float)
        fade = np.exp(-max(dt, 0.0) / self.rf_share_tau_s)
        taken = n if took is None else np.asarray(took, dtype=float)
        a["c_rf_took"] = a["c_rf_took"] * fade + taken
        a["c_rf_heard"] = a["c_rf_heard"] * fade + heard
        s = self.rf_single_site
        units = s * np.minimum(n, 1.0) + (1.0 - s) * np.clip(n - 1.0, 0.0, 1.0)
        faded = a["c_rf"] * np.exp(-max(dt, 0.0) / self.rf_tau_s)
        a["c_rf"] = np.minimum(faded + units, self.rf_cap_units)
        fix = n >= self.rf_fix_min_credit
        fixed = a["c_rf_fix"] * np.exp(-max(dt, 0.0) / self.rf_tau_s)
        a["c_rf_fix"] = np.minimum(fixed + np.where(fix, units, 0.0), self.rf_cap_units)
        # The memory that this object WAS a link's emitter fades much more slowly: a
        # smuggler's drone heard at launch and flying silent is still a drone. It is
        # formed only while two sites' bearings fix the track (each giving it most of
        # its bearing): one site's ray through a bird on the way to the drone, or two
        # bearings shared with another candidate, is a coincidence of geometry, not an
        # identification, and must not be remembered for ten minutes.
        kept = a["c_rf_keep"] * np.exp(-max(dt, 0.0) / self.rf_keep_tau_s)
        now = np.minimum(self.rf_keep_fraction * a["c_rf"], self.rf_keep_max_units)
        a["c_rf_keep"] = np.where(fix, np.maximum(kept, now), kept)

    def observe_class(self, a: Arrays, rows: npt.NDArray[np.intp], lik: FloatArray) -> None:
        """Fold radar class-report likelihoods (k, 4) into ``rows`` (NaN rows: no report)."""
        ok = np.isfinite(lik).all(axis=1)
        rows, lik = rows[ok], lik[ok]
        if rows.shape[0] == 0:
            return
        # one report per track per group; several groups fold in turn. A report soon
        # after the last one is mostly the same declaration: it counts as the chance
        # it is fresh (classreport, "Correlated reports").
        age = a["c_age_s"][rows]
        w = self.radar.freshness(age - a["c_cls_age"][rows])
        a["c_cls"][rows] = self.radar.fold(a["c_cls"][rows], lik, w)
        a["c_cls_age"][rows] = age
        a["c_ncls"][rows] += 1.0

    @staticmethod
    def observe_rcs(a: Arrays, rows: FloatArray, rcs_dbsm: FloatArray) -> None:
        """Running mean of reported radar cross-sections (dBsm) for ``rows``."""
        ok = np.isfinite(rcs_dbsm)
        rows, rcs_dbsm = rows[ok], rcs_dbsm[ok]
        n = a["c_nrcs"][rows] + 1.0
        old = np.nan_to_num(a["c_rcs"][rows])
        a["c_rcs"][rows] = old + (rcs_dbsm - old) / n
        a["c_nrcs"][rows] = n

    # ------------------------------------------------------------------ inference

    def prior_probs(self) -> FloatArray:
        """Probabilities before any evidence: the prior alone (mostly unknown)."""
        ll = np.asarray(self.prior, dtype=float)
        p = np.exp(ll - ll.max())
        return np.asarray(p / p.sum())

    def log_likelihoods(self, a: Arrays) -> FloatArray:
        """Summed evidence per class (k, 4) in nats."""
        terms = self.log_likelihood_terms(a)
        ll = sum(terms.values(), np.zeros((a["c_adsb"].shape[0], 4)))
        if self.unknown_when_ambiguous:
            # "Unknown" as "any of the known classes": their average likelihood plus a
            # prior. It wins while the evidence cannot tell them apart (a large bird and a
            # small drone with the same speed and echo) and loses once one class leads.
            known = ll[:, :UNKNOWN]
            top = known.max(axis=1, keepdims=True)
            mean = top[:, 0] + np.log(np.exp(known - top).mean(axis=1))
            ll[:, UNKNOWN] = mean + self.ambiguity_prior
        return np.asarray(ll)

    # size: one evidence term after another, same arithmetic as the evidence sum
    def log_likelihood_terms(self, a: Arrays) -> dict[str, FloatArray]:
        """Each evidence term's (k, 4) log-likelihoods in nats, by name; they sum to the
        evidence. Kept apart so a misclassification can be traced to the term that made
        it (``bench/class_terms.py``) and explained in words."""
        k = a["c_adsb"].shape[0]
        t: dict[str, FloatArray] = {"prior": np.tile(np.asarray(self.prior, dtype=float), (k, 1))}
        t["cooperative"] = self._cooperative_term(a, k)
        # Unfixed credit (one site's ray, shared bearings) persists while the geometry
        # does, so scans of it are not independent: it counts up to rf_unfixed_max_units.
        recent = np.maximum(np.minimum(a["c_rf"], self.rf_unfixed_max_units), a["c_rf_fix"])
        units = np.maximum(recent, a["c_rf_keep"])
        rf = np.minimum(units, self.rf_full_units) / self.rf_full_units * self.rf_weight
        rfl = np.zeros((k, 4))
        rfl[:, DRONE] = rf
        rfl[:, [MANNED, BIRD, UNKNOWN]] = -rf[:, None] * 0.5
        t["rf"] = rfl

        ramp = np.clip(a["c_age_s"] / self.kinematic_ramp_s, 0.0, 1.0)[:, None]
        v = np.nan_to_num(a["c_speed"], nan=10.0)
        kin = np.zeros((k, 4))
        kin[:, DRONE] = -0.5 * (np.maximum(v - self.drone_max_speed_ms, 0.0) / 4.0) ** 2
        kin[:, MANNED] = -np.minimum(
            0.5 * (np.maximum(self.manned_min_speed_ms - v, 0.0) / 8.0) ** 2, 8.0
        )
        lo, hi = self.bird_speed_ms
        kin[:, BIRD] = (
            -0.5 * (np.maximum(lo - v, 0.0) / 2.0) ** 2 - 0.5 * (np.maximum(v - hi, 0.0) / 4.0) ** 2
        )
        kin[:, UNKNOWN] = self.unknown_kinematic
        t["speed"] = kin * ramp
        hover = np.minimum(a["c_hover_s"] / self.hover_full_s, 1.0) * self.hover_weight
        hov = np.zeros((k, 4))
        hov[:, DRONE] = hover
        hov[:, [MANNED, BIRD]] = -hover[:, None] * 0.5
        t["hover"] = hov * ramp
        h = np.nan_to_num(a["c_height"], nan=0.0)
        high = np.maximum(h - self.drone_max_height_m, 0.0) / 150.0
        hgt = np.zeros((k, 4))
        hgt[:, DRONE] = -np.minimum(0.5 * high**2, 10.0)
        hgt[:, BIRD] = -np.minimum(0.5 * high**2, 10.0)
        hgt[:, MANNED] = np.minimum(high, 2.0)
        # Small drones keep low (400 ft AGL rule); birds fly at any height up to here.
        above = np.maximum(h - self.drone_ceiling_m, 0.0) / self.drone_ceiling_scale_m
        hgt[:, DRONE] -= np.minimum(0.5 * above**2, self.drone_ceiling_max_nats)
        t["height"] = hgt * ramp

        mot = np.zeros((k, 4))
        # zero up to the threshold (a filtered velocity jitters a little anyway), full at 2x
        jit = np.clip(np.sqrt(a["c_speed_var"]) / self.speed_jitter_ms - 1.0, 0.0, 1.0)
        hv = np.clip(self.kinematics.heading_variance(a) / self.heading_jitter - 1.0, 0.0, 1.0)
        mot[:, BIRD] += self.jitter_weight * np.maximum(jit, hv)
        turning = np.clip(a["c_turn"] / self.turn_rate_rads - 1.0, 0.0, 1.0)
        mot[:, BIRD] += self.turn_weight * turning
        t["jitter_turn"] = mot * ramp
        flock = np.zeros((k, 4))
        flock[:, BIRD] = self.flock_weight * np.minimum(a["c_flock"], 2.0) / 2.0
        t["flock"] = flock * ramp
        # radar class reports (drone, manned, bird, unknown = clutter)
        t["radar_class"] = np.asarray(a["c_cls"], dtype=float)

        t["rcs"] = self._rcs_term(a, k)
        return t

    def _cooperative_term(self, a: Arrays, k: int) -> FloatArray:
        """ADS-B says manned, Remote ID (without ADS-B) says drone."""
        coop = np.zeros((k, 4))
        adsb = a["c_adsb"] > 0
        coop[adsb, :] -= self.adsb_weight
        coop[adsb, MANNED] += 2 * self.adsb_weight
        rid = (a["c_rid"] > 0) & ~adsb
        coop[rid, :] -= self.rid_weight
        coop[rid, DRONE] += 2 * self.rid_weight
        return coop

    def _rcs_term(self, a: Arrays, k: int) -> FloatArray:
        """The radar cross-section against each class's echo, weighted by how many."""
        rcs = np.zeros((k, 4))
        nrcs = a["c_nrcs"]
        have = nrcs > 0
        if have.any():
            w = np.minimum(nrcs[have], 5.0) / 5.0
            r = a["c_rcs"][have]
            for c in (DRONE, MANNED, BIRD):
                rcs[have, c] = w * -0.5 * ((r - self.rcs_mean_dbsm[c]) / self.rcs_sd_db[c]) ** 2
            rcs[have, UNKNOWN] = w * -2.0
        return rcs

    def update_probabilities(self, a: Arrays) -> None:
        """Recompute ``a["probs"]`` (k, 4) from the evidence."""
        if a["c_adsb"].shape[0] == 0:
            return
        ll = self.log_likelihoods(a)
        ll -= ll.max(axis=1, keepdims=True)
        p = np.exp(ll)
        a["probs"] = p / p.sum(axis=1, keepdims=True)

    def corroboration(self, a: Arrays, t: float) -> np.ndarray:
        """(k, 5) bool: which ``EVIDENCE_KINDS`` of drone evidence support each track now."""
        k = a["c_rf"].shape[0]
        out = np.zeros((k, len(EVIDENCE_KINDS)), dtype=bool)
        c = a["c_cls"]
        lead = c[:, DRONE] - np.max(c[:, [MANNED, BIRD, UNKNOWN]], axis=1)
        out[:, 0] = (a["c_ncls"] > 0) & (lead >= self.radar_corroborate_nats)
        out[:, 1] = (
            (a["c_rf"] >= self.rf_corroborate_units)
            & (self.rf_share(a) >= self.rf_share_min)
            & ~self.rf_bias.beside(a)
        )
        out[:, 2] = (a["c_rid"] > 0) & ~(a["c_adsb"] > 0)
        with np.errstate(invalid="ignore"):
            out[:, 3] = (t - a["c_visual_t"]) <= self.visual_recent_s
        out[:, 4] = a["c_hover_s"] >= self.hover_full_s
        return out

    @staticmethod
    def rf_share(a: Arrays) -> FloatArray:
        """The share of the bearings fitting each track that it took (faded; 1 where no
        bearing has fitted it: nothing to share)."""
        heard = a["c_rf_heard"]
        return np.where(heard > 1e-9, a["c_rf_took"] / np.maximum(heard, 1e-9), 1.0)

    def evidence(self, a: Arrays, row: int) -> list[str]:
        """Human-readable reasons for one track's class probabilities."""
        return evidence_lines(self, a, row)

    def evidence_rows(self, a: Arrays) -> list[list[str]]:
        """:meth:`evidence` of every row, made column by column (one pass)."""
        return evidence_table(self, a)
