"""The story of one track: which true target it followed, second by second, and where it
changed hands.

``bench/month_units.py`` names the false units and their tracks; this reads one of those
tracks in a sector directory kept with ``month run --all-tracks`` (or a ``skywarden run``
directory with ``tracks.jsonl``) and says what a person otherwise works out by hand:

- **segments**: runs of updates whose nearest true target (within ``--within-m``) is the
  same, with that target's role and the track's median distance from it;
- **hand-overs**: where the nearest target changes, the track's jump in that second,
  how well the track knew its position just before (1 sigma along its longest axis),
  the plot it took (sensor, range, Doppler) and, for each direction finder that fed the
  track, how far apart the old and the new target lay as that finder sees them, in its
  bearing errors (a finder cannot tell two emitters on one ray apart);
- **finders' follow**: for each direction finder that fed the track, over its updates
  from the first that finder fed (a track's ``sensors`` are every sensor that ever fed
  it, so these are not only the bearings the tracker took: each update's nearest bearing
  of that finder, fitted or not), how far the track's bearing from it swept and how the
  finder's measured bearings followed: the least-squares slope of measured on the
  track's bearing (~1: it hears this track; ~0: an emitter elsewhere on the ray, a bird
  crossing a far drone's ray), the rms difference (wide where the finder also heard
  other links: it is no measure of the fitted bearings' scatter) and, of the nearest
  bearings within the tracker's gate, the mean signed difference in that finder's
  bearing errors (~0 for the track's own link; one sign for a track beside the emitter,
  each finder's sign its own); ``--first-s`` tells only the track's first seconds;
- ``--figure``: the track's path by segment over the targets' true paths and the
  finders' rays at the first hand-over, and the distances against time.

A diagnostic that reads truth; no count does.

    python bench/track_story.py --from /tmp/s85/sectors/S85 --track TS85-159188 \\
        --figure /tmp/s85/story.png
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
from rich.console import Console
from rich.table import Table

from figure_file import save  # the bench next door
from skywarden.geo import LocalFrame, enu_to_bearing_elevation, horizontal_sigma_m
from skywarden.model import Detection, TrackUpdate, TruthPoint
from skywarden.tracking.files import sector_frame
from skywarden.tracking.gating import CHI2_999


@dataclass(frozen=True)
class Segment:
    """Consecutive updates nearest the same true target ("" when none is within reach)."""

    target: str
    role: str
    start_s: float
    end_s: float
    updates: int
    median_m: float
    drone_p_end: float


@dataclass(frozen=True)
class HandOver:
    """The second the nearest target changed: what the track did and what fed it."""

    t: float
    at_s: float
    old: str
    new: str
    jump_m: float
    sigma_before_m: float
    old_to_new_m: float
    plot: str
    finders: dict[str, float]


def _open(path: Path) -> IO[str]:
    return gzip.open(path, "rt") if path.suffix == ".gz" else path.open()


def _first(directory: Path, *names: str) -> Path:
    for n in names:
        if (directory / n).is_file():
            return directory / n
    raise SystemExit(f"{directory}: none of {', '.join(names)}")


def _time(line: str) -> float | None:
    """The ``t`` a writer puts first, read without parsing the whole line."""
    if not line.startswith('{"t":'):
        return None
    end = line.find(",", 5)
    try:
        return float(line[5:end])
    except ValueError:
        return None


def _records(
    path: Path, keep: Callable[[str], bool], parse: Callable[[dict[str, Any]], Any]
) -> Iterator[Any]:
    """The records of a JSON Lines file whose raw line ``keep`` admits (cheap filter first:
    a month sector's files hold millions of lines), validated by the project's model."""
    with _open(path) as f:
        for n, line in enumerate(f, 1):
            if keep(line):
                try:
                    yield parse(json.loads(line))
                except (ValueError, KeyError, TypeError) as e:
                    raise SystemExit(f"{path}:{n}: {e}") from None


def track_updates(directory: Path, track: str) -> list[TrackUpdate]:
    path = _first(directory, "tracks_all.jsonl.gz", "tracks_all.jsonl", "tracks.jsonl")
    needle = f'"track":"{track}"'
    ups = [u for u in _records(path, lambda s: needle in s, TrackUpdate.from_dict)]
    if not ups:
        raise SystemExit(f"{path}: no updates of track {track}")
    return sorted(ups, key=lambda u: u.t)


def _in(t0: float, t1: float) -> Callable[[str], bool]:
    def keep(line: str) -> bool:
        t = _time(line)
        return t is not None and t0 <= t <= t1

    return keep


def window(
    directory: Path, t0: float, t1: float
) -> tuple[dict[float, list[TruthPoint]], dict[float, list[Detection]]]:
    """The sector's truth points and detections from ``t0`` to ``t1``, keyed by the
    second a track update of that time has (a detection by the second it falls in)."""
    truth: dict[float, list[TruthPoint]] = {}
    for q in _records(
        _first(directory, "truth.jsonl.gz", "truth.jsonl"), _in(t0, t1), TruthPoint.from_dict
    ):
        truth.setdefault(round(q.t, 3), []).append(q)
    dets: dict[float, list[Detection]] = {}
    for d in _records(
        _first(directory, "detections.jsonl.gz", "detections.jsonl"),
        _in(t0, t1),
        Detection.from_dict,
    ):
        dets.setdefault(round(float(math.ceil(d.t - 1e-9)), 3), []).append(d)
    return truth, dets


def _enu(frame: LocalFrame, lat: Any, lon: Any, alt: Any) -> np.ndarray:
    x, y, z = frame.to_enu(np.asarray(lat), np.asarray(lon), np.asarray(alt))
    return np.stack([np.atleast_1d(x), np.atleast_1d(y), np.atleast_1d(z)], axis=-1)


def nearest(
    ups: list[TrackUpdate], truth: dict[float, list[TruthPoint]], frame: LocalFrame, within: float
) -> list[tuple[str, str, float]]:
    """Per update: the nearest true target within ``within`` m (horizontal), its role and
    distance; ("", "", inf) when none is."""
    out = []
    for u in ups:
        pts = truth.get(round(u.t, 3), [])
        if not pts:
            out.append(("", "", math.inf))
            continue
        p = _enu(frame, [q.lat for q in pts], [q.lon for q in pts], [q.alt_m for q in pts])
        me = _enu(frame, u.lat, u.lon, u.alt_m)[0]
        d = np.hypot(p[:, 0] - me[0], p[:, 1] - me[1])
        i = int(np.argmin(d))
        q = pts[i]
        out.append(
            (q.target, q.role or str(q.kind), float(d[i])) if d[i] <= within else ("", "", math.inf)
        )
    return out


def segments(ups: list[TrackUpdate], near: list[tuple[str, str, float]]) -> list[Segment]:
    """Runs of the same nearest target; a run of under three updates is folded into the
    one before (a crossing target in passing is not a hand-over)."""
    runs: list[list[int]] = []
    for i, (tgt, _, _) in enumerate(near):
        if runs and near[runs[-1][0]][0] == tgt:
            runs[-1].append(i)
        elif runs and len(runs[-1]) < 3 and len(runs) > 1 and near[runs[-2][0]][0] == tgt:
            runs[-2].extend(runs.pop())
            runs[-1].append(i)
        else:
            runs.append([i])
    t0 = ups[0].t
    out = []
    for r in runs:
        d = [near[i][2] for i in r if math.isfinite(near[i][2])]
        out.append(
            Segment(
                target=near[r[0]][0],
                role=near[r[0]][1],
                start_s=ups[r[0]].t - t0,
                end_s=ups[r[-1]].t - t0,
                updates=len(r),
                median_m=float(np.median(d)) if d else math.inf,
                drone_p_end=float(ups[r[-1]].class_probs.get("drone", 0.0)),
            )
        )
    return out


def sigma_major(u: TrackUpdate) -> float:
    """1 sigma of the track's horizontal position along its longest axis (m)."""
    return math.nan if u.cov is None else horizontal_sigma_m(u.cov)


def _bearing(frame: LocalFrame, site: np.ndarray, lat: float, lon: float, alt: float) -> float:
    _, brg, _ = enu_to_bearing_elevation(*(_enu(frame, lat, lon, alt)[0] - site))
    return float(np.asarray(brg))


def hand_overs(
    ups: list[TrackUpdate],
    segs: list[Segment],
    truth: dict[float, list[TruthPoint]],
    dets: dict[float, list[Detection]],
    sites: Sites,
    frame: LocalFrame,
) -> list[HandOver]:
    """Each change of followed target between two segments that both have one."""
    t0 = ups[0].t
    by_t = {round(u.t, 3): i for i, u in enumerate(ups)}
    out = []
    for a, b in itertools.pairwise(segs):
        if not (a.target and b.target):
            continue
        i = by_t[round(t0 + b.start_s, 3)]
        u, before = ups[i], ups[max(i - 1, 0)]
        me, prev = (
            _enu(frame, u.lat, u.lon, u.alt_m)[0],
            _enu(frame, before.lat, before.lon, before.alt_m)[0],
        )
        pts = {q.target: q for q in truth.get(round(u.t, 3), [])}
        old, new = pts.get(a.target), pts.get(b.target)
        gap = math.nan
        if old is not None and new is not None:
            po = _enu(frame, old.lat, old.lon, old.alt_m)[0]
            pn = _enu(frame, new.lat, new.lon, new.alt_m)[0]
            gap = float(np.hypot(*(po - pn)[:2]))
        plot, finders = "", {}
        best = math.inf
        for d in dets.get(round(u.t, 3), []):
            if d.position is not None and d.sensor in u.sensors:
                q = _enu(frame, d.position.lat, d.position.lon, d.position.alt_m)[0]
                dist = float(np.hypot(*(q - me)[:2]))
                if dist < best:
                    best = dist
                    rng, vr = d.attrs.get("range_m"), d.attrs.get("radial_velocity_mps")
                    plot = (
                        d.sensor
                        + (f" at {rng:.0f} m" if rng is not None else "")
                        + (f", Doppler {vr:+.1f} m/s" if vr is not None else "")
                        + f", {dist:.0f} m from the track"
                    )
        for name in u.sensors:
            if name in sites and old is not None and new is not None:
                site, sigma = sites[name]
                bo = _bearing(frame, site, old.lat, old.lon, old.alt_m)
                bn = _bearing(frame, site, new.lat, new.lon, new.alt_m)
                finders[name] = round(abs(_wrap(bn - bo)) / sigma, 2)
        out.append(
            HandOver(
                t=u.t,
                at_s=b.start_s,
                old=a.target,
                new=b.target,
                jump_m=float(np.hypot(*(me - prev)[:2])),
                sigma_before_m=sigma_major(before),
                old_to_new_m=gap,
                plot=plot,
                finders=finders,
            )
        )
    return out


Sites = dict[str, tuple[np.ndarray, float]]


@dataclass(frozen=True)
class Follow:
    """How one direction finder's bearings followed the track while it fed it."""

    finder: str
    fits: int
    #: the track's bearing from the finder over those updates: max - min, deg
    sweep_deg: float
    sweep_sigmas: float
    #: least squares of measured on the track's bearing (nan when it never swept)
    slope: float
    rms_deg: float
    #: of the updates whose nearest bearing lay within the tracker's gate (``GATE_SIGMAS``
    #: of the finder's errors): how many, and that bearing's mean signed offset from the
    #: track (deg, and in the finder's errors): its own link's average 0; a track beside
    #: the emitter keeps one sign, each finder's its own (two finders' offsets can cancel
    #: where they are pooled)
    gated: int = 0
    mean_deg: float = math.nan
    mean_sigmas: float = math.nan


#: the tracker's bearing gate in bearing errors (its chi-square, 1 dof, 0.999: 3.29)
GATE_SIGMAS = math.sqrt(CHI2_999[1])


def _wrap(deg: float) -> float:
    return (deg + 180.0) % 360.0 - 180.0


def bearing_follow(
    ups: list[TrackUpdate], dets: dict[float, list[Detection]], sites: Sites, frame: LocalFrame
) -> list[Follow]:
    """Each finder that fed the track at 3 or more updates: did its bearings move with
    the track's bearing? (the measured bearing that second nearest the track's)"""
    out = []
    for name, (site, sigma) in sites.items():
        x, y = [], []
        for u in ups:
            if name not in u.sensors:
                continue
            seen = [
                d.bearing.bearing_deg
                for d in dets.get(round(u.t, 3), [])
                if d.sensor == name and d.bearing is not None
            ]
            if not seen:
                continue
            b = _bearing(frame, site, u.lat, u.lon, u.alt_m)
            x.append(b)
            y.append(min((_wrap(m - b) for m in seen), key=abs))
        if len(x) < 3:
            continue
        ref = x[0]
        xs = np.array([_wrap(v - ref) for v in x])
        ys = xs + np.array(y)  # measured, on the same unwrapped axis
        var = float(np.var(xs))
        slope = float(np.cov(xs, ys, bias=True)[0, 1] / var) if var > 1e-9 else math.nan
        sweep = float(xs.max() - xs.min())
        gated = [v for v in y if abs(v) <= GATE_SIGMAS * sigma]
        mean = float(np.mean(gated)) if gated else math.nan
        out.append(
            Follow(
                finder=name,
                fits=len(xs),
                sweep_deg=sweep,
                sweep_sigmas=sweep / sigma,
                slope=slope,
                rms_deg=float(np.sqrt(np.mean(np.square(y)))),
                gated=len(gated),
                mean_deg=mean,
                mean_sigmas=mean / sigma,
            )
        )
    return out


def finder_sites(dets: dict[float, list[Detection]], frame: LocalFrame) -> Sites:
    """Each direction finder seen in the detections: its site (ENU, m) and bearing error."""
    out: Sites = {}
    for group in dets.values():
        for d in group:
            b = d.bearing
            if b is not None and d.sensor not in out:
                site = _enu(frame, b.sensor_lat, b.sensor_lon, b.sensor_alt_m)[0]
                out[d.sensor] = (site, float(b.sigma_deg))
    return out


def figure(
    path: Path,
    ups: list[TrackUpdate],
    near: list[tuple[str, str, float]],
    segs: list[Segment],
    truth: dict[float, list[TruthPoint]],
    handovers: list[HandOver],
    sites: Sites,
    frame: LocalFrame,
) -> None:
    """Map of the track by segment over its targets' true paths, and distances in time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.6), dpi=110)
    t0 = ups[0].t
    trk = _enu(frame, [u.lat for u in ups], [u.lon for u in ups], [u.alt_m for u in ups]) / 1e3
    ts = np.array([u.t - t0 for u in ups])
    targets = [s.target for s in segs if s.target]
    colours = {t: f"C{i}" for i, t in enumerate(dict.fromkeys(targets))}
    for tgt, col in colours.items():
        pts = [(k, q) for k, g in truth.items() for q in g if q.target == tgt]
        pts.sort(key=lambda x: x[0])
        p = (
            _enu(frame, [q.lat for _, q in pts], [q.lon for _, q in pts], [q.alt_m for _, q in pts])
            / 1e3
        )
        role = next(s.role for s in segs if s.target == tgt)
        ax.plot(p[:, 0], p[:, 1], "--", color=col, lw=1, alpha=0.7, label=f"truth: {tgt} ({role})")
        d = np.array([[n[2] if n[0] == tgt else np.nan for n in near]]).ravel()
        bx.plot(ts, d, ".", ms=2, color=col, label=f"distance to {tgt}")
    for s in segs:
        m = (ts >= s.start_s) & (ts <= s.end_s)
        ax.plot(trk[m, 0], trk[m, 1], "-", lw=2, color=colours.get(s.target, "grey"))
    ax.plot([], [], "-", lw=2, color="k", label="track (colour: target followed)")
    for h in handovers[:1]:
        i = int(np.searchsorted(ts, h.at_s))
        for name, (site, _) in sites.items():
            if name in ups[i].sensors:
                far = trk[i, :2] - site[:2] / 1e3
                ray = site[:2] / 1e3 + far * 1.3
                ax.plot([site[0] / 1e3, ray[0]], [site[1] / 1e3, ray[1]], ":", color="k", lw=1)
                ax.plot(
                    site[0] / 1e3, site[1] / 1e3, "k^", label=f"{name} and its ray at the hand-over"
                )
        ax.plot(trk[i, 0], trk[i, 1], "rx", ms=10, label=f"hand-over at {h.at_s:.0f} s")
        bx.axvline(h.at_s, color="r", lw=1)
    sig = np.array([sigma_major(u) for u in ups])
    bx.plot(ts, sig, "-", color="k", lw=1, label="track position 1 sigma (longest axis)")
    ax.set_xlabel("east (km)")
    ax.set_ylabel("north (km)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    bx.set_yscale("log")
    bx.set_xlabel(f"seconds since the track began ({ups[0].track})")
    bx.set_ylabel("m")
    bx.legend(fontsize=7, loc="best")
    bx.grid(alpha=0.3)
    fig.suptitle(f"Track {ups[0].track}: the true targets it followed")
    save(fig, path)


def _finite(x: Any) -> Any:
    """``x`` with every NaN or infinity as None: JSON has no such numbers."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return x


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--from", dest="src", type=Path, required=True, help="a sector directory")
    ap.add_argument("--track", required=True, help="the track id (e.g. TS85-159188)")
    ap.add_argument("--within-m", type=float, default=300.0, help="farthest target to follow")
    ap.add_argument("--out", type=Path, help="write the story here (JSON)")
    ap.add_argument("--figure", type=Path, help="draw the story here (PNG)")
    ap.add_argument(
        "--first-s",
        type=float,
        default=None,
        help="tell only the track's first this many seconds (e.g. up to its crossing)",
    )
    a = ap.parse_args()
    track = a.track.split("/")[-1]
    frame = sector_frame(a.src)
    if frame is None:
        raise SystemExit(f"{a.src}: no sector.json (the frame's origin)")
    ups = track_updates(a.src, track)
    if not ups:
        raise SystemExit(f"{a.src}: no updates of track {track}")
    if a.first_s is not None:
        ups = [u for u in ups if u.t <= ups[0].t + a.first_s]
    t0, t1 = ups[0].t, ups[-1].t
    truth, dets = window(a.src, t0, t1)
    sites = finder_sites(dets, frame)
    near = nearest(ups, truth, frame, a.within_m)
    segs = segments(ups, near)
    hos = hand_overs(ups, segs, truth, dets, sites, frame)
    follows = bearing_follow(ups, dets, sites, frame)
    by_segment = [
        (
            g,
            bearing_follow(
                [u for u in ups if g.start_s <= u.t - t0 <= g.end_s], dets, sites, frame
            ),
        )
        for g in segs
    ]
    con = Console()
    tab = Table(title=f"{track}: {len(ups)} updates, {t1 - t0:,.0f} s from t {t0:.1f}")
    for c in ("from s", "to s", "updates", "nearest target", "role", "median m", "P(drone) at end"):
        tab.add_column(c, justify="left" if c in ("nearest target", "role") else "right")
    for s in segs:
        tab.add_row(
            f"{s.start_s:.0f}",
            f"{s.end_s:.0f}",
            str(s.updates),
            s.target or "(none within reach)",
            s.role,
            f"{s.median_m:.0f}" if math.isfinite(s.median_m) else "-",
            f"{s.drone_p_end:.2f}",
        )
    con.print(tab)
    for h in hos:
        far = ", ".join(f"{k}: {v:g} sigma apart" for k, v in h.finders.items()) or "none"
        con.print(
            f"hand-over at {h.at_s:.0f} s (t {h.t:.1f}): {h.old} -> {h.new}; the track jumped"
            f" {h.jump_m:.0f} m knowing its position to {h.sigma_before_m:.0f} m (1 sigma);"
            + (
                f" the two targets {h.old_to_new_m:.0f} m apart;"
                if math.isfinite(h.old_to_new_m)
                else " one of the two not in the truth that second;"
            )
            + f" plot: {h.plot or 'none'};"
            f" finders feeding it: {far}"
        )
    for f in follows:
        con.print(
            f"{f.finder} fed {f.fits} updates: the track's bearing from it swept"
            f" {f.sweep_deg:.1f} deg ({f.sweep_sigmas:.1f} bearing errors); its bearings"
            f" followed with slope {f.slope:.2f} (1: it hears this track; ~0: an emitter"
            f" elsewhere on the ray), rms {f.rms_deg:.1f} deg (nearest bearing, fitted or not),"
            f" {f.gated} within the gate, their mean {f.mean_deg:+.1f} deg"
            f" ({f.mean_sigmas:+.1f} errors; its own link: ~0)"
        )
    if len(segs) > 1:
        for g, fs in by_segment:
            for f in fs:
                con.print(
                    f"  while on {g.target or 'no target'} ({g.start_s:.0f}-{g.end_s:.0f} s):"
                    f" {f.finder} swept {f.sweep_sigmas:.1f} errors, slope {f.slope:.2f}"
                )
    if a.out:
        a.out.write_text(
            json.dumps(
                _finite(
                    {
                        "track": track,
                        "segments": [asdict(s) for s in segs],
                        "hand_overs": [asdict(h) for h in hos],
                        "follow": [asdict(f) for f in follows],
                        "follow_by_segment": [
                            {
                                "target": g.target,
                                "start_s": g.start_s,
                                "follow": [asdict(f) for f in fs],
                            }
                            for g, fs in by_segment
                        ],
                    }
                ),
                indent=1,
                allow_nan=False,
            )
            + "\n"
        )
    if a.figure:
        figure(a.figure, ups, near, segs, truth, hos, sites, frame)


if __name__ == "__main__":
    main()
