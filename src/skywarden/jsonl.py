"""The one JSON Lines reader: each line becomes a record or a :class:`Rejection`.

Every skywarden input file that is JSON Lines (detections, truth, tracks, traffic) is
read here, so a malformed line is described the same way everywhere: the file, the
1-based line number, a :class:`~skywarden.rejection.Reason` and the field at
fault. The reader never decides what a bad line means; the caller does:

- :func:`accepted` hands each rejection to a callback (write it to the quarantine,
  count it) and goes on, as ``ingest`` does ("bad input never stops the pipeline");
- :func:`strict` raises :class:`InputLineError` at the first one, for files that must be
  whole (a golden truth file, a test fixture).

``parse`` turns the line's JSON object into the record (``Detection.from_dict``...);
the errors it may raise (``KeyError``, ``InvalidRecord``, ``TypeError``, ``ValueError``,
``RejectedMessage``) become rejections with the matching reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from skywarden.errors import SkywardenError
from skywarden.model import InvalidRecord
from skywarden.rejection import Reason, RejectedMessage, Rejection

__all__ = [
    "MAX_LINE_BYTES",
    "InputLineError",
    "Line",
    "Reason",
    "Rejection",
    "accepted",
    "as_object",
    "read_jsonl",
    "strict",
]

T = TypeVar("T")

#: A line longer than this is rejected unread (TOO_LARGE): no record is near 1 MiB.
MAX_LINE_BYTES = 1 << 20


class InputLineError(SkywardenError, ValueError):
    """A line of an input file could not be used. Names the file and line (0: the file)."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason

    @classmethod
    def from_rejection(cls, r: Rejection) -> InputLineError:
        return cls(r.source, r.line or 0, r.detail)


class Line(NamedTuple, Generic[T]):
    """One accepted line: its 1-based number in the file and the record made from it.

    A named tuple, not a frozen dataclass: one is made per line, and this is the cheap one.
    """

    n: int
    record: T


def as_object(obj: dict[str, Any]) -> dict[str, Any]:
    """The ``parse`` for callers that want the JSON object itself."""
    return obj


def _rejection(path: str, fmt: str, n: int, raw: str, e: Exception) -> Rejection:
    """The rejection for what ``parse`` (or ``json.loads``) raised on line ``n``."""
    field: str | None = None
    if isinstance(e, RejectedMessage):
        reason, detail, field = e.reason, e.detail, e.field
    elif isinstance(e, KeyError):
        field = str(e.args[0]) if e.args else None
        reason, detail = Reason.MISSING_FIELD, f"missing field {field!r}"
    elif isinstance(e, InvalidRecord):
        field = None if e.field == "?" else e.field
        if e.reason == "missing":
            reason, detail = Reason.MISSING_FIELD, f"missing field {e.field!r} ({e.record})"
        else:
            reason, detail = Reason.IMPOSSIBLE_VALUE, str(e)
    else:
        reason, detail = Reason.IMPOSSIBLE_VALUE, f"bad value: {e}"
    return Rejection(path, fmt, reason, detail, raw, line=n, field=field)


def read_jsonl(
    path: Path | str,
    parse: Callable[[dict[str, Any]], T],
    *,
    fmt: str = "jsonl",
    max_line_bytes: int = MAX_LINE_BYTES,
) -> Iterator[Line[T] | Rejection]:
    """Yield a :class:`Line` per good line and a :class:`Rejection` per bad one.

    Blank lines are skipped (they still count for line numbers). A file that cannot be
    opened raises :class:`InputLineError` at line 0: there is no line to reject.
    """
    src = str(path)
    try:
        with open(path, "rb") as fh:  # bytes: bad UTF-8 is a rejected line, not a crash
            yield from _items(fh, src, parse, fmt, max_line_bytes)
    except OSError as e:
        raise InputLineError(src, 0, f"cannot read: {e.strerror or e}") from None


def _items(
    fh: Iterable[bytes],
    src: str,
    parse: Callable[[dict[str, Any]], T],
    fmt: str,
    max_line_bytes: int,
) -> Iterator[Line[T] | Rejection]:
    for n, data in enumerate(fh, start=1):
        if not data.strip():
            continue
        if len(data) > max_line_bytes:
            detail = f"line of {len(data)} bytes (at most {max_line_bytes})"
            yield Rejection(src, fmt, Reason.TOO_LARGE, detail, _text(data)[:200], line=n)
            continue
        try:
            obj = json.loads(data.decode("utf-8"))  # decode first: faster than loads(bytes)
        except (ValueError, RecursionError) as e:  # JSONDecodeError, UnicodeDecodeError
            detail = f"not JSON: {getattr(e, 'msg', None) or e}"
            yield Rejection(src, fmt, Reason.CORRUPT, detail, _text(data), line=n)
            continue
        if type(obj) is not dict:
            detail = f"expected a JSON object, got {type(obj).__name__}"
            yield Rejection(src, fmt, Reason.CORRUPT, detail, _text(data), line=n)
            continue
        try:
            record = parse(obj)
        except (KeyError, TypeError, ValueError) as e:  # InvalidRecord, RejectedMessage
            yield _rejection(src, fmt, n, _text(data), e)
            continue
        yield Line(n, record)


def _text(data: bytes) -> str:
    """A rejected line as text for the quarantine (decoded only when rejected)."""
    return data.decode("utf-8", "replace").rstrip("\r\n")


def strict(items: Iterable[Line[T] | Rejection]) -> Iterator[Line[T]]:
    """The lines, raising :class:`InputLineError` at the first rejection."""
    for item in items:
        if isinstance(item, Rejection):
            raise InputLineError.from_rejection(item)
        yield item


def accepted(
    items: Iterable[Line[T] | Rejection], on_reject: Callable[[Rejection], None]
) -> Iterator[Line[T]]:
    """The lines; each rejection goes to ``on_reject`` (quarantine, count) and is skipped."""
    for item in items:
        if isinstance(item, Rejection):
            on_reject(item)
        else:
            yield item
