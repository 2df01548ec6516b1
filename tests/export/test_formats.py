"""Each format read back by a reader that is not ours: json, lxml (KML), csv, takproto."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import takproto
from lxml import etree

from skywarden import export as ex
from skywarden.export import data as source

from .conftest import T0

KML = {"k": "http://www.opengis.net/kml/2.2", "gx": "http://www.google.com/kml/ext/2.2"}
PLAN = Path(__file__).parents[2] / "scenarios" / "el-paso-laser.yaml"


def load(run_dir: Path, **kw: float) -> source.ExportData:
    return source.from_run_dir(run_dir, kw.get("since"), kw.get("until"))


def test_geojson_tracks_are_timed_paths(run_dir: Path) -> None:
    doc = json.loads(ex.render("tracks", "geojson", load(run_dir)))
    feats = {f["id"]: f for f in doc["features"]}
    assert set(feats) == {"D1", "M1"}
    d1 = feats["D1"]
    assert d1["geometry"]["type"] == "LineString"
    assert len(d1["geometry"]["coordinates"]) == len(d1["properties"]["times"]) == 10
    assert d1["geometry"]["coordinates"][0] == [-106.4854321, 31.7612345, 1250.0]
    assert d1["properties"]["cls"] == "drone"
    assert feats["M1"]["properties"]["callsign"] == "SWA123"


def test_time_filter_keeps_the_window(run_dir: Path) -> None:
    data = load(run_dir, since=T0 + 2, until=T0 + 4)
    assert sorted({p["t"] for p in data.tracks}) == [T0 + 2, T0 + 3, T0 + 4]
    assert [i["id"] for i in data.incidents] == ["I00001"]
    assert load(run_dir, until=T0 + 2).incidents == []  # opened at T0 + 3


def test_iso_and_epoch_times_parse_the_same() -> None:
    assert source.parse_time("2026-02-11T03:00:00Z", "--since") == T0
    assert source.parse_time("2026-02-11T03:00:00", "--since") == T0  # naive = UTC
    assert source.parse_time(str(T0), "--since") == T0
    with pytest.raises(source.ExportSourceError, match="--until 'yesterday'"):
        source.parse_time("yesterday", "--until")


def test_kml_tracks_have_time_and_a_style_per_class(run_dir: Path) -> None:
    root = etree.fromstring(ex.render("tracks", "kml", load(run_dir)))
    tracks = root.findall(".//gx:Track", KML)
    assert len(tracks) == 2
    for trk in tracks:
        whens = trk.findall("k:when", KML)
        coords = trk.findall("gx:coord", KML)
        assert len(whens) == len(coords) == 10
        assert whens[0].text == "2026-02-11T03:00:00.000Z"
    styles = root.findall(".//k:Style", KML)
    colours = {s.findtext("k:LineStyle/k:color", namespaces=KML) for s in styles}
    assert len(styles) == 2 and len(colours) == 2  # drone and manned drawn apart


def test_kml_incidents_and_zones_have_spans_and_volumes(run_dir: Path) -> None:
    root = etree.fromstring(ex.render("incidents", "kml", load(run_dir)))
    span = root.find(".//k:Placemark/k:TimeSpan", KML)
    assert span is not None
    assert span.findtext("k:begin", namespaces=KML) == "2026-02-11T03:00:03.000Z"
    assert "drone crossed" in (root.findtext(".//k:Placemark/k:description", namespaces=KML) or "")
    zones = etree.fromstring(ex.render("zones", "kml", load(run_dir)))
    polys = zones.findall(".//k:Polygon", KML)
    assert polys and all(p.findtext("k:extrude", namespaces=KML) == "1" for p in polys)


def test_csv_rows_match_the_updates(run_dir: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(ex.render("tracks", "csv", load(run_dir)).decode())))
    assert len(rows) == 20
    d1 = [r for r in rows if r["track"] == "D1"]
    assert d1[0]["time_utc"] == "2026-02-11T03:00:00.000Z"
    assert float(d1[0]["p_cls"]) == pytest.approx(0.9)
    inc = list(csv.DictReader(io.StringIO(ex.render("incidents", "csv", load(run_dir)).decode())))
    assert inc[0]["recommendation"] == "verify" and inc[0]["tracks"] == "D1"
    zones = list(csv.DictReader(io.StringIO(ex.render("zones", "csv", load(run_dir)).decode())))
    assert zones and all(z["wkt"].startswith("POLYGON((") for z in zones)


def test_cot_file_lines_decode_with_takproto(run_dir: Path) -> None:
    lines = ex.render("tracks", "cot", load(run_dir)).splitlines()
    assert len(lines) == 20
    events = [takproto.parse_proto(bytearray(line)).cotEvent for line in lines]
    d1 = [e for e in events if e.uid == "skywarden-track-D1"]
    assert [e.type for e in d1[:3]] == ["a-u-A-M-F-Q"] * 3  # before the incident opens
    assert d1[-1].type == "a-s-A-M-F-Q"  # after: suspect, with the incident in the remarks
    assert "border_crossing" in (ET.fromstring(d1[-1].detail.xmlDetail).text or "")
    m1 = [e for e in events if e.uid == "skywarden-track-M1"]
    assert m1[0].type == "a-n-A-C" and m1[0].detail.contact.callsign == "SWA123"
    shapes = ex.render("zones", "cot", load(run_dir)).splitlines()
    first = ET.fromstring(shapes[0].split(b"?>", 1)[1])
    assert first.get("type") == "u-d-f" and len(first.findall("detail/link")) >= 3


def test_laser_plan_in_every_format() -> None:
    data = source.with_plan_file(source.ExportData(), PLAN)
    gj = json.loads(ex.render("laser-plan", "geojson", data))
    kinds = [f["properties"]["kind"] for f in gj["features"]]
    assert kinds == ["laser_site", "laser_hazard"]
    ring = gj["features"][1]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) > 4
    root = etree.fromstring(ex.render("laser-plan", "kml", data))
    assert root.findtext(".//k:TimeSpan/k:begin", namespaces=KML) == "2026-02-11T04:00:00Z"
    row = next(csv.DictReader(io.StringIO(ex.render("laser-plan", "csv", data).decode())))
    assert float(row["power_w"]) == 20000.0
    (line,) = ex.render("laser-plan", "cot", data).splitlines()
    e = takproto.parse_proto(bytearray(line)).cotEvent
    assert e.type == "u-d-f" and e.staleTime - e.startTime == 2 * 3600 * 1000


def test_broken_inputs_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "run"
    bad.mkdir()
    (bad / "tracks.jsonl").write_text('{"t": 1}\n')
    with pytest.raises(source.ExportSourceError, match=r"tracks.jsonl:1: missing field"):
        source.from_run_dir(bad)
    (bad / "tracks.jsonl").write_text("")
    (bad / "incidents.json").write_text("{oops")
    with pytest.raises(source.ExportSourceError, match=r"incidents.json: not JSON"):
        source.from_run_dir(bad)
    with pytest.raises(ex.UnsupportedExport, match="one of"):
        ex.render("tracks", "shapefile", source.ExportData())


def test_asterix_cat062_export_reads_back_with_asterix_decoder(run_dir: Path) -> None:
    import asterix

    data = load(run_dir)
    recs = list(asterix.parse(ex.render("tracks", "asterix", data), verbose=False))
    assert len(recs) == len(data.tracks) == 20
    assert {r["I040"]["TrkN"]["val"] for r in recs} == {1, 2}
    assert all("I100" in r for r in recs)  # the sector origin is the reference point
    calls = {r["I390"]["CSN"]["CS"]["val"].rstrip() for r in recs if "I390" in r}
    assert calls == {"SWA123"}
    with pytest.raises(ex.UnsupportedExport, match="zones cannot be written as asterix"):
        ex.render("zones", "asterix", data)
