"""A server that cannot reserve the streams' bytes is refused with what to change.

The failure CI met on a nearly full disk (nats-server's default cap is 75 % of the disk
free), reproduced with a stated cap below the two streams' 2 GiB."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from nats_throwaway import start_nats
from skywarden.cluster import topology


def test_too_little_jetstream_storage_names_the_setting(tmp_path: Path) -> None:
    proc, url = start_nats(tmp_path / "js", max_file_store="1GB")
    try:
        with pytest.raises(topology.ClusterError) as e:
            asyncio.run(topology.connect(url, lease_ttl_s=6.0))
    finally:
        proc.terminate()
        proc.wait(10)
    msg = str(e.value)
    assert msg.startswith(f"--bus {url}: JetStream topology")
    assert "10047" in msg and "max_file_store" in msg and "2 GiB" in msg


def test_enough_storage_connects(tmp_path: Path) -> None:
    proc, url = start_nats(tmp_path / "js", max_file_store="3GB")

    async def go() -> list[str]:
        topo = await topology.connect(url, lease_ttl_s=6.0)
        names = [topology.DET_STREAM, topology.OUT_STREAM]
        got = [(await topo.js.stream_info(n)).config.name for n in names]
        await topo.nc.close()
        return [g or "" for g in got]

    try:
        assert asyncio.run(go()) == [topology.DET_STREAM, topology.OUT_STREAM]
    finally:
        proc.terminate()
        proc.wait(10)
