"""A SAPIENT sensor node (ASM) simulator, written with the same binding (sapient-proto).

It registers, reports status with its location, turns skywarden ``Detection``s (the
simulator's El Paso radar plots) into DetectionReports, and can send malformed messages.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable

from sapient_msg.bsi_flex_335_v2_0 import (
    location_pb2,
    registration_pb2,
    sapient_message_pb2,
    status_report_pb2,
)
from ulid import ULID

from skywarden.ingest.sapient import encode, frame
from skywarden.model import Detection

R = registration_pb2.Registration
REPORT_NAMES = {
    "drone": "UAV Rotary Wing",
    "bird": "Bird",
    "manned": "Manned Fixed Wing Aircraft",
    "clutter": "Clutter",
}


def _message(node_id: str, t: float) -> sapient_message_pb2.SapientMessage:
    m = sapient_message_pb2.SapientMessage(node_id=node_id)
    m.timestamp.seconds = math.floor(t)
    m.timestamp.nanos = round((t - math.floor(t)) * 1e9) % 1_000_000_000
    return m


class SensorNode:
    def __init__(self, name: str, lat: float, lon: float, alt_m: float) -> None:
        self.node_id = str(uuid.uuid4())
        self.name = name
        self.site = (lat, lon, alt_m)

    def registration(self, t: float) -> bytes:
        m = _message(self.node_id, t)
        r = m.registration
        r.icd_version = "BSI Flex 335 v2.0"
        r.name = f"{self.name} (simulated)"
        r.short_name = self.name
        r.node_definition.add(node_type=R.NodeType.NODE_TYPE_RADAR)
        r.capabilities.add(category="Radar", type="Maximum range")
        r.status_definition.status_interval.units = R.TimeUnits.TIME_UNITS_SECONDS
        r.status_definition.status_interval.value = 5.0
        mode = r.mode_definition.add(mode_name="default", mode_type=R.ModeType.MODE_TYPE_PERMANENT)
        mode.settle_time.units = R.TimeUnits.TIME_UNITS_SECONDS
        mode.settle_time.value = 1.0
        loc_type = mode.detection_definition.add().location_type
        loc_type.location_units = location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
        loc_type.location_datum = location_pb2.LOCATION_DATUM_WGS84_E
        region = mode.task.region_definition
        region.region_type.append(R.RegionType.REGION_TYPE_AREA_OF_INTEREST)
        region.region_area.add().CopyFrom(loc_type)
        r.config_data.add(manufacturer="skywarden", model="sapient-node-sim")
        return encode(m)

    def status(self, t: float) -> bytes:
        m = _message(self.node_id, t)
        s = m.status_report
        s.report_id = str(ULID())
        s.system = status_report_pb2.StatusReport.System.SYSTEM_OK
        s.info = status_report_pb2.StatusReport.Info.INFO_NEW
        s.mode = "default"
        lat, lon, alt = self.site
        s.node_location.CopyFrom(_location(lat, lon, alt))
        return encode(m)

    def detection(self, d: Detection, object_id: str) -> bytes:
        assert d.position is not None
        m = _message(self.node_id, d.t)
        r = m.detection_report
        r.report_id = str(ULID())
        r.object_id = object_id
        r.location.CopyFrom(_location(d.position.lat, d.position.lon, d.position.alt_m))
        r.location.x_error = 1e-4
        r.location.y_error = 1e-4
        r.location.z_error = 15.0
        label = d.attrs.get("class_report")
        if label in REPORT_NAMES:
            c = r.classification.add(type="Air Vehicle", confidence=1.0)
            c.sub_class.add(
                type=REPORT_NAMES[label],
                confidence=float(d.attrs.get("class_confidence", 1.0)),
                level=1,
            )
        r.behaviour.add(type="Loitering" if label == "drone" else "Transiting", confidence=0.6)
        if d.velocity is not None:
            r.enu_velocity.east_rate, r.enu_velocity.north_rate, r.enu_velocity.up_rate = d.velocity
        return encode(m)

    def detections(self, dets: Iterable[Detection]) -> bytes:
        return b"".join(
            self.detection(d, str(ULID.from_timestamp(d.t + k))) for k, d in enumerate(dets)
        )

    # ------------------------------------------------------------------ malformed
    def missing_object_id(self, t: float) -> bytes:
        """A DetectionReport without its mandatory object_id (ICD violation)."""
        m = _message(self.node_id, t)
        m.detection_report.report_id = str(ULID())
        lat, lon, alt = self.site
        m.detection_report.location.CopyFrom(_location(lat, lon, alt))
        return encode(m)

    @staticmethod
    def garbage() -> bytes:
        """A correctly framed message whose bytes are not protobuf."""
        return frame(b"\xff\xfe not a protobuf \x00\x01")


def _location(lat: float, lon: float, alt: float) -> location_pb2.Location:
    return location_pb2.Location(
        x=lon,
        y=lat,
        z=alt,
        coordinate_system=location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M,
        datum=location_pb2.LOCATION_DATUM_WGS84_E,
    )
