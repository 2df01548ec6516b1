"""``serve --source tcp://...``: a live SBS (BaseStation) feed through ingest, the tracker
and the store, the way a receiver at El Paso would feed the service."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx


def sbs_line(icao: str, t: float, lat: float, lon: float, alt_ft: int) -> bytes:
    stamp = datetime.fromtimestamp(t, UTC)
    d, hms = stamp.strftime("%Y/%m/%d"), stamp.strftime("%H:%M:%S.%f")[:12]
    pos = f"{alt_ft},,,{lat:.5f},{lon:.5f},,,0,0,0,0"
    return f"MSG,3,1,1,{icao},1,{d},{hms},{d},{hms},,{pos}\n".encode()


class Receiver:
    """A BaseStation port (30003-style) with two aircraft east of KELP, one position message
    a second each (one per scan: see the report on the tracker and 2 Hz ADS-B), plus a
    garbled line now and then."""

    def __init__(self) -> None:
        self.srv = socket.create_server(("127.0.0.1", 0))
        self.port = self.srv.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.srv.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.srv.accept()
            except TimeoutError:
                continue
            k = 0
            with conn:
                while not self.stop.is_set():
                    t = time.time()
                    for icao, lat0, lon0 in (
                        ("A1B2C3", 31.80, -106.30),
                        ("A4B5C6", 31.70, -106.25),
                    ):
                        lon = lon0 - 0.0016 * k  # ~150 m a second, westbound
                        msg = sbs_line(icao, t, lat0, lon, 6000)
                        try:
                            conn.sendall(msg + (b"MSG,3,garbled\n" if k % 5 == 1 else b""))
                        except OSError:
                            return
                    k += 1
                    time.sleep(1.0)


def test_live_sbs_feed_becomes_tracks_in_the_store(tmp_path: Path, svc: SimpleNamespace) -> None:
    svc.write_scene(tmp_path / "sector", seconds=1, n_tracks=1)  # writes sector.json
    db = f"sqlite:///{tmp_path / 's.db'}"
    pw = svc.add_user(db, "ana", "analyst", tmp_path)
    rx = Receiver()
    server = svc.Served(
        [
            "--db",
            db,
            "--source",
            f"tcp://127.0.0.1:{rx.port}",
            "--sector",
            str(tmp_path / "sector" / "sector.json"),
        ],
        tmp_path,
    )
    try:
        h = server.token("ana", pw)

        def get(path: str) -> Any:
            return httpx.get(f"{server.url}{path}", headers=h, timeout=10).json()

        end = time.monotonic() + 30
        while time.monotonic() < end and len(get("/api/tracks")) < 2:
            time.sleep(0.5)
        live = get("/api/tracks")
        assert len(live) == 2, live
        assert all(abs(p["t"] - time.time()) < 5 for p in live)  # live, wall-clock time
        assert {p["lat"] // 0.05 for p in live} == {31.80 // 0.05, 31.70 // 0.05}
        assert any("sbs" in q["reason"] for q in get("/api/quarantine"))
        assert get("/api/stats")["track_points"] > 0
    finally:
        rx.stop.set()
        server.stop()
