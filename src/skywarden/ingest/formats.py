"""The registry of wire formats and detection of a stream's format from its content.

Parsers are imported lazily by name so that ``skywarden ingest`` on an SBS file does not
pay for importing the ASTERIX decoder. ``detect_format`` looks only at the first bytes
of a stream (the first chunk read), which is what a file, stdin or socket offers.
"""

from __future__ import annotations

import importlib
import re

from skywarden.errors import SkywardenError
from skywarden.ingest.base import IngestOptions, Parser, bounded_json
from skywarden.ingest.rejection import RejectedMessage
from skywarden.ingest.validate import Deduplicator

# name -> "module:Class"; the module is under skywarden.ingest
FORMATS: dict[str, str] = {
    "sbs": "sbs:SbsParser",
    "avr": "avr:AvrParser",
    "beast": "beast:BeastParser",
    "modes_jsonl": "frames_jsonl:FramesJsonlParser",
    "rid": "rid_stream:RidBroadcastParser",
    "rid_network": "rid_network:RidNetworkParser",
    "asterix": "asterix:AsterixParser",
    "plots_csv": "plots:PlotsCsvParser",
    "plots_json": "plots:PlotsJsonParser",
    "rfdf": "rfdf:RfDfParser",
    "visual": "visual:VisualParser",
    "sapient": "sapient:SapientParser",
}

# Formats whose duplicates are the same transmission from two receivers: they share
# one Deduplicator per run.
SHARED_DEDUP = frozenset({"sbs", "avr", "beast", "modes_jsonl", "rid"})


class UnknownFormat(SkywardenError, ValueError):
    """The content matched no format, or ``--format`` named none."""


def make_parser(
    fmt: str,
    source: str,
    options: IngestOptions | None = None,
    dedup: Deduplicator | None = None,
) -> Parser:
    """A new parser for ``fmt`` reading ``source`` (``dedup`` shared between sources)."""
    options = options or IngestOptions()
    try:
        module, cls = FORMATS[fmt].split(":")
    except KeyError:
        raise UnknownFormat(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}") from None
    parser_cls = getattr(importlib.import_module(f"skywarden.ingest.{module}"), cls)
    if fmt in SHARED_DEDUP:
        return parser_cls(source, options, dedup=dedup)
    return parser_cls(source, options)


_AVR = re.compile(rb"^[*@%<][0-9A-Fa-f]+;\s*$")
_SBS = re.compile(rb"^(MSG|SEL|ID|AIR|STA|CLK),")
ASTERIX_CATEGORIES = frozenset({15, 21, 48, 62, 205})
#: Nesting bound when sniffing JSON (the formats' own bounds are at most this deep).
DETECT_JSON_DEPTH = 32


def detect_format(head: bytes) -> str | None:
    """Guess the format of a stream from its first bytes; None if nothing fits."""
    if not head:
        return None
    b0 = head[0]
    if b0 == 0x1A and len(head) > 1 and head[1] in (0x31, 0x32, 0x33, 0x34):
        return "beast"
    if b0 in ASTERIX_CATEGORIES and len(head) >= 3:
        length = int.from_bytes(head[1:3], "big")
        if 3 < length <= 65535 and (length == len(head) or len(head) > length):
            follow = head[length] if len(head) > length else None
            if follow is None or follow in ASTERIX_CATEGORIES:
                return "asterix"
    if _looks_sapient(head):
        return "sapient"
    if (b0 >> 4) in (0, 1, 2, 3, 4, 5, 15) and (b0 & 0x0F) <= 2 and _looks_rid(head):
        return "rid"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    first = text.split(b"\n", 1)[0].strip()
    if _SBS.match(first):
        return "sbs"
    if _AVR.match(first):
        return "avr"
    if first.startswith(b"{") or first.startswith(b"["):
        return _detect_json(text, first)
    low = first.lower()
    if low.startswith(b"t,") and b"range_m" in low and b"azimuth_deg" in low:
        return "plots_csv"
    return None


def _looks_sapient(head: bytes) -> bool:
    """SAPIENT (BSI Flex 335 v2.0): a 4-byte little-endian length under 1 MiB, then a
    SapientMessage, whose first field on the wire is its ``timestamp`` (field 1,
    length-delimited: tag 0x0A) holding a Timestamp of at most 12 bytes."""
    if len(head) < 6:
        return False
    n = int.from_bytes(head[:4], "little")
    return 6 <= n <= 1 << 20 and head[4] == 0x0A and 2 <= head[5] <= 12


def _looks_rid(head: bytes) -> bool:
    """Binary Open Drone ID: every 25-byte record (or pack) has a valid header byte."""
    if len(head) < 25 or (b"\n" in head[:25] and head[:1].isascii() and head[:1].isalpha()):
        return False
    i, n = 0, min(len(head), 25 * 16)
    while i + 25 <= n:
        h = head[i]
        kind, version = h >> 4, h & 0x0F
        if version > 2 or kind not in (0, 1, 2, 3, 4, 5, 15):
            return False
        if kind == 15:
            if i + 3 > len(head) or head[i + 1] != 25 or not 1 <= head[i + 2] <= 9:
                return False
            i += 3 + 25 * head[i + 2]
        else:
            i += 25
    return True


def _detect_json(text: bytes, first: bytes) -> str | None:
    try:
        obj = bounded_json(first, DETECT_JSON_DEPTH)
    except RejectedMessage:
        try:
            obj = bounded_json(text, DETECT_JSON_DEPTH)
        except RejectedMessage:
            return None
    if isinstance(obj, list) and obj and isinstance(obj[0], dict):
        obj = obj[0]
    if not isinstance(obj, dict):
        return None
    keys = set(obj)
    if {"timestamp", "frame"} <= keys:
        return "modes_jsonl"
    if keys & {"flights", "flight", "details", "current_state"}:
        return "rid_network"
    if {"range_m", "azimuth_deg"} <= keys:
        return "plots_json"
    if "bearing_deg" in keys:
        return "rfdf"
    if "reporter" in keys:
        return "visual"
    return None
