"""Mode S frames as JSON Lines: ``{"timestamp": <UTC epoch s>, "frame": "<hex>"}``.

The layout of recorded feeds such as jet1090/rs1090 dumps and the ``traffic`` package
samples (extra keys, e.g. an independent decoder's fields, are ignored). The timestamp
is absolute, so no reference time is needed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from skywarden.ingest.base import LineParser
from skywarden.ingest.modes_stream import ModeSStream
from skywarden.ingest.rejection import Reason, RejectedMessage
from skywarden.model import Detection


@dataclass
class FramesJsonlParser(ModeSStream, LineParser):
    """Streaming parser of timestamped hex frames, one JSON object per line."""

    format = "modes_jsonl"

    def __post_init__(self) -> None:
        LineParser.__post_init__(self)
        ModeSStream.__post_init__(self)

    def parse_line(self, text: str, line: int, t_received: float) -> Detection | None:
        try:
            obj = json.loads(text)
        except ValueError as e:
            raise RejectedMessage(Reason.CORRUPT, f"not JSON: {e}") from None
        if not isinstance(obj, dict):
            raise RejectedMessage(Reason.CORRUPT, "not a JSON object")
        for key in ("timestamp", "frame"):
            if key not in obj:
                raise RejectedMessage(Reason.MISSING_FIELD, f"no {key!r}", key)
        t = obj["timestamp"]
        if not isinstance(t, int | float) or isinstance(t, bool) or not math.isfinite(t):
            raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"timestamp {t!r}", "timestamp")
        hexframe = obj["frame"]
        if not isinstance(hexframe, str):
            raise RejectedMessage(Reason.CORRUPT, "frame is not a string", "frame")
        try:
            frame = bytes.fromhex(hexframe)
        except ValueError:
            raise RejectedMessage(Reason.CORRUPT, "frame is not hexadecimal", "frame") from None
        return self.decode(frame, float(t))
