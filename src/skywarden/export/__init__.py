"""Exports of tracks, incidents, zones and laser plans to the formats partners read.

``render(kind, fmt, data)`` is the one entry point: the command line, tests and any
service route call it with :class:`~skywarden.export.data.ExportData` already redacted
for its audience (``export.partner``). One module per format: ``geojson``, ``kml``
(simplekml), ``table`` (CSV), ``cot_file`` (Cursor-on-Target), ``asterix_file``
(CAT062 system tracks); ``signing`` writes and
checks the signed manifest of a partner's folder.
"""

from __future__ import annotations

from collections.abc import Callable

from skywarden.errors import SkywardenError
from skywarden.export.data import ExportData

KINDS = ("tracks", "incidents", "zones", "laser-plan")
EXTENSIONS = {
    "geojson": "geojson",
    "kml": "kml",
    "csv": "csv",
    "cot": "cot.xml",
    "asterix": "cat062.ast",
}


class UnsupportedExport(SkywardenError, ValueError):
    """This kind cannot be written in this format; says which ones can."""


def _writers(fmt: str) -> dict[str, Callable[[ExportData], bytes]]:
    if fmt == "geojson":
        from skywarden.export.geojson import WRITERS
    elif fmt == "kml":
        from skywarden.export.kml import WRITERS
    elif fmt == "csv":
        from skywarden.export.table import WRITERS
    elif fmt == "cot":
        from skywarden.export.cot_file import WRITERS
    elif fmt == "asterix":
        from skywarden.export.asterix_file import WRITERS
    else:
        raise UnsupportedExport(f"unknown format {fmt!r}; one of {sorted(EXTENSIONS)}")
    return WRITERS


def render(kind: str, fmt: str, data: ExportData) -> bytes:
    """The bytes of one export file."""
    writers = _writers(fmt)
    if kind not in writers:
        raise UnsupportedExport(f"{kind} cannot be written as {fmt}; as one of {sorted(writers)}")
    return writers[kind](data)


def file_name(kind: str, fmt: str) -> str:
    return f"{kind}.{EXTENSIONS[fmt]}"
