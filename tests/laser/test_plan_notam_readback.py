"""The shipped laser plan's own NOTAM, as ``laser plan --notam`` prints it, read back.

test_notam.py reads back NOTAMs of a synthetic TFR; this reads the one a newcomer gets
from ``scenarios/el-paso-laser.yaml`` (README thing 4) with aviconv-notam, an
independent ICAO parser: the same vertices in both forms, none repeated in a row after
rounding to seconds (issue 14), and the plan's window.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from aviconv_core import coords
from aviconv_notam.parser import parse
from typer.testing import CliRunner

from skywarden.cli import app

PLAN = Path(__file__).resolve().parents[2] / "scenarios" / "el-paso-laser.yaml"
ONE_ARCSEC_DEG = 1 / 3600


def test_the_shipped_plans_notam_reads_back_with_aviconv(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app, ["laser", "plan", str(PLAN), "--json", "--notam", "--out", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    faa, icao = doc["notam"]["faa_domestic"], doc["notam"]["icao"]
    faa_pts = re.findall(r"(\d{6}[NS]\d{7}[EW])", faa)
    assert len(faa_pts) >= 3 and "TO POINT OF ORIGIN" in faa
    assert all(a != b for a, b in itertools.pairwise(faa_pts)) and faa_pts[0] != faa_pts[-1]

    n = parse(icao)
    ring = n.geometry.polygon
    assert ring is not None and ring[0] == ring[-1]
    assert len(ring) == len(faa_pts) + 1  # the same vertices, closed
    for (lat, lon), text in zip(ring, faa_pts, strict=False):
        tlat, tlon = coords.parse_pair(f"{text[:7]} {text[7:]}")
        assert abs(lat - tlat) <= ONE_ARCSEC_DEG / 2 + 1e-12
        assert abs(lon - tlon) <= ONE_ARCSEC_DEG / 2 + 1e-12
    assert all(a != b for a, b in itertools.pairwise(ring))
    tfr = doc["tfr"]
    assert n.effective_from == datetime.fromtimestamp(tfr["start_t"], UTC).replace(second=0)
    assert n.lower_limit == "SFC"
    assert n.upper_limit == f"{tfr['ceiling_ft_msl']:.0f}FT AMSL"
