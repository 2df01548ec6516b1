"""The edge's disk spool: order across a restart, a torn tail, the limit, reclaiming."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from skywarden.cluster.spool import DiskSpool, SpoolError, SpoolFull, SpoolWarning
from skywarden.errors import SkywardenError


def _msgs(n: int, start: int = 0) -> list[tuple[str, bytes]]:
    return [(f"edge1-{i:06d}", f"detection {i}".encode() * (1 + i % 3)) for i in range(start, n)]


def test_pending_is_oldest_first_and_survives_a_restart(tmp_path: Path) -> None:
    msgs = _msgs(50)
    with DiskSpool(tmp_path / "s", 1 << 20, segment_bytes=400) as sp:
        for m in msgs[:20]:
            sp.append(*m)
        sp.append_many(msgs[20:])
        assert len(sp) == 50
        assert len(list((tmp_path / "s").glob("seg-*.log"))) > 1  # it rotated
        for msg_id, _ in msgs[:7]:
            sp.ack(msg_id)
    with DiskSpool(tmp_path / "s", 1 << 20, segment_bytes=400) as sp:
        assert list(sp.pending()) == msgs[7:]
        sp.append("edge1-later", b"after the restart")
        assert list(sp.pending())[-1] == ("edge1-later", b"after the restart")


def test_a_killed_writer_loses_nothing_it_was_told_was_spooled(tmp_path: Path) -> None:
    """SIGKILL (not a clean close) right after the appends returned: all of them read back."""
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from skywarden.cluster.spool import DiskSpool\n"
        "sp = DiskSpool(Path(sys.argv[1]), 1 << 20, segment_bytes=1000)\n"
        "for i in range(200): sp.append(f'm{i:04d}', str(i).encode())\n"
        "for i in range(50): sp.ack(f'm{i:04d}')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s")], env=env, timeout=60)
    assert r.returncode == -9
    with DiskSpool(tmp_path / "s", 1 << 20) as sp:
        got = list(sp.pending())
    assert got == [(f"m{i:04d}", str(i).encode()) for i in range(50, 200)]


def test_a_torn_last_record_is_dropped_with_a_warning_and_earlier_kept(tmp_path: Path) -> None:
    msgs = _msgs(10)
    with DiskSpool(tmp_path / "s", 1 << 20) as sp:
        sp.append_many(msgs)
    (seg,) = (tmp_path / "s").glob("seg-*.log")
    size = seg.stat().st_size
    with open(seg, "r+b") as f:  # a power cut in the middle of the last write
        f.truncate(size - 5)
    with pytest.warns(SpoolWarning, match=r"seg-.*torn record.*keeping the 9 records"):
        sp = DiskSpool(tmp_path / "s", 1 << 20)
    with sp:
        assert list(sp.pending()) == msgs[:9]
        sp.append(*msgs[9])  # the source sends it again: accepted, after the others
        assert list(sp.pending()) == msgs


def test_a_corrupt_record_is_caught_by_its_crc(tmp_path: Path) -> None:
    msgs = _msgs(6)
    with DiskSpool(tmp_path / "s", 1 << 20) as sp:
        sp.append_many(msgs[:3])
        sp.append_many(msgs[3:])
    (seg,) = (tmp_path / "s").glob("seg-*.log")
    data = bytearray(seg.read_bytes())
    data[-2] ^= 0xFF  # one flipped bit-group in the last payload
    seg.write_bytes(bytes(data))
    with pytest.warns(SpoolWarning, match="CRC mismatch"), DiskSpool(tmp_path / "s", 1 << 20) as sp:
        assert list(sp.pending()) == msgs[:5]


def test_at_the_limit_new_messages_are_refused_and_old_ones_kept(tmp_path: Path) -> None:
    with DiskSpool(tmp_path / "s", 2000, segment_bytes=500) as sp:
        accepted: list[tuple[str, bytes]] = []
        msgs = iter(_msgs(1000))
        while sp.bytes_used < 1900:
            accepted.append(next(msgs))
            sp.append(*accepted[-1])
        with pytest.raises(SpoolFull) as e:
            sp.append_many(msgs)  # the rest cannot fit
        assert str(tmp_path / "s") in str(e.value) and "2000 bytes" in str(e.value)
        assert isinstance(e.value, SkywardenError)
        assert sp.bytes_used <= 2000
        assert list(sp.pending()) == accepted  # nothing old was dropped to make room
        # a refused batch writes nothing, not a part of it
        before = sp.bytes_used
        with pytest.raises(SpoolFull):
            sp.append_many([("x1", b"1"), ("x2", b"2" * 3000)])
        assert sp.bytes_used == before and len(sp) == len(accepted)
        # acking the oldest segment frees room again
        for msg_id, _ in accepted[: len(accepted) // 2]:
            sp.ack(msg_id)
        assert sp.bytes_used < before
        sp.append("edge1-after", b"room again")
        assert list(sp.pending())[-1][0] == "edge1-after"


def test_acked_segments_are_deleted_and_an_empty_spool_holds_no_data(tmp_path: Path) -> None:
    msgs = _msgs(40)
    with DiskSpool(tmp_path / "s", 1 << 20, segment_bytes=300) as sp:
        sp.append_many(msgs[:20])
        sp.append_many(msgs[20:])
        segments = len(list((tmp_path / "s").glob("seg-*.log")))
        for msg_id, _ in msgs[:20]:
            sp.ack(msg_id)
        assert len(list((tmp_path / "s").glob("seg-*.log"))) < segments
        for msg_id, _ in msgs[20:]:
            sp.ack(msg_id)
        assert len(sp) == 0 and sp.bytes_used == 0
        assert not list((tmp_path / "s").glob("seg-*"))


def test_bad_input_is_refused_with_the_path_named(tmp_path: Path) -> None:
    with pytest.raises(SpoolError, match="max_bytes"):
        DiskSpool(tmp_path / "s", 0)
    (tmp_path / "file").write_text("x")
    with pytest.raises(SpoolError, match="not a directory"):
        DiskSpool(tmp_path / "file", 100)
    with DiskSpool(tmp_path / "s", 1000) as sp:
        with pytest.raises(SpoolError, match="non-empty string"):
            sp.append("", b"x")
        with pytest.raises(SpoolError, match="must be bytes"):
            sp.append("a", "text")  # type: ignore[arg-type]
        sp.append("a", b"x")
        with pytest.raises(SpoolError, match="already spooled"):
            sp.append("a", b"again")
        with pytest.raises(SpoolError, match="not pending"):
            sp.ack("b")
        with pytest.raises(SpoolError, match="in use by another process"):
            DiskSpool(tmp_path / "s", 1000)


def test_pending_is_lazy_skips_what_is_acked_and_sees_what_is_appended(tmp_path: Path) -> None:
    msgs = _msgs(30)
    with DiskSpool(tmp_path / "s", 1 << 20, segment_bytes=300) as sp:
        sp.append_many(msgs[:20])
        it = sp.pending()
        assert next(it) == msgs[0]
        sp.ack(msgs[0][0])
        sp.ack(msgs[1][0])  # acked before the iterator reached it: skipped
        sp.append_many(msgs[20:])  # appended meanwhile, into newer segments: included
        assert list(it) == msgs[2:]
        assert list(sp.pending()) == msgs[2:]


def test_a_full_disk_is_back_pressure_too_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from skywarden.cluster import spool as spool_module

    msgs = _msgs(6)
    with DiskSpool(tmp_path / "s", 1 << 20) as sp:
        sp.append_many(msgs[:3])

        def no_space(fd: int, data: bytes, offset: int) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(spool_module.os, "pwrite", no_space)
        with pytest.raises(SpoolFull, match="No space left on device"):
            sp.append_many(msgs[3:])
        monkeypatch.undo()
        assert len(sp) == 3
        sp.append_many(msgs[3:])  # room again: the same batch goes in whole
    with DiskSpool(tmp_path / "s", 1 << 20) as sp:
        assert list(sp.pending()) == msgs
