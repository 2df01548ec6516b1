"""RF direction-finder reports, JSON Lines: a bearing to a drone's radio link.

    {"t": 1770779400.2, "sensor": "df-1", "sensor_lat": 31.79, "sensor_lon": -106.42,
     "sensor_alt_m": 1190, "bearing_deg": 212.5, "sigma_deg": 3.0,
     "elevation_deg": 4.0, "elevation_sigma_deg": 6.0,
     "protocol": "DJI OcuSync 3", "frequency_mhz": 5785.0, "rssi_dbm": -71.5,
     "id": "optional emitter id / serial the finder decoded"}

Required: t (epoch s or ISO 8601), sensor, bearing_deg (true, [0, 360]), sigma_deg
(one standard deviation, > 0); the site from sensor_lat/lon/alt_m, else
``IngestOptions.sites[sensor]``, else the receiver. Becomes a bearing-only Detection of
kind ``rf``; protocol, frequency, RSSI and id go into attrs (a decoded serial also into
the identity, so a track can match it with Remote ID).
"""

from __future__ import annotations

from dataclasses import dataclass

from skywarden.ingest.base import LineParser
from skywarden.ingest.fields import number, optional, text, utc_time
from skywarden.ingest.plots import json_object
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.model import Bearing, Detection, Identity, SensorKind


@dataclass
class RfDfParser(LineParser):
    """JSON Lines of direction-finder bearings."""

    format = "rfdf"

    def parse_line(self, line_text: str, line: int, t_received: float) -> Detection | None:
        obj = json_object(line_text)
        t = utc_time(obj)
        sensor = text(obj, "sensor")
        assert sensor is not None
        brg = number(obj, "bearing_deg", 0.0, 360.0) % 360.0
        sigma = number(obj, "sigma_deg", 1e-6, 180.0)
        slat = optional(obj, "sensor_lat", -90.0, 90.0)
        slon = optional(obj, "sensor_lon", -180.0, 180.0)
        if slat is not None and slon is not None:
            salt = optional(obj, "sensor_alt_m", -500.0, 9000.0) or 0.0
        elif sensor in self.options.sites:
            slat, slon, salt = self.options.sites[sensor]
        elif self.options.receiver is not None:
            (slat, slon), salt = self.options.receiver, self.options.receiver_alt_m
        else:
            raise RejectedMessage(Reason.NO_POSITION, f"no site for {sensor!r}", "sensor_lat")
        attrs: dict[str, object] = {}
        for key in ("protocol", "id"):
            v = text(obj, key, required=False)
            if v is not None:
                attrs[key] = v
        for key, lo, hi in (("frequency_mhz", 1.0, 100_000.0), ("rssi_dbm", -200.0, 50.0)):
            n = optional(obj, key, lo, hi)
            if n is not None:
                attrs[key] = n
        emitter = attrs.get("id")
        return Detection(
            t=t,
            sensor=self.options.sensor or sensor,
            kind=SensorKind.RF,
            bearing=Bearing(
                slat,
                slon,
                salt,
                brg,
                sigma,
                optional(obj, "elevation_deg", -90.0, 90.0),
                optional(obj, "elevation_sigma_deg", 1e-6, 180.0),
            ),
            identity=Identity(rid_serial=str(emitter)) if emitter else None,
            attrs=attrs,
        )
