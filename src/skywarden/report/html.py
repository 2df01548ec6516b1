"""The report as one self-contained HTML file: figures inline as ``data:`` URIs, no
external URL, every string from data escaped by Jinja2's autoescape.

Names and remarks in the data (sectors, airports, incident kinds, method texts) are
untrusted input; the template never marks anything safe (figures are a macro of the
same template, their ``data:`` URIs plain escaped strings).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime

from jinja2 import Environment, StrictUndefined

from skywarden.report import template
from skywarden.report.figures import FIGURES
from skywarden.report.view import ReportView

TOP_HOTSPOTS = 15

_env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                   lstrip_blocks=True, keep_trailing_newline=True)  # fmt: skip
_page = _env.from_string(template.PAGE)


def data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI (base64 has no character that needs escaping)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(view: ReportView, figures: Mapping[str, bytes], made: float | None = None) -> str:
    """The page for ``view`` with its ``figures`` (name -> PNG) inline.

    ``made`` is the time written in the header (now by default; a test fixes it).
    """
    figs = {n: (FIGURES[n][1], data_uri(png)) for n, png in figures.items() if n in FIGURES}
    when = datetime.now(UTC) if made is None else datetime.fromtimestamp(made, UTC)
    top = sorted(view.hotspots, key=lambda h: (-h.count, h.cell))[:TOP_HOTSPOTS]
    return _page.render(
        v=view, figs=figs, top_hotspots=top, made=when.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
