"""The month's stream files are gzip (written by ISA-L): the standard library reads
back exactly the bytes written."""

from __future__ import annotations

import gzip
from pathlib import Path

from skywarden.commands.month_sector import _open


def test_a_stream_reads_back_with_the_standard_gzip(tmp_path: Path) -> None:
    lines = b"".join(b'{"t":%d,"x":%d.25}\n' % (i, i * 7) for i in range(5000))
    with _open(tmp_path / "s.jsonl", True) as fh:
        fh.write(lines[:30000])
        fh.write(lines[30000:])
    with gzip.open(tmp_path / "s.jsonl.gz", "rb") as fin:
        assert fin.read() == lines
    with _open(tmp_path / "plain.jsonl", False) as fh:
        fh.write(lines)
    assert (tmp_path / "plain.jsonl").read_bytes() == lines
