"""Plain radar plots, CSV or JSON Lines, for radars that export nothing standard.

One plot per row (CSV with a header line) or per line (JSON object):

    t                  UTC epoch seconds or ISO 8601 with zone        required
    sensor             radar id                                       required
    range_m            slant range, metres                            required
    azimuth_deg        true azimuth, clockwise from north, [0, 360]   required
    elevation_deg      above the horizontal, [-90, 90]                optional (2D radar)
    radial_velocity_ms Doppler speed, positive receding               optional
    rcs_dbsm           radar cross-section, dBsm                      optional
    range_sigma_m, azimuth_sigma_deg, elevation_sigma_deg             optional
    sensor_lat, sensor_lon, sensor_alt_m   the radar's position, unless configured

    t,sensor,range_m,azimuth_deg,elevation_deg,radial_velocity_ms,rcs_dbsm
    1770779400.0,radar-1,1523.5,47.25,3.1,-6.2,-18.5

The site comes from the row, else ``IngestOptions.sites[sensor]``, else the receiver.
The plot is placed along the geodesic at ground range ``range cos(elevation)``, at the
site's altitude plus ``range sin(elevation)``; a 2D plot (no elevation) takes the
site's altitude and is labelled ``altitude_source="site_2d"``. With sigmas given, the
covariance is the range/cross-range/vertical ellipse rotated into East-North-Up.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from skywarden.geo import destination
from skywarden.ingest.base import LineParser
from skywarden.ingest.fields import number, optional, text, utc_time
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.model import Detection, Position, SensorKind

REQUIRED = ("t", "sensor", "range_m", "azimuth_deg")


def plot_detection(row: Mapping[str, Any], parser: LineParser) -> Detection:
    """One plot record (CSV row or JSON object) to a Detection."""
    t = utc_time(row)
    sensor = text(row, "sensor")
    assert sensor is not None
    rng = number(row, "range_m", 0.0, 500_000.0)
    az = number(row, "azimuth_deg", 0.0, 360.0)
    el = optional(row, "elevation_deg", -90.0, 90.0)
    attrs: dict[str, Any] = {"range_m": rng, "azimuth_deg": az}
    for key, lo, hi in (("radial_velocity_ms", -400.0, 400.0), ("rcs_dbsm", -80.0, 80.0)):
        v = optional(row, key, lo, hi)
        if v is not None:
            attrs[key] = v
    slat = optional(row, "sensor_lat", -90.0, 90.0)
    slon = optional(row, "sensor_lon", -180.0, 180.0)
    if slat is not None and slon is not None:
        salt = optional(row, "sensor_alt_m", -500.0, 9000.0) or 0.0
    elif sensor in parser.options.sites:
        slat, slon, salt = parser.options.sites[sensor]
    elif parser.options.receiver is not None:
        (slat, slon), salt = parser.options.receiver, parser.options.receiver_alt_m
    else:
        raise RejectedMessage(Reason.NO_POSITION, f"no site for sensor {sensor!r}", "sensor_lat")
    e = math.radians(el or 0.0)
    ground = rng * math.cos(e)
    lat, lon = destination(slat, slon, az, ground)
    if el is None:
        alt, attrs["altitude_source"] = salt, "site_2d"
    else:
        alt, attrs["elevation_deg"] = salt + rng * math.sin(e), el
        attrs["altitude_source"] = "elevation"
    return Detection(
        t=t,
        sensor=parser.options.sensor or sensor,
        kind=SensorKind.RADAR,
        position=Position(float(lat), float(lon), alt, _cov(row, rng, az, el)),
        attrs=attrs,
    )


def _cov(
    row: Mapping[str, Any], rng: float, az: float, el: float | None
) -> tuple[tuple[float, ...], ...] | None:
    sr = optional(row, "range_sigma_m", 0.0, 1e5)
    sa = optional(row, "azimuth_sigma_deg", 0.0, 180.0)
    if sr is None or sa is None:
        return None
    se = optional(row, "elevation_sigma_deg", 0.0, 90.0)
    sc = rng * math.radians(sa)  # cross-range
    sv = rng * math.radians(se) if se is not None else (sc if el is not None else 1000.0)
    a = math.radians(az)
    u, w = (math.sin(a), math.cos(a)), (math.cos(a), -math.sin(a))
    exx = sr * sr * u[0] * u[0] + sc * sc * w[0] * w[0]
    eyy = sr * sr * u[1] * u[1] + sc * sc * w[1] * w[1]
    exy = sr * sr * u[0] * u[1] + sc * sc * w[0] * w[1]
    return ((exx, exy, 0.0), (exy, eyy, 0.0), (0.0, 0.0, sv * sv))


@dataclass
class PlotsCsvParser(LineParser):
    """CSV plots: the first line is the header naming the columns."""

    format = "plots_csv"

    def __post_init__(self) -> None:
        super().__post_init__()
        self._header: list[str] | None = None

    def parse_line(self, line_text: str, line: int, t_received: float) -> Detection | None:
        cells = next(csv.reader([line_text]))
        if self._header is None:
            header = [c.strip() for c in cells]
            missing = [k for k in REQUIRED if k not in header]
            if missing:
                raise RejectedMessage(Reason.UNKNOWN_FORMAT, f"header lacks {missing}", "header")
            self._header = header
            self.absorbed["header"] += 1
            return None
        if len(cells) != len(self._header):
            raise RejectedMessage(
                Reason.TRUNCATED if len(cells) < len(self._header) else Reason.CORRUPT,
                f"{len(cells)} cells, header has {len(self._header)}",
            )
        return plot_detection(
            dict(zip(self._header, (c.strip() for c in cells), strict=True)), self
        )


@dataclass
class PlotsJsonParser(LineParser):
    """JSON Lines plots: one object per line with the fields above."""

    format = "plots_json"

    def parse_line(self, line_text: str, line: int, t_received: float) -> Detection | None:
        return plot_detection(json_object(line_text), self)


def json_object(line_text: str) -> dict[str, Any]:
    """Parse one JSON Lines record; it must be an object."""
    try:
        obj = json.loads(line_text)
    except ValueError as e:
        raise RejectedMessage(Reason.CORRUPT, f"not JSON: {e}") from None
    if not isinstance(obj, dict):
        raise RejectedMessage(Reason.CORRUPT, "not a JSON object")
    return obj
