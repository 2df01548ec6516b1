"""SBS-1 clock fields and state lifetime, shared by the scalar and the bulk parser.

A module of its own so that :mod:`~skywarden.ingest.sbs` (the scalar reference) and
:mod:`~skywarden.ingest.sbs_batch` (the numpy bulk path it calls) both read them without
importing each other: ``sbs`` -> ``sbs_batch`` -> ``sbs_clock``, no cycle.
"""

from __future__ import annotations

import calendar

from skywarden.ingest.rejection import Reason, RejectedMessage

STATE_TTL_S = 30.0  # velocity/callsign older than this is not attached to a position

_DAY_CACHE: dict[str, float] = {}


def sbs_day(date: str) -> float:
    """UTC epoch seconds of midnight starting the SBS ``YYYY/MM/DD`` date field."""
    day = _DAY_CACHE.get(date)
    if day is None:
        try:
            y, m, d = (int(p) for p in date.split("/"))
            day = float(calendar.timegm((y, m, d, 0, 0, 0)))
            if not (1 <= m <= 12 and 1 <= d <= 31):
                raise ValueError
        except (ValueError, OverflowError):
            raise RejectedMessage(Reason.CORRUPT, f"bad date {date!r}", "date") from None
        if len(_DAY_CACHE) > 4096:
            _DAY_CACHE.clear()
        _DAY_CACHE[date] = day
    return day


def sbs_time(date: str, clock: str) -> float:
    """UTC epoch seconds from SBS ``YYYY/MM/DD`` and ``HH:MM:SS.fff`` fields."""
    day = sbs_day(date)
    try:
        hh, mm, ss = clock.split(":")
        h, mi, s = int(hh), int(mm), float(ss)
    except ValueError:
        raise RejectedMessage(Reason.CORRUPT, f"bad time {clock!r}", "time") from None
    if not (0 <= h < 24 and 0 <= mi < 60 and 0.0 <= s < 61.0):
        raise RejectedMessage(Reason.IMPOSSIBLE_VALUE, f"bad time {clock!r}", "time")
    return day + h * 3600 + mi * 60 + s
