"""Fetch the web map's third-party files from the npm registry into the git-ignored
``src/skywarden/service/static/vendor/`` (run by ``make web``; never committed).

Pinned versions, each tarball checked against the registry's published SHA-512
integrity before anything is extracted; only the files the map needs are kept:

- leaflet 1.9.4: ``leaflet.js``, ``leaflet.css``, marker images (BSD-2-Clause);
- topojson-client 3.1.0: ``topojson-client.min.js`` (ISC), TopoJSON -> GeoJSON in the page;
- us-atlas 3.0.1: ``states-10m.json``, ``counties-10m.json`` (U.S. Census Bureau, ISC).

Nothing needs Node: the registry is plain HTTPS and the tarballs plain gzip'd tar.
Re-running is a no-op when every file is present.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
VENDOR = Path(__file__).resolve().parents[1] / "src/skywarden/service/static/vendor"

# package, version, {path inside the tarball: path under vendor/}
PACKAGES: list[tuple[str, str, dict[str, str]]] = [
    (
        "leaflet",
        "1.9.4",
        {
            "package/dist/leaflet.js": "leaflet/leaflet.js",
            "package/dist/leaflet.css": "leaflet/leaflet.css",
            "package/dist/images/marker-icon.png": "leaflet/images/marker-icon.png",
            "package/dist/images/marker-icon-2x.png": "leaflet/images/marker-icon-2x.png",
            "package/dist/images/marker-shadow.png": "leaflet/images/marker-shadow.png",
            "package/dist/images/layers.png": "leaflet/images/layers.png",
            "package/LICENSE": "leaflet/LICENSE",
        },
    ),
    (
        "topojson-client",
        "3.1.0",
        {
            "package/dist/topojson-client.min.js": "topojson-client/topojson-client.min.js",
            "package/LICENSE": "topojson-client/LICENSE",
        },
    ),
    (
        "us-atlas",
        "3.0.1",
        {
            "package/states-10m.json": "us-atlas/states-10m.json",
            "package/counties-10m.json": "us-atlas/counties-10m.json",
            "package/LICENSE": "us-atlas/LICENSE",
        },
    ),
]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as r:
        data: bytes = r.read()
    return data


def fetch(name: str, version: str, files: dict[str, str]) -> None:
    if all((VENDOR / dst).exists() for dst in files.values()):
        return
    meta = json.loads(_get(f"{REGISTRY}/{name}/{version}"))
    dist = meta["dist"]
    blob = _get(dist["tarball"])
    algo, _, want = dist["integrity"].partition("-")
    if algo != "sha512":
        raise SystemExit(f"{name}@{version}: unexpected integrity algorithm {algo}")
    got = base64.b64encode(hashlib.sha512(blob).digest()).decode()
    if got != want:
        raise SystemExit(f"{name}@{version}: tarball integrity mismatch")
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        for src, dst in files.items():
            member = tar.extractfile(src)
            if member is None:
                raise SystemExit(f"{name}@{version}: {src} missing from the tarball")
            out = VENDOR / dst
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(member.read())
    print(f"vendor: {name}@{version} -> {VENDOR.relative_to(VENDOR.parents[4])}")


def main() -> int:
    for name, version, files in PACKAGES:
        fetch(name, version, files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
