"""ASTERIX CAT062 files: every track update as a system track record, in time order.

A plain concatenation of data blocks (the usual ``.ast`` recording, no per-block
timestamps), encoded by ``protocols.cat062``. The sector origin is the system reference
point of I062/100 when the source gives it (a run directory's ``sector.json``).
"""

from __future__ import annotations

from collections.abc import Callable

from skywarden.export.data import ExportData
from skywarden.geo import LocalFrame
from skywarden.protocols.cat062 import Cat062Encoder


def tracks(data: ExportData) -> bytes:
    frame = LocalFrame(*data.origin) if data.origin is not None else None
    points = sorted(data.tracks, key=lambda p: (float(p["t"]), str(p["track"])))
    return Cat062Encoder(frame=frame).encode(points)


WRITERS: dict[str, Callable[[ExportData], bytes]] = {"tracks": tracks}
