"""Remote ID spoof detection scored against the simulator's truth (used by bench/decisions.py).

What is measured, per run:

- **detection rate**: the share of spoofing targets (truth ``spoof``) whose lie was
  contradicted by the sensors at some point and that the tracker flagged
  (``false_remote_id:`` evidence on a track implicating them) no later than
  ``DEADLINE_S`` after their *first contradiction*;
- median / p90 time from first contradiction to flag;
- **false flags**: flagged tracks that implicate no spoofer, per hour of run, and the
  honest Remote ID drones among them ("collateral" victims of a stolen serial are
  counted apart: their serial really is claimed at two places).

A track *implicates* the truth targets whose broadcast serial it lists, and the target
it is attributed to by position (the bench's attribution rule; "none" implicates
nobody). The *first contradiction* of a spoofer is the first second at which its
broadcast was received AND the lie differed from truth by more than the sensors could
tell:

- ``malformed_serial``: its first received message (the serial itself is the lie);
- ``false_position``: received while a radar or RF sensor detected the drone (the
  offset, >= 300 m, is far beyond any sensor's error);
- ``false_speed``: received while its true horizontal speed differs from the claimed
  one by >= ``SPEED_CONTRADICTION_MPS`` (3 m/s: about four sigma of a speed taken from
  5 s of positions with 3 m GNSS noise);
- ``far_operator`` (and any spoofer whose operator position is > 1 km from its launch):
  its FIRST received message was sent at take-off (true height above take-off at most
  10 m), so the take-off area is observable;
- ``stolen_serial``: received in the same second as the honest owner of the serial,
  more than ``TWO_PLACES_M`` apart (or the take-off rule above, for the copied operator).

A spoofer never contradicted (out of sensor reach at the moments that matter, or a
stolen serial whose owner was on the ground and whose take-off was not heard) is not
in the rate's denominator; the count is reported.
"""

from __future__ import annotations

import math
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import yaml

DEADLINE_S = 30.0
SPEED_CONTRADICTION_MPS = 3.0
TWO_PLACES_M = 200.0
TAKEOFF_MAX_HEIGHT_M = 10.0
OPERATOR_TAKEOFF_MAX_M = 1000.0
#: Reach of the Remote ID receivers added beside radars (the shipped receivers' reach).
TOWER_RID_RANGE_M = 4000.0


def spoof_scenario(src: Path, fraction: float, tower_rid: bool) -> Path:
    """A copy of scenario ``src`` with ``fraction`` of smugglers and convoys spoofing and,
    with ``tower_rid``, a Remote ID receiver beside every radar that has none within 2 km
    (border towers carry cheap receivers as readily as cameras; an assumption of the
    bench, not of the shipped scenario). Returns the path of the copy."""
    from skywarden.geo import distance_m

    doc = yaml.safe_load(src.read_text())
    tr = doc.setdefault("traffic", {})
    for fam in ("smugglers", "convoys"):
        tr.setdefault(fam, {})["spoofing"] = {"fraction": fraction}
    sensors = doc.setdefault("sensors", [])
    if tower_rid:
        rid = [s["site"] for s in sensors if s.get("kind") == "remote_id"]
        for s in list(sensors):
            if s.get("kind") != "radar":
                continue
            site = s["site"]
            near = [float(distance_m(site["lat"], site["lon"], r["lat"], r["lon"])) for r in rid]
            if near and min(near) < 2000.0:
                continue
            sensors.insert(
                len(sensors),
                {
                    "id": f"rid-{s['id']}",
                    "kind": "remote_id",
                    "site": dict(site),
                    "range_max_m": TOWER_RID_RANGE_M,
                    "message_loss": 0.2,
                },
            )
            rid.append(site)
    # keep the visual report source last (the scenario's own convention)
    sensors.sort(key=lambda s: s.get("kind") == "visual")
    sector = doc.get("sector", {})
    bf = sector.get("border_file")
    if bf and not Path(bf).is_absolute():
        sector["border_file"] = str((src.parent / bf).resolve())
    out = Path(tempfile.mkdtemp(prefix="skywarden-spoof-")) / src.name
    out.write_text(yaml.safe_dump(doc, sort_keys=False))
    return out


class SpoofTruth:
    """Per-second truth bookkeeping for the spoof score (an ``on_truth`` helper)."""

    def __init__(self, frame: Any, sensor_kind: dict[str, str]) -> None:
        self.frame = frame
        self.kind = sensor_kind
        self.spoof: dict[str, dict[str, Any]] = {}  # spoofer -> truth record
        self.serial_of: dict[str, str] = {}  # target -> broadcast serial (truth)
        self.honest_rid: set[str] = set()
        self.first_rx: dict[str, float] = {}
        self.contradiction: dict[str, tuple[float, str]] = {}
        self.honest_rx_s = 0.0  # seconds an honest Remote ID drone was heard

    def step(self, step: Any) -> None:
        heard: dict[str, tuple[float, float]] = {}
        for p in step.truth:
            ident = p.identity
            if ident is None or not ident.rid_serial:
                continue
            self.serial_of.setdefault(p.target, ident.rid_serial)
            if p.spoof:
                self.spoof.setdefault(p.target, dict(p.spoof))
            elif p.kind.value == "drone":
                self.honest_rid.add(p.target)
            seen = step.seen.get(p.target, ())
            if not any(self.kind.get(s) == "remote_id" for s in seen):
                continue
            x, y, _ = self.frame.to_enu(p.lat, p.lon, p.alt_m)
            heard[p.target] = (float(x), float(y))
            if not p.spoof:
                self.honest_rx_s += 1.0
        for p in step.truth:
            if p.spoof and p.target in heard and p.target not in self.contradiction:
                why = self._contradiction(p, step, heard)
                if why is not None:
                    self.contradiction[p.target] = (step.t, why)
            if p.target in heard:
                self.first_rx.setdefault(p.target, step.t)

    def _contradiction(
        self, p: Any, step: Any, heard: dict[str, tuple[float, float]]
    ) -> str | None:
        sp = self.spoof[p.target]
        mode = sp["mode"]
        first = p.target not in self.first_rx
        seen = step.seen.get(p.target, ())
        if mode == "malformed_serial":
            return "malformed serial received"
        if first and p.alt_m - float(sp.get("takeoff_alt_m", p.alt_m)) <= TAKEOFF_MAX_HEIGHT_M:
            ident = p.identity
            ox, oy, _ = self.frame.to_enu(ident.operator_lat, ident.operator_lon, p.alt_m)
            x, y = heard[p.target]  # the claimed take-off: where it is, plus any offset
            x, y = x + float(sp.get("offset_e_m", 0.0)), y + float(sp.get("offset_n_m", 0.0))
            if math.hypot(ox - x, oy - y) > OPERATOR_TAKEOFF_MAX_M + 50.0:
                return "heard at take-off, operator far from it"
        if mode == "false_position":
            if any(self.kind.get(s) in ("radar", "rf") for s in seen):
                return "heard while a radar/RF sensor saw it"
        elif mode == "false_speed":
            f = float(sp.get("speed_factor", 1.0))
            if math.hypot(p.velocity[0], p.velocity[1]) * abs(1.0 - f) >= SPEED_CONTRADICTION_MPS:
                return "heard while its claimed speed was >= 3 m/s off"
        elif mode == "stolen_serial":
            victim = sp.get("victim")
            if victim in heard:
                (x, y), (vx, vy) = heard[p.target], heard[victim]
                if math.hypot(x - vx, y - vy) > TWO_PLACES_M:
                    return "heard in the same second as the serial's owner"
        return None


def score(
    truth: SpoofTruth,
    first_flag: dict[str, tuple[float, tuple[str, ...]]],
    attributed: dict[str, str],
    hours: float,
) -> dict[str, Any]:
    """The spoof figures of one run (see the module docstring)."""
    by_serial: dict[str, set[str]] = defaultdict(set)
    for tg, s in truth.serial_of.items():
        by_serial[s].add(tg)
    victims = {sp.get("victim") for sp in truth.spoof.values() if sp.get("victim")}
    flag_t: dict[str, float] = {}
    false_tracks: list[str] = []
    honest_false: set[str] = set()
    collateral: set[str] = set()
    for track, (t, idents) in first_flag.items():
        implicated = {tg for i in idents if i.startswith("rid:") for tg in by_serial[i[4:]]}
        owner = attributed.get(track, "none")
        if owner != "none":
            implicated.add(owner)
        spoofers = implicated & truth.spoof.keys()
        for tg in spoofers:
            flag_t[tg] = min(flag_t.get(tg, math.inf), t)
        if owner in victims and owner not in truth.spoof:
            collateral.add(owner)
        if not spoofers:
            false_tracks.append(track)
            honest_false.update(implicated & truth.honest_rid)
    rows = []
    for tg, sp in sorted(truth.spoof.items()):
        c = truth.contradiction.get(tg)
        f = flag_t.get(tg)
        rows.append(
            {
                "target": tg,
                "mode": sp["mode"],
                "heard": tg in truth.first_rx,
                "first_contradiction": None if c is None else c[0],
                "contradiction": None if c is None else c[1],
                "flagged": f,
                "delay_s": None if c is None or f is None else round(f - c[0], 1),
            }
        )
    return {
        "hours": hours,
        "spoofers": rows,
        "false_flag_tracks": len(false_tracks),
        "false_flag_honest_drones": sorted(honest_false),
        "collateral_victims_flagged": sorted(collateral),
        "honest_rid_hours_heard": round(truth.honest_rx_s / 3600.0, 3),
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Pooled spoof figures over runs (each a :func:`score` result)."""
    rows = [r for run in runs for r in run["spoofers"]]
    hours = sum(run["hours"] for run in runs)
    contradicted = [r for r in rows if r["first_contradiction"] is not None]
    delays = [r["delay_s"] for r in contradicted if r["delay_s"] is not None]
    in_time = [d for d in delays if d <= DEADLINE_S]
    by_mode: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        m = by_mode[r["mode"]]
        m["spoofers"] += 1
        m["heard"] += bool(r["heard"])
        m["contradicted"] += r["first_contradiction"] is not None
        m["flagged_in_30s"] += r["delay_s"] is not None and r["delay_s"] <= DEADLINE_S
        m["flagged_ever"] += r["flagged"] is not None
    pos = [max(d, 0.0) for d in delays]
    honest = sorted({d for run in runs for d in run["false_flag_honest_drones"]})
    false_tracks = sum(run["false_flag_tracks"] for run in runs)
    honest_h = sum(run["honest_rid_hours_heard"] for run in runs)
    return {
        "spoofers": len(rows),
        "spoofers_heard": sum(bool(r["heard"]) for r in rows),
        "spoofers_contradicted": len(contradicted),
        "spoofers_never_contradicted": len(rows) - len(contradicted),
        "spoof_detection_rate": round(len(in_time) / len(contradicted), 4)
        if contradicted
        else None,
        "time_to_flag_median_s": round(float(np.median(pos)), 1) if pos else None,
        "time_to_flag_p90_s": round(float(np.quantile(pos, 0.9)), 1) if pos else None,
        "false_flags": false_tracks,
        "false_flags_per_h": round(false_tracks / hours, 3) if hours else None,
        "false_flag_honest_drones": len(honest),
        "honest_false_flags_per_h": round(len(honest) / hours, 3) if hours else None,
        "honest_rid_hours_heard": round(honest_h, 2),
        "collateral_victims_flagged": sum(len(run["collateral_victims_flagged"]) for run in runs),
        "by_mode": {k: dict(v) for k, v in sorted(by_mode.items())},
    }


def table(per_seed: dict[str, dict[str, Any]], total: dict[str, Any], title: str) -> Any:
    from rich.table import Table

    t = Table(title=title)
    for c in (
        "seed",
        "spoofers / heard / contradicted",
        "flagged <= 30 s",
        "to flag med / p90 s",
        "false flags (honest drones) /h",
        "collateral",
    ):
        t.add_column(c)
    for name, f in [*per_seed.items(), ("total", total)]:
        rate = f["spoof_detection_rate"]
        t.add_row(
            name,
            f"{f['spoofers']} / {f['spoofers_heard']} / {f['spoofers_contradicted']}",
            "-" if rate is None else f"{rate:.0%}",
            f"{f['time_to_flag_median_s']} / {f['time_to_flag_p90_s']}",
            f"{f['false_flags_per_h']} ({f['honest_false_flags_per_h']})",
            str(f["collateral_victims_flagged"]),
        )
    return t
