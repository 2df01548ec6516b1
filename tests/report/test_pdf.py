"""The PDF report: a real PDF with pages, the counts in its text, hostile names harmless."""

from __future__ import annotations

import io

from pypdf import PdfReader

from skywarden.report.build import make_report
from skywarden.service import redact


def test_pdf_has_pages_and_the_counts(make_stats) -> None:
    pdf = make_report(make_stats(), "analyst").pdf(made=0.0)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = "\n".join(p.extract_text() for p in reader.pages)
    for needle in ("Counts", "Coverage", "Hot spots", "Incidents by kind", "4,321", "1,234"):
        assert needle in text
    # the hostile name is drawn as text: ReportLab did not read <script>/<font> as tags
    assert "<script>alert(1)</script><font" in text
    assert len(reader.pages[0].images) >= 1  # figures are embedded


def test_partner_pdf_lacks_the_coverage_model(make_stats) -> None:
    pdf = make_report(redact.stats(make_stats()), "partner").pdf(made=0.0)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "radar-secret-site" not in text and "withheld" in text
