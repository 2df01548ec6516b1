"""A report from a ``Stats`` record: its view and figures, written as HTML and/or PDF.

The caller redacts first (``service.redact.stats`` for a partner) and hands over the
record's JSON form; this module neither reads a store nor decides who sees what, so
the command line and the web page cannot drift apart on redaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skywarden.analytics.records import Stats
from skywarden.errors import SkywardenError
from skywarden.report import figures as figs
from skywarden.report.html import render_html
from skywarden.report.pdf import render_pdf
from skywarden.report.view import ReportView, from_stats

SUFFIXES = (".html", ".htm", ".pdf")


class ReportOutputError(SkywardenError, ValueError):
    """An input or output the report cannot use: a saved record that is not a Stats, an
    output path with the wrong suffix or no folder."""


@dataclass(frozen=True, slots=True)
class Report:
    """A report's view and its figures (name -> PNG bytes), ready to render."""

    view: ReportView
    figures: Mapping[str, bytes]

    def html(self, made: float | None = None) -> str:
        return render_html(self.view, self.figures, made)

    def pdf(self, made: float | None = None) -> bytes:
        return render_pdf(self.view, self.figures, made)


def load_stats(source: str, start: float | None = None, end: float | None = None) -> Stats:
    """The ``Stats`` of ``source``: counted from a run, a month or a store, or read back
    from a JSON file that ``skywarden stats --out FILE`` wrote (no recount)."""
    from pydantic import ValidationError

    from skywarden.analytics import compute_stats

    path = Path(source)
    if path.suffix.lower() == ".json" and path.is_file():
        if start is not None or end is not None:
            raise ReportOutputError(
                f"{path}: a saved Stats record covers its own period; --since/--until "
                "need a run, a month or a store"
            )
        try:
            return Stats.model_validate_json(path.read_bytes())
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            raise ReportOutputError(
                f"{path}: not a Stats record (skywarden stats --out FILE): {where}: {err['msg']}"
            ) from None
    return compute_stats(source, start=start, end=end)


def make_report(stats: Mapping[str, Any], role: str, title: str = "") -> Report:
    """The report of ``stats`` (a ``Stats`` in JSON form, already redacted for ``role``)."""
    from skywarden import __version__

    view = from_stats(stats, role, __version__, title)
    return Report(view, figs.render(view))


def check_outputs(paths: list[Path]) -> None:
    """Refuse an output the report cannot be written to, before any work is done."""
    for p in paths:
        if p.suffix.lower() not in SUFFIXES:
            raise ReportOutputError(f"{p}: the suffix must be one of {', '.join(SUFFIXES)}")
        if not p.parent.is_dir():
            raise ReportOutputError(f"{p}: folder {p.parent} does not exist")


def write(report: Report, paths: list[Path]) -> list[Path]:
    """Write ``report`` to each path, as PDF for ``.pdf`` and HTML for ``.html``/``.htm``."""
    check_outputs(paths)
    for p in paths:
        if p.suffix.lower() == ".pdf":
            p.write_bytes(report.pdf())
        else:
            p.write_text(report.html(), encoding="utf-8")
    return paths
