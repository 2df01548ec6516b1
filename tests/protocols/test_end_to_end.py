"""End to end: a simulated SAPIENT radar node and a Remote ID feed go in, a TAK receiver
on loopback gets the fused drone as one CoT track with its incident (issue 15).

Both inputs cross their real wire formats: the radars' plots as SAPIENT DetectionReports
(read by the fusion node's parser), the Remote ID receivers' reports as ASTM F3411 Open
Drone ID message packs (read by skywarden's Remote ID parser)."""

from __future__ import annotations

import asyncio
import math
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sapient_node import SensorNode

from skywarden.bus import InProcessBus
from skywarden.ingest.base import IngestOptions, Parser
from skywarden.ingest.formats import make_parser
from skywarden.ingest.rid_broadcast import (
    BasicId,
    ClassificationType,
    HeightType,
    IdType,
    Location,
    MessagePack,
    OperatorLocationType,
    Status,
    System,
    UaType,
    encode_message,
)
from skywarden.ingest.sapient import SapientParser
from skywarden.model import Detection, SensorKind
from skywarden.pipeline import Pipeline, Scan
from skywarden.protocols._pytak import pytak
from skywarden.protocols.cot_publisher import CotPublisher, parse_cot_url
from skywarden.service.launch import build_stages
from skywarden.service.sources import ScenarioSource
from skywarden.store import Database, ids

SCENARIO = Path(__file__).parents[2] / "scenarios" / "el-paso.yaml"
SECONDS = 60


def odid(d: Detection) -> bytes:
    """A Remote ID report as the Open Drone ID message pack its receiver heard."""
    assert d.position is not None and d.identity is not None and d.velocity is not None
    ve, vn, vu = d.velocity
    loc = Location(
        Status.AIRBORNE,
        math.degrees(math.atan2(ve, vn)) % 360.0,
        math.hypot(ve, vn),
        vu,
        d.position.lat,
        d.position.lon,
        None,
        d.position.alt_m,
        HeightType.ABOVE_TAKEOFF,
        d.attrs.get("height_above_takeoff_m"),
        10,
        4,
        3,
        3,
        round((d.t % 3600) * 10),
        0.1,
    )
    basic = BasicId(
        IdType.SERIAL_NUMBER, UaType.HELICOPTER_OR_MULTIROTOR, d.identity.rid_serial or "?"
    )
    system = System(
        OperatorLocationType.LIVE_GNSS,
        ClassificationType.UNDECLARED,
        d.identity.operator_lat,
        d.identity.operator_lon,
        1,
        0.0,
        None,
        None,
        0,
        0,
        None,
        int(d.t),
    )
    return encode_message(MessagePack((basic, loc, system)))


class SapientAndRemoteId:
    """The scenario's classifying radars re-sent as SAPIENT nodes and its Remote ID
    receivers as Open Drone ID broadcasts, each decoded by its parser; nothing else."""

    paced = False

    def __init__(self) -> None:
        self.scenario = ScenarioSource(SCENARIO, seed=1, duration_s=SECONDS)
        self.id = "e2e:sapient+rid"
        self.name = "SAPIENT radar nodes + Remote ID"
        self.parser = SapientParser("sapient://e2e")
        self.nodes: dict[str, SensorNode] = {}
        self.rid: dict[str, Parser] = {}
        self.from_sapient = 0
        self.from_rid = 0

    def _node(self, d: Detection) -> bytes:
        if d.sensor in self.nodes:
            return b""
        site = next(s for s in self.scenario.sector().sensors if s["id"] == d.sensor)
        node = self.nodes[d.sensor] = SensorNode(d.sensor, site["lat"], site["lon"], site["alt_m"])
        return node.registration(d.t) + node.status(d.t)

    def scans(self) -> Iterator[Scan]:
        for scan in self.scenario.scans():
            dets: list[Detection] = []
            wire = b""
            for d in scan.detections:
                if d.kind is SensorKind.REMOTE_ID and d.position and d.velocity:
                    if d.sensor not in self.rid:
                        self.rid[d.sensor] = make_parser("rid", d.sensor, IngestOptions())
                    got_rid = self.rid[d.sensor].feed(odid(d), d.t)
                    heard = [x for x in got_rid if isinstance(x, Detection)]
                    self.from_rid += len(heard)
                    dets.extend(heard)
                elif d.kind is SensorKind.RADAR and "class_report" in d.attrs and d.position:
                    wire += self._node(d) + self.nodes[d.sensor].detections([d])
            got = [x for x in self.parser.feed(wire) if isinstance(x, Detection)]
            self.from_sapient += len(got)
            yield Scan(scan.t, dets + got)


def test_sapient_radar_and_remote_id_to_one_tak_track_with_its_incident(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("SKYWARDEN_SECRET_KEY_FILE", str(tmp_path / "k.key"))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    src = SapientAndRemoteId()
    sector = src.scenario.sector()
    with db.session() as s:
        prefix = ids.prefix(ids.run_for(s, src.id))
    stages = build_stages(sector, True, None, [], db=db, source_id=src.id, id_prefix=prefix)
    bus = InProcessBus(maxsize=100_000)
    pipe = Pipeline(
        db,
        bus,
        src,
        stages.tracker,
        stages.analyzer,
        None,
        zones=stages.zones,
        sensors=sector.sensors,
        id_prefix=prefix,
        seed=False,
    )

    async def main() -> list[bytes]:
        reader, _ = await pytak.create_udp_client(urlparse(f"udp+ro://127.0.0.1:{port}"))
        pub = CotPublisher(parse_cot_url(f"udp://127.0.0.1:{port}"), bus)
        await pub.start()
        got: list[bytes] = []

        async def receive() -> None:
            while True:
                data, _ = await reader.recv()
                got.append(data)

        rx = asyncio.create_task(receive())
        await pipe.run()
        for _ in range(50):  # let the last events cross the loopback (at most 5 s)
            if len(got) >= pub.sent and pub.queue.empty():
                break
            await asyncio.sleep(0.1)
        await pub.stop()
        rx.cancel()
        reader.close()
        return got

    events = asyncio.run(main())
    assert src.from_sapient > 50  # the radar plots did come through SAPIENT
    assert src.from_rid > 20  # and the Remote ID reports through Open Drone ID
    uid = re.compile(rb'uid="([^"]+)"')
    kind = re.compile(rb'type="([^"]+)"')
    suspect = [e for e in events if kind.search(e).group(1) == b"a-s-A-M-F-Q"]  # type: ignore[union-attr]
    assert suspect, "a drone in an open incident is sent as a suspect UAV"
    with_incident = [e for e in suspect if b"incident " in e and b"rid:" in e]
    assert with_incident, "its remarks carry the incident and its Remote ID identity"
    drone_uid = uid.search(with_incident[0]).group(1)  # type: ignore[union-attr]
    track = drone_uid.decode().removeprefix("skywarden-track-")
    # one CoT track: every event of that uid is the same fused track ...
    mine = [e for e in events if uid.search(e).group(1) == drone_uid]  # type: ignore[union-attr]
    assert len(mine) >= 5
    # ... fused from the SAPIENT radar node and the Remote ID feed
    from skywarden.store import tracks as store_tracks

    with db.session() as s:
        sensors = {x for p in store_tracks.history(s, tracks=[track]) for x in p["sensors"]}
    assert any(x in src.nodes for x in sensors), sensors
    assert any(x.startswith("rid-") for x in sensors), sensors
    markers = [e for e in events if b'type="b-m-p-s-m"' in e]
    assert markers, "the incident itself is sent as a marker"
    db.dispose()
