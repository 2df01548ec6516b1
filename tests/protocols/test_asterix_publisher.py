"""Live CAT062 over UDP, read by asterix-decoder; and every output through one app hook."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import asterix
import pytest

from skywarden.bus import InProcessBus
from skywarden.protocols.asterix_publisher import (
    AsterixPublisher,
    AsterixSpecError,
    parse_asterix_url,
)
from skywarden.protocols.outputs import OutputSpecError, attach_outputs

T0 = 1_780_000_000.0


def tr(tid: str, t: float, status: str = "confirmed") -> dict[str, Any]:
    return {
        "t": t,
        "track": tid,
        "status": status,
        "lat": 31.7612345,
        "lon": -106.4854321,
        "alt_m": 1234.5,
        "velocity": [5.0, 1.0, 0.0],
        "cls": "drone",
        "class_probs": {"drone": 1.0},
        "identities": ["icao:a1b2c3"],
        "sensors": ["r1"],
    }


def udp_port() -> tuple[socket.socket, int]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    return s, s.getsockname()[1]


async def recv(s: socket.socket, n: int) -> list[bytes]:
    loop = asyncio.get_running_loop()
    return [await asyncio.wait_for(loop.sock_recv(s, 65536), 5) for _ in range(n)]


def test_url_settings_and_errors() -> None:
    t = parse_asterix_url("udp://232.1.1.1:8600?sac=25&sic=7&role=partner")
    assert (t.host, t.port, t.sac, t.sic, t.partner) == ("232.1.1.1", 8600, 25, 7, True)
    for bad in ("tcp://h:1", "udp://h", "udp://h:1?sac=300", "udp://h:1?x=1", "udp://h:1?role=x"):
        with pytest.raises(AsterixSpecError, match=r"udp://|sac|unknown|role"):
            parse_asterix_url(bad)


def test_each_scan_is_a_cat062_datagram_for_the_receiver() -> None:
    sock, port = udp_port()

    async def main() -> list[bytes]:
        bus = InProcessBus()
        pub = AsterixPublisher(
            parse_asterix_url(f"udp://127.0.0.1:{port}?sac=25&sic=7"), bus, origin=(31.76, -106.43)
        )
        pub.start()
        await bus.publish("tracks", {"tracks": [tr("A", T0), tr("B", T0)]})
        await bus.publish("tracks", {"tracks": [tr("A", T0 + 1, "ended")]})
        try:
            return await recv(sock, 2)
        finally:
            await pub.stop()

    grams = asyncio.run(main())
    sock.close()
    first = list(asterix.parse(grams[0], verbose=False))
    assert [r["I040"]["TrkN"]["val"] for r in first] == [1, 2]
    assert {(r["I010"]["SAC"]["val"], r["I010"]["SIC"]["val"]) for r in first} == {(25, 7)}
    assert all("I100" in r for r in first)  # the sector origin is the reference point
    (last,) = asterix.parse(grams[1], verbose=False)
    assert last["I040"]["TrkN"]["val"] == 1 and last["I080"]["TSE"]["val"] == 1


def test_partner_gets_only_shared_tracks_redacted() -> None:
    pub = AsterixPublisher(parse_asterix_url("udp://127.0.0.1:9?role=partner"), InProcessBus())
    assert pub.records("tracks", {"tracks": [tr("A", T0)]}) == []
    pub.records("incidents", {"incidents": [{"id": "I1", "tracks": ["A"], "shared": True}]})
    (gram,) = pub.records("tracks", {"tracks": [tr("A", T0), tr("B", T0)]})
    (rec,) = asterix.parse(gram, verbose=False)
    assert rec["I105"]["Lat"]["val"] == pytest.approx(31.76, abs=1e-5)  # rounded to ~1 km
    assert "I380" not in rec and "I185" not in rec  # no identity, no velocity


def test_one_hook_starts_every_output_with_the_app(tmp_path: Path, monkeypatch: Any) -> None:
    from skywarden.service.app import create_app
    from skywarden.store import Database

    monkeypatch.setenv("SKYWARDEN_SECRET_KEY_FILE", str(tmp_path / "k.key"))
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    app = create_app(db, meta={"center": [31.76, -106.43]})
    cot_sock, cot_port = udp_port()
    ast_sock, ast_port = udp_port()
    with pytest.raises(OutputSpecError) as e:
        attach_outputs(app, asterix=["tcp://nope:1"])
    assert e.value.param == "--asterix-out"
    attach_outputs(
        app, cot=[f"udp://127.0.0.1:{cot_port}"], asterix=[f"udp://127.0.0.1:{ast_port}"]
    )

    async def main() -> tuple[list[bytes], list[bytes]]:
        async with app.router.lifespan_context(app):
            await app.state.ctx.bus.publish("tracks", {"tracks": [tr("Z", T0)]})
            return await recv(cot_sock, 1), await recv(ast_sock, 1)

    cot, ast = asyncio.run(main())
    assert b'uid="skywarden-track-Z"' in cot[0]
    (rec,) = asterix.parse(ast[0], verbose=False)
    assert rec["I040"]["TrkN"]["val"] == 1
    cot_sock.close()
    ast_sock.close()
    db.dispose()
