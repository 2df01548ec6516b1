"""Visual sightings, JSON Lines: a person reports a drone they saw.

    {"t": "2026-02-11T03:12:00Z", "reporter": "agent-117", "lat": 31.772,
     "lon": -106.47, "uncertainty_m": 300, "alt_m": 1290,
     "text": "two small quadcopters heading north, red light"}

Required: t (epoch s or ISO 8601 with zone), reporter, lat, lon, uncertainty_m (a
rough 95 % radius, > 0). Altitude: alt_m (metres MSL); else reporter_alt_m plus
height_m (estimated height above the reporter; 50 m if not given), labelled
``estimated``. Optional: text (free), count, heading_deg. The position covariance is
circular with sigma = uncertainty_m / 2; vertically, sigma = 100 m unless
alt_uncertainty_m is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from skywarden.ingest.base import LineParser
from skywarden.ingest.fields import number, optional, text, utc_time
from skywarden.ingest.plots import json_object
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.model import Detection, Position, SensorKind

DEFAULT_HEIGHT_M = 50.0


@dataclass
class VisualParser(LineParser):
    """JSON Lines of sightings."""

    format = "visual"

    def parse_line(self, line_text: str, line: int, t_received: float) -> Detection | None:
        obj = json_object(line_text)
        t = utc_time(obj)
        reporter = text(obj, "reporter")
        assert reporter is not None
        lat = number(obj, "lat", -90.0, 90.0)
        lon = number(obj, "lon", -180.0, 180.0)
        unc = number(obj, "uncertainty_m", 1e-3, 100_000.0)
        attrs: dict[str, object] = {"reporter": reporter, "uncertainty_m": unc}
        alt = optional(obj, "alt_m", -500.0, 30_000.0)
        if alt is not None:
            attrs["altitude_source"] = "reported"
        else:
            base = optional(obj, "reporter_alt_m", -500.0, 9000.0)
            if base is None:
                raise RejectedMessage(Reason.MISSING_FIELD, "alt_m or reporter_alt_m", "alt_m")
            height = optional(obj, "height_m", 0.0, 20_000.0)
            alt = base + (DEFAULT_HEIGHT_M if height is None else height)
            attrs["altitude_source"] = "estimated"
        for key in ("text",):
            v = text(obj, key, required=False)
            if v is not None:
                attrs[key] = v
        count = optional(obj, "count", 1, 10_000)
        if count is not None:
            attrs["count"] = int(count)
        heading = optional(obj, "heading_deg", 0.0, 360.0)
        if heading is not None:
            attrs["heading_deg"] = heading
        sv = optional(obj, "alt_uncertainty_m", 1e-3, 10_000.0) or 100.0
        sh = unc / 2.0
        cov = ((sh * sh, 0.0, 0.0), (0.0, sh * sh, 0.0), (0.0, 0.0, sv * sv))
        return Detection(
            t=t,
            sensor=self.options.sensor or f"visual:{reporter}",
            kind=SensorKind.VISUAL,
            position=Position(lat, lon, alt, cov),
            attrs=attrs,
        )
