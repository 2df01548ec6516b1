"""The report as a PDF (ReportLab's platypus): the same sections and figures as the HTML.

ReportLab is pure pip (no system libraries, unlike WeasyPrint's Pango), so ``make``
needs nothing new. A ``Paragraph`` parses its text as ReportLab's mini-markup, so every
string from data is XML-escaped before it becomes one (a sector named ``<font>`` is
text, not a tag that breaks the build); table cells that are not paragraphs are drawn
as plain text.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from skywarden.report.figures import FIGURES
from skywarden.report.html import TOP_HOTSPOTS
from skywarden.report.view import Bar, ReportView

WIDTH = A4[0] - 3.6 * cm
_styles = getSampleStyleSheet()
_body = _styles["BodyText"]
_small = ParagraphStyle("small", parent=_body, fontSize=8, leading=10)
_grid = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 1), (1, -1), "RIGHT"),
    ]
)


def _p(text: str, style: ParagraphStyle = _body) -> Paragraph:
    """A paragraph of untrusted text: escaped, so it is never read as markup."""
    return Paragraph(escape(text), style)


def _h(text: str) -> Paragraph:
    return Paragraph(escape(text), _styles["Heading2"])


def _table(header: Sequence[str], rows: Sequence[Sequence[object]],
           widths: Sequence[float] | None = None) -> Table:  # fmt: skip
    t = Table([list(header), *[list(r) for r in rows]], colWidths=widths, repeatRows=1)
    t.setStyle(_grid)
    return t


def _bars(header: tuple[str, str], bars: Sequence[Bar], fmt: str = "{:,.0f}") -> Table:
    return _table(header, [(_p(b.label, _small), fmt.format(b.value)) for b in bars],
                  [WIDTH * 0.6, WIDTH * 0.25])  # fmt: skip


def _figure(figures: Mapping[str, bytes], name: str) -> list[Flowable]:
    png = figures.get(name)
    if png is None:
        return []
    img = Image(io.BytesIO(png))
    # a pixel is a point to ReportLab: a 110 dpi figure would overflow the page, so fit it
    scale = min(1.0, WIDTH / max(img.imageWidth, 1))
    img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
    return [KeepTogether([img, _p(FIGURES[name][1], _small)]), Spacer(1, 6)]


def _counts(v: ReportView) -> list[Flowable]:
    rows = [
        (
            _p(c.rule, _small),
            f"{c.count:,}" + "".join(f" (+{part})" for part in c.set_apart()),
            _p(c.method, _small),
        )
        for c in v.counts
    ]
    out: list[Flowable] = [_h("Counts"),
                           _table(("rule", "count", "method"), rows,
                                  [WIDTH * 0.18, WIDTH * 0.12, WIDTH * 0.7])]  # fmt: skip
    if v.identified:
        out.append(_p(f"{v.identified:,} of the counted incursions broadcast Remote ID "
                      "(cooperative drones that name their operator)."))  # fmt: skip
    if v.per_direction:
        out += [Spacer(1, 6), _bars(("direction", "incursions"), v.per_direction)]
    if v.per_sector:
        out += [Spacer(1, 6), _bars(("sector", "incursions"), v.per_sector)]
    return out


def _coverage(v: ReportView, figures: Mapping[str, bytes]) -> list[Flowable]:
    c = v.coverage
    if c is None:
        if v.coverage_withheld:
            return [_h("Coverage"), _p("The coverage model is withheld from this version.")]
        return [_h("Coverage"), _p("No coverage model: the source has no sensor layout.")]
    text = (
        f"The border is {c.border_km:,.0f} km long; the widest sensor set reaches "
        f"{100 * c.seen_share:.1f}% of it, with a mean detection probability of "
        f"{c.p_detect_mean:.2f} along the whole line. Counted {c.counted:,} incursions; "
        f"estimated {c.total:,.0f} in all ({100 * c.confidence:.0f}% interval {c.low:,.0f} "
        f"to {c.high:,.0f}), so about {c.unseen:,.0f} not seen."
    )
    rows = [(_p(s.name, _small), f"{100 * s.share:.1f}", f"{s.p_detect:.2f}") for s in c.sets]
    table = _table(("sensor set", "% of border in reach", "mean P(detect)"), rows)
    notes = [_p(c.method, _small), *[_p("- " + a, _small) for a in c.assumptions]]
    return [_h("Coverage"), _p(text), table, *notes, *_figure(figures, "coverage")]


def _hotspots(v: ReportView, figures: Mapping[str, bytes]) -> list[Flowable]:
    top = sorted(v.hotspots, key=lambda h: (-h.count, h.cell))[:TOP_HOTSPOTS]
    rows = [(h.cell, str(h.count), f"{h.lat:.4f}, {h.lon:.4f}") for h in top]
    out: list[Flowable] = [_h("Hot spots"), *_figure(figures, "hotspots")]
    if rows:
        out.append(_table(("H3 cell", "incursions", "centre (lat, lon)"), rows))
    return out


def render_pdf(view: ReportView, figures: Mapping[str, bytes], made: float | None = None) -> bytes:
    """The PDF bytes of the report for ``view`` with its ``figures`` (name -> PNG)."""
    when = datetime.now(UTC) if made is None else datetime.fromtimestamp(made, UTC)
    meta = (
        f"Source {view.source}; {view.period}; {view.role} version; skywarden {view.version}; "
        f"made {when:%Y-%m-%dT%H:%M:%SZ}"
    )
    story: list[Flowable] = [Paragraph(escape(view.title), _styles["Title"]), _p(meta, _small)]
    if view.withheld:
        story.append(_p("Withheld from this version by the partner redaction: "
                        + ", ".join(view.withheld) + "."))  # fmt: skip
    story += _counts(view) + _coverage(view, figures) + _hotspots(view, figures)
    story += [_h("Time"), *_figure(figures, "per_day"), *_figure(figures, "per_hour")]
    if view.per_weekday:
        story.append(_bars(("day of week (UTC)", "incursions"), view.per_weekday))
    kinds = list(view.incidents_by_kind)
    if view.drops is not None:
        kinds.append(Bar("drops (events)", view.drops))
    if view.loiters is not None:
        kinds.append(Bar("loiters (events)", view.loiters))
    story += [_h("Incidents by kind"), *_figure(figures, "incidents"),
              _bars(("kind", "incidents"), kinds)]  # fmt: skip
    story += [_h("Runway-pause minutes per airport"), *_figure(figures, "runway_pauses"),
              _bars(("airport", "minutes"), view.runway_pause_min, "{:,.1f}")]  # fmt: skip
    if view.notes:
        story += [_h("Notes"), *[_p("- " + n, _small) for n in view.notes]]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=view.title, author="skywarden",
                            leftMargin=1.8 * cm, rightMargin=1.8 * cm,
                            topMargin=1.6 * cm, bottomMargin=1.6 * cm)  # fmt: skip
    doc.build(story)
    return buf.getvalue()
