"""``skywarden report`` end to end on a small store: HTML and PDF, analyst and partner,
and clear refusals for an output it cannot write."""

from __future__ import annotations

from pathlib import Path

import pytest

from skywarden import cli

T0 = 1_770_778_800.0  # 2026-02-11T03:00:00Z


def _run(*args: str) -> int:
    """The console entry point's exit code (it always ends by SystemExit)."""
    try:
        cli.main(list(args))
    except SystemExit as e:
        return int(e.code or 0)
    return 0


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Two drones crossing north near downtown El Paso, one incident each, and a
    15-minute departure pause at KELP: the smallest store with every section."""
    from skywarden.model import (
        Action,
        Event,
        Incident,
        Recommendation,
        TrackStatus,
        TrackUpdate,
    )
    from skywarden.store import Database, incidents, recommendations, tracks

    url = f"sqlite:///{tmp_path_factory.mktemp('report-store') / 'store.db'}"
    db = Database(url)
    with db.session() as s:
        ups, incs = [], []
        for n in range(2):
            trk = f"T{n + 1:06d}"
            lon = -106.4367 + 0.05 * n
            ups += [
                TrackUpdate(T0 + 600 * n + k, trk, TrackStatus.CONFIRMED, 31.745 + 0.001 * k,
                            lon, 1200.0, (0.0, 8.0, 0.0), (0.0,) * 6, None,
                            {"drone": 0.9, "unknown": 0.1}, sensors=("radar-downtown",))
                for k in range(20)
            ]  # fmt: skip
            ev = Event("border_crossing", T0 + 600 * n + 5, trk, 31.75, lon, 1200.0,
                       {"direction": "northbound", "sensor": "radar-downtown"})  # fmt: skip
            incs.append(Incident(f"I-{n}", [trk], T0 + 600 * n, 2, events=[ev]))
        tracks.record_updates(s, ups)
        incidents.upsert(s, incs)
        recommendations.upsert(s, [Recommendation(
            "M-1", "I-0", Action.PAUSE_DEPARTURES, T0, T0 + 900.0, T0 + 600.0,
            ("drone near the runway",), runways=("26L",), airport="KELP",
        )])  # fmt: skip
    db.dispose()
    return url


def test_html_and_pdf_for_the_analyst(store: str, tmp_path: Path, capsys) -> None:
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    assert _run("report", store, "--out", str(html), "--pdf", str(pdf)) == 0
    assert "analyst version" in capsys.readouterr().out
    page = html.read_text()
    for sid in ("counts", "coverage", "hotspots", "time", "incidents", "runway-pauses"):
        assert f'<section id="{sid}">' in page
    assert "KELP" in page and "per de-duplicated incursion" in page
    assert pdf.read_bytes().startswith(b"%PDF")


def test_partner_version_by_suffix(store: str, tmp_path: Path) -> None:
    out, figs = tmp_path / "partner.pdf", tmp_path / "figs"
    args = ("--out", str(out), "--role", "partner", "--figures", str(figs))
    assert _run("report", store, *args) == 0
    assert (figs / "hotspots.png").read_bytes().startswith(b"\x89PNG")
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "partner version" in text and "withheld" in text
    assert "store.db" not in text  # the source is withheld from partners


def test_refusals_name_the_path(store: str, tmp_path: Path, capsys) -> None:
    assert _run("report", store, "--out", str(tmp_path / "r.docx")) == 2
    assert "r.docx: the suffix must be one of .html, .htm, .pdf" in capsys.readouterr().err
    assert _run("report", str(tmp_path / "nothing"), "--out", str(tmp_path / "r.html")) == 2
    assert "nothing" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_a_saved_stats_record_is_reported_without_a_recount(
    tmp_path: Path, make_stats, capsys
) -> None:
    import json

    saved = tmp_path / "stats.json"
    saved.write_text(json.dumps(make_stats()))
    assert _run("report", str(saved), "--out", str(tmp_path / "r.html")) == 0
    assert "4,321" in (tmp_path / "r.html").read_text()  # the record's own alert count
    saved.write_text(json.dumps({"source": "x", "kind": "run"}))  # no period
    assert _run("report", str(saved), "--out", str(tmp_path / "r2.html")) == 2
    assert "stats.json: not a Stats record" in capsys.readouterr().err
    assert _run("report", str(saved), "--out", str(tmp_path / "r3.html"), "--since", "0") == 2
    assert "--since/--until need a run" in capsys.readouterr().err
