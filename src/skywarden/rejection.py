"""Why a message was not accepted: the quarantine record and its named reasons.

A record of the bottom layer (beside ``model``): parsers, the stage loop, the store and
the service all pass the same :class:`Rejection`.

DESIGN.md, "Principles": bad input never stops the pipeline and is never silently
dropped. Every parser turns what it cannot accept into a :class:`Rejection` that names
the source, the wire format, where in the stream it sat (byte offset or line number),
a reason from the closed :class:`Reason` vocabulary, the field at fault when there is
one, and the raw bytes, so an operator can replay or report it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from skywarden.errors import SkywardenError


class Reason(StrEnum):
    """The closed set of reasons a message is rejected (counted per format in reports)."""

    TRUNCATED = "truncated"  # the stream ended, or a frame is shorter than its type says
    CORRUPT = "corrupt"  # unparseable bytes or text: bad hex, bad escape, bad JSON
    CRC = "crc"  # Mode S parity / CRC mismatch
    OUT_OF_ORDER = "out_of_order"  # time runs backwards beyond the tolerance
    DUPLICATE = "duplicate"  # the same frame already seen (e.g. from a second receiver)
    IMPOSSIBLE_VALUE = "impossible_value"  # latitude 91, 2,000 m/s, NaN, ...
    MISSING_FIELD = "missing_field"  # a required field is absent
    UNKNOWN_FORMAT = "unknown_format"  # content matches no known format
    UNSUPPORTED = "unsupported"  # a valid message of a kind we do not turn into detections
    NO_POSITION = "no_position"  # valid, but cannot be placed (e.g. CPR pair incomplete)
    TOO_LARGE = "too_large"  # beyond the format's line length, document size or nesting bound
    STAGE_ERROR = "stage_error"  # accepted, but a stage raised on its scan (kept with it)


class RejectedMessage(SkywardenError, ValueError):
    """Raised inside a parser; the framing layer turns it into a :class:`Rejection`.

    Typed so callers can tell *why* without parsing an error string (STYLE.md, pyModeS).
    """

    def __init__(self, reason: Reason, detail: str, field: str | None = None) -> None:
        where = f" [{field}]" if field else ""
        super().__init__(f"{reason}{where}: {detail}")
        self.reason = reason
        self.detail = detail
        self.field = field


@dataclass(frozen=True, slots=True)
class Rejection:
    """One rejected message as written to the quarantine JSON Lines file.

    ``offset`` is the byte offset of the message in its stream for binary formats,
    ``line`` the 1-based line number for text formats; ``raw`` is the message itself
    (text for text formats, lower-case hex for binary ones, ``raw_encoding`` says which).
    """

    source: str
    format: str
    reason: Reason
    detail: str
    raw: str
    raw_encoding: str = "text"
    offset: int | None = None
    line: int | None = None
    field: str | None = None
    t_received: float | None = None

    def summary(self) -> str:
        """One line for a person: format, line or offset, reason and detail."""
        where = f" line {self.line}" if self.line is not None else ""
        if self.offset is not None and self.line is None:
            where = f" byte {self.offset}"
        return f"{self.format}{where}: {self.reason}: {self.detail}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "source": self.source,
            "format": self.format,
            "reason": str(self.reason),
            "detail": self.detail,
            "raw": self.raw,
            "raw_encoding": self.raw_encoding,
        }
        for key in ("offset", "line", "field", "t_received"):
            value = getattr(self, key)
            if value is not None:
                d[key] = value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Rejection:
        return cls(
            source=str(d["source"]),
            format=str(d["format"]),
            reason=Reason(d["reason"]),
            detail=str(d.get("detail", "")),
            raw=str(d.get("raw", "")),
            raw_encoding=str(d.get("raw_encoding", "text")),
            offset=d.get("offset"),
            line=d.get("line"),
            field=d.get("field"),
            t_received=d.get("t_received"),
        )
