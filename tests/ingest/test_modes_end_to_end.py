"""``skywarden ingest`` -> ``skywarden track`` on the real rs1090 flight (issue 11).

The whole 80-minute recording (Paris-CDG to Toulouse: take-off, cruise some 500 km from
where the tracker's frame is tangent, descent, landing and taxi), written as AVR lines
with a 12 MHz MLAT counter and no receiver position (the case that used to put the
flight in India), goes through both commands as a user runs them: one aircraft, one
track from its first decodable position to its last, classed manned at every update,
no identity switch, and the track's height on its reports. Until wave 7 only the last
15 minutes were tested here, and a frame error that split the whole flight into 12
tracks went unseen for two waves (docs/tracking.md, "Frames").
"""

from __future__ import annotations

import bisect
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
    assert dets[0]["position"]["lat"] > 48.9  # from Paris-CDG
    # The track's height stays on the barometric reports all the way (it drifted 220 m).
    rep = [(d["t"], d["position"]["alt_m"]) for d in dets if not d["attrs"].get("on_ground")]
    times = [t for t, _ in rep]
    worst = max(
        abs(u["alt_m"] - rep[max(bisect.bisect_right(times, u["t"]) - 1, 0)][1])
        for u in ups
        if u["t"] < times[-1]
    )
    assert worst < 60.0, worst
