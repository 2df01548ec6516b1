"""The figures: PNGs of the right size, drawn from any names (mathtext off)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from skywarden.report import figures
from skywarden.report.view import from_stats


def test_every_figure_is_a_png(make_stats) -> None:
    view = from_stats(make_stats(), "analyst", "test")
    pngs = figures.render(view)
    assert list(pngs) == list(figures.FIGURES)
    for name, png in pngs.items():
        img = Image.open(io.BytesIO(png))
        assert img.format == "PNG", name
        assert img.width == int(9.0 * figures.DPI)


def test_unknown_figure_is_named(make_stats) -> None:
    view = from_stats(make_stats(), "analyst", "test")
    with pytest.raises(KeyError, match="no figure 'pie'"):
        figures.render(view, ["pie"])


def test_a_store_password_is_not_shown() -> None:
    from skywarden.report.view import safe_source

    shown = safe_source("postgresql://ana:s3cret@db.local/skywarden")
    assert "s3cret" not in shown and "db.local" in shown
