"""``skywarden ingest`` -> ``skywarden track`` on the real rs1090 flight (issue 11).

The recording's last 15 minutes (descent, landing and taxi at Toulouse), written as
AVR lines with a 12 MHz MLAT counter and no receiver position (the case that used to
put the flight in India), go through both commands as a user runs them: one aircraft,
one track from its first decodable position to its last, classed manned at every
update, and no identity switch. The whole flight, in every form, is in
``bench/ingest.py`` (tracking 80 minutes takes too long for a unit test).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.ingest.agreement import encode_rows, read_rows

runner = CliRunner(env={"COLUMNS": "200"})


def test_mlat_avr_without_receiver_gives_one_manned_track(
    tmp_path: Path, rs1090_jsonl: Path
) -> None:
    rows = read_rows(rs1090_jsonl)
    rows = [r for r in rows if r["timestamp"] >= rows[-1]["timestamp"] - 900.0]
    src, det, trk = tmp_path / "flight.avr", tmp_path / "det.jsonl", tmp_path / "tracks.jsonl"
    src.write_bytes(b"".join(encode_rows(rows, "avr_mlat")))
    t0 = str(rows[0]["timestamp"])
    args = ["ingest", str(src), "-f", "avr", "--reference-time", t0, "--out", str(det)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "impossible_value" not in res.output
    res = runner.invoke(app, ["track", str(det), "--out", str(trk)])
    assert res.exit_code == 0, res.output

    dets = [json.loads(line) for line in det.read_text().splitlines()]
    ups = [json.loads(line) for line in trk.read_text().splitlines()]
    assert len(dets) > 1400 and {d["identity"]["icao24"] for d in dets} == {"393322"}
    assert sum(1 for d in dets if d["attrs"].get("on_ground")) > 400  # placed by its own fix
    assert {u["track"] for u in ups} == {ups[0]["track"]}  # one track, so no switch
    assert all(u["identities"] == ["icao:393322"] for u in ups)
    classes = Counter(max(u["class_probs"], key=u["class_probs"].get) for u in ups)
    assert set(classes) == {"manned"}
    # From the first decodable position to the last, on the ground at Toulouse.
    assert ups[0]["t"] - dets[0]["t"] < 5.0
    assert abs(ups[-1]["t"] - dets[-1]["t"]) < 5.0
    assert dets[-1]["position"]["lat"] < 44.0  # Toulouse, not Paris, not India
