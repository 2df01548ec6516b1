"""Birds: slow, low, meandering radar targets that no cooperative sensor reports.

At night over the Rio Grande these are mostly migrants and roosting flocks (ducks,
cranes): 6-15 m/s, tens to a few hundred metres above ground, radar cross-sections of
1-200 cm^2 -- the same size as a small drone's, which is why the tracker must tell them
apart by behaviour, not by echo strength. Those ranges (``BirdTraffic`` defaults) are
kept as they were: what follows adds behaviour, never an easier bird.

* **Speeds.** Tracking-radar airspeeds of 139 western Palearctic species vary widely
  within a species (Bruderer & Boldt 2001, "Flight characteristics of birds: I. radar
  measurements of speeds", Ibis 143:178-204); equivalent airspeeds of 138 species span
  8-23 m/s (Alerstam et al. 2007, "Flight speeds among bird species: allometric and
  phylogenetic effects", PLoS Biol 5(8):e197). Each bird keeps one cruise speed drawn
  from ``speed_mps`` with legs at 0.8-1.2 times it, as before.
* **Wing-beat jitter.** Flapping birds do not fly like a filter's constant-velocity
  model: small passerines fly in flap-bounding bursts, waders and larger birds
  flap-glide (Bruderer, Peter, Boldt & Liechti 2010, "Wing-beat characteristics of birds
  recorded with tracking radar and cine camera", Ibis 152:272-291), and the body speed
  and heading change from one second to the next. Modelled as per-second speed and
  heading perturbations (``speed_jitter`` fraction, ``heading_jitter_deg``; 1 sigma,
  correlated over ``JITTER_CORR_S`` = 3 s, an assumption) integrated into the path; the
  horizontal speed never exceeds the old maximum (1.2 times the top of ``speed_mps``).
* **Flocks.** Ducks, cranes and many night migrants fly in groups a few metres to tens
  of metres apart (``flock_spacing_m``), each bird with its own echo and a slow wander
  about its place (a quarter of the spacing, over 1-3 minutes). Ids are ``<flock id>-<n>``
  (``bird-03-002-4``) with ``attrs["group"]`` the flock id; a flock of one keeps the
  plain id, as before.
* **Soaring.** By day, storks, vultures, hawks and pelicans circle in thermals and glide
  between them; a thermal is no place for a night migrant, so soaring happens only
  within ``soaring_hours`` of local solar time (Shamoun-Baranes et al. 2003, "Differential
  use of thermal convection by soaring birds over central Israel", Condor 105:208-218).
  Circles are flown at the bird's speed (at least 9 m/s) at a bank of 25-35 deg
  (Williams et al. 2018, "Vultures respond to challenges of near-ground thermal soaring
  by varying bank angle", J. Exp. Biol. 221:jeb174995), i.e. radius v^2 / (g tan bank),
  12-40 m and a turn of 8-20 s (thermalling loops of ~18 s in Weinzierl et al. 2016,
  Ecol. Evol. 6:8706); climbs of 0.5-2.5 m/s and glides at a glide ratio of 10-16
  (assumptions, in the range soaring-flight studies report), all inside the ``agl_m``
  band.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.ndimage import uniform_filter1d

from skywarden.model import TargetClass
from skywarden.sim.geography import Geography
from skywarden.sim.scenario import BirdTraffic
from skywarden.sim.target import FloatArray, Path, Target

JITTER_CORR_S = 3
FLOCK_WANDER_S = (60.0, 180.0)
BANK_DEG = (25.0, 35.0)
CLIMB_MPS = (0.5, 2.5)
GLIDE_RATIO = (10.0, 16.0)
GLIDE_M = (300.0, 1500.0)
G = 9.81
#: Soarers circle at 9-15 m/s (Gyps vultures ~10-12 m/s in Williams et al. 2018); a bird
#: drawn slower than 9 m/s circles at 9 m/s, still inside ``speed_mps``.
SOARING_MIN_MPS = 9.0


def solar_hour(t: float, lon_deg: float) -> float:
    """Local mean solar time (hours, 0-24) at UTC epoch ``t`` and longitude ``lon_deg``."""
    return float(((t % 86_400.0) / 3600.0 + lon_deg / 15.0) % 24.0)


def flapping_jitter(
    xyz: FloatArray,
    rng: np.random.Generator,
    speed_sd: float,
    heading_sd_deg: float,
    vmax: float,
) -> FloatArray:
    """Perturb each second's displacement in speed and heading and re-integrate.

    The horizontal step is capped at ``vmax`` (m/s), so the jitter never makes a bird
    faster than the model allowed before.
    """
    n = len(xyz)
    if n < 3 or (speed_sd <= 0 and heading_sd_deg <= 0):
        return xyz
    d = np.diff(xyz, axis=0)
    a = rng.normal(0.0, 1.0, size=(n - 1, 2))
    a = uniform_filter1d(a, size=JITTER_CORR_S, axis=0, mode="nearest") * math.sqrt(JITTER_CORR_S)
    scale = 1.0 + speed_sd * a[:, 0]
    dh = np.radians(heading_sd_deg) * a[:, 1]
    c, s = np.cos(dh), np.sin(dh)  # clockwise rotation of (east, north) by dh
    e = (d[:, 0] * c + d[:, 1] * s) * scale
    nn = (-d[:, 0] * s + d[:, 1] * c) * scale
    h = np.hypot(e, nn)
    cap = np.minimum(1.0, vmax / np.maximum(h, 1e-9))
    step = np.column_stack([e * cap, nn * cap, d[:, 2]])
    return np.vstack([xyz[:1], xyz[0] + np.cumsum(step, axis=0)])


def soaring_path(
    start: tuple[float, float, float],
    band: tuple[float, float],
    speed: float,
    heading: float,
    duration_s: float,
    rng: np.random.Generator,
) -> Path:
    """Thermal circles (climbing) alternating with straight glides (sinking)."""
    lo, hi = band
    path = Path(start)
    x, y, alt = start
    speed = max(speed, SOARING_MIN_MPS)
    while path.duration_s < duration_s:
        bank = math.radians(rng.uniform(*BANK_DEG))
        radius = speed**2 / (G * math.tan(bank))
        climb = float(rng.uniform(*CLIMB_MPS))
        top = float(rng.uniform(alt + 0.5 * (hi - alt), hi)) if hi > alt else alt
        turns = 1 if rng.uniform() < 0.5 else -1
        # Centre to the side of the heading; the bird starts on the circle.
        cx = x + turns * radius * math.cos(heading)
        cy = y - turns * radius * math.sin(heading)
        a0 = math.atan2(x - cx, y - cy)  # bearing of the bird from the centre
        omega = speed / radius
        n = max(int(np.ceil((top - alt) / climb)), int(np.ceil(2 * math.pi / omega)))
        k = np.arange(1, n + 1)
        ang = a0 + turns * omega * k
        pts = np.column_stack(
            [cx + radius * np.sin(ang), cy + radius * np.cos(ang), np.minimum(alt + climb * k, top)]
        )
        for row in pts:  # one-second steps at the 3-D distance flown
            d = float(np.linalg.norm(np.subtract(row, path.here)))
            path.to((float(row[0]), float(row[1]), float(row[2])), max(d, 1e-3))
        x, y, alt = path.here
        heading = float(ang[-1]) + turns * math.pi / 2  # leave along the tangent
        heading += float(rng.normal(0.0, 0.3))
        dist = float(rng.uniform(*GLIDE_M))
        end_alt = max(lo, alt - dist / float(rng.uniform(*GLIDE_RATIO)))
        x, y = x + dist * math.sin(heading), y + dist * math.cos(heading)
        path.to((x, y, end_alt), speed)
        alt = end_alt
    return path


def bird(cfg: BirdTraffic, geo: Geography, t0: float, rng: np.random.Generator, tid: str) -> Target:
    """One bird's flight of 10-40 minutes: meandering flapping flight, or soaring by day."""
    r = cfg.radius_m * np.sqrt(rng.uniform())
    th = rng.uniform(0, 2 * np.pi)
    x, y = r * np.cos(th), r * np.sin(th)
    g = float(geo.ground_at(x, y))
    speed = float(rng.uniform(*cfg.speed_mps))
    alt = g + float(rng.uniform(*cfg.agl_m))
    heading = rng.uniform(0, 2 * np.pi)
    path = Path((x, y, alt))
    duration = rng.uniform(600.0, 2400.0)
    lo, hi = g + cfg.agl_m[0], g + cfg.agl_m[1]
    day = cfg.soaring_hours[0] <= solar_hour(t0, geo.frame.lon0) <= cfg.soaring_hours[1]
    soaring = cfg.soaring_fraction > 0 and day and rng.uniform() < cfg.soaring_fraction
    if soaring:
        path = soaring_path((x, y, alt), (lo, hi), speed, heading, duration, rng)
        xyz, _ = path.sample(smooth_s=1, jitter_m=1.0, rng=rng)  # circles are 1 s polygons
    else:
        while path.duration_s < duration:
            heading += rng.normal(0.0, 0.5)
            leg = rng.uniform(200.0, 1200.0)
            alt = float(np.clip(alt + rng.normal(0.0, 20.0), lo, hi))
            x, y = x + leg * np.sin(heading), y + leg * np.cos(heading)
            path.to((x, y, alt), speed * float(rng.uniform(0.8, 1.2)))
        xyz, _ = path.sample(smooth_s=8, jitter_m=1.5, rng=rng)
        vmax = cfg.speed_mps[1] * 1.2
        xyz = flapping_jitter(xyz, rng, cfg.speed_jitter, cfg.heading_jitter_deg, vmax)
    floor = geo.ground_at(xyz[:, 0], xyz[:, 1]) + 5.0  # the terrain rises near airports
    xyz[:, 2] = np.maximum(xyz[:, 2], floor)
    vel = np.gradient(xyz, axis=0) if len(xyz) > 1 else np.zeros_like(xyz)
    return Target(
        id=tid,
        kind=TargetClass.BIRD,
        role="bird",
        t0=t0,
        xyz=xyz,
        vel=vel,
        rcs_m2=float(rng.uniform(*cfg.rcs_m2)),
        attrs={"soaring": True} if soaring else {},
    )


def flock_wander(n: int, amplitude_m: float, rng: np.random.Generator) -> FloatArray:
    """(n, 3) slow drift of a bird about its place in the flock: three sinusoids per axis
    with periods of ``FLOCK_WANDER_S`` (60-180 s) and amplitudes summing to
    ``amplitude_m``, so it never adds more than 2 pi amplitude / 60 s to the bird's speed
    (0.5 m/s at 20 m spacing)."""
    t = np.arange(n, dtype=float)[:, None, None]
    period = rng.uniform(*FLOCK_WANDER_S, size=(1, 3, 3))
    phase = rng.uniform(0.0, 2 * np.pi, size=(1, 3, 3))
    amp = rng.dirichlet(np.ones(3), size=3).T[None] * amplitude_m  # (1, 3 waves, 3 axes)
    return np.asarray((amp * np.sin(2 * np.pi * t / period + phase)).sum(axis=1))


def flock(
    cfg: BirdTraffic, geo: Geography, t0: float, rng: np.random.Generator, tid: str
) -> list[Target]:
    """A flock of ``flock_size`` birds following one flight ``flock_spacing_m`` apart."""
    n = int(rng.integers(cfg.flock_size[0], cfg.flock_size[1] + 1)) if cfg.flock_size[1] > 1 else 1
    if n == 1:
        return [bird(cfg, geo, t0, rng, tid)]
    lead = bird(cfg, geo, t0, rng, f"{tid}-1")
    lead.attrs["group"] = tid
    out = [lead]
    for m in range(2, n + 1):
        spacing = float(rng.uniform(*cfg.flock_spacing_m))
        ang = rng.uniform(0, 2 * np.pi)
        up = rng.normal(0, spacing / 4)
        offset = np.array([spacing * np.cos(ang), spacing * np.sin(ang), up])
        xyz = lead.xyz + offset + flock_wander(len(lead.xyz), spacing / 4, rng)
        xyz[:, 2] = np.maximum(xyz[:, 2], geo.ground_at(xyz[:, 0], xyz[:, 1]) + 5.0)
        out.append(
            Target(
                id=f"{tid}-{m}",
                kind=TargetClass.BIRD,
                role="bird",
                t0=t0,
                xyz=xyz,
                vel=np.gradient(xyz, axis=0) if len(xyz) > 1 else np.zeros_like(xyz),
                rcs_m2=float(rng.uniform(*cfg.rcs_m2)),
                attrs={**lead.attrs, "group": tid},
            )
        )
    return out
