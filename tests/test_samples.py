"""Every shipped sample goes through ingest -> track -> analyze as samples/README.md shows.

The commands are read from the fenced blocks of ``samples/README.md`` (and the table of
ingest commands below must appear there verbatim), run in process from a scratch
directory that sees ``samples/``, and each stage's output is checked against what the
recording holds: one aircraft at CDG, five near Los Angeles, all manned, no incident.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from skywarden.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
README = (SAMPLES / "README.md").read_text()
REF = "--reference-time 2024-07-06T06:58:52.306040Z"

# sample -> (ingest command, accepted detections, tracks, identity of the first track)
INGEST = {
    "beast": (f"skywarden ingest samples/cdg/departure.beast {REF}", 219, 1, "icao:393322"),
    "avr": (f"skywarden ingest samples/cdg/departure.avr {REF}", 219, 1, "icao:393322"),
    "rid": (f"skywarden ingest samples/cdg/departure.rid {REF}", 105, 1, "rid:1SWDBSAMP0393322"),
    "radar": ("skywarden ingest samples/cdg/radar-plots.csv", 105, 1, None),
    "sbs": ("skywarden ingest samples/lax/sbs1-dated.sbs", 74, None, None),
}
ORIGIN = {"cdg": "49.0097,2.5479,119", "lax": "33.9425,-118.4081,38"}


def sh(line: str) -> Result:
    """Run one ``skywarden ...`` command line in process."""
    argv = shlex.split(line)
    assert argv[0] == "skywarden", line
    return CliRunner().invoke(app, argv[1:], catch_exceptions=False)


def readme_commands() -> list[str]:
    """The ``skywarden`` lines of the README's ``sh`` blocks."""
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    return [ln.strip() for b in blocks for ln in b.splitlines() if ln.startswith("skywarden")]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "samples").symlink_to(SAMPLES)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_file_is_listed_in_the_samples_readme() -> None:
    shipped = {
        str(p.relative_to(SAMPLES))
        for p in SAMPLES.rglob("*")
        if p.is_file() and p.name not in ("README.md", "make_samples.py")
    }
    for name in shipped:
        assert f"`{name}`" in README, f"{name} is not described in samples/README.md"
    assert all(p.stat().st_size < 64_000 for p in SAMPLES.rglob("*") if p.is_file())


def test_the_readme_commands_run_end_to_end(workdir: Path) -> None:
    cmds = readme_commands()
    assert [c.split()[1] for c in cmds[:6]] == ["ingest", "track", "analyze"] * 2
    for line in cmds:
        r = sh(line)
        assert r.exit_code == 0, f"{line}\n{r.output}"
    for run, n_tracks in (("mine", 1), ("lax", 3)):
        incidents = json.loads((workdir / "out" / run / "incidents.json").read_text())
        assert incidents["incidents"] == []  # airliners: no drone, nothing to recommend
        finals = _final_updates(workdir / "out" / run / "tracks.jsonl")
        assert len(finals) == n_tracks
        assert all(max(u["class_probs"], key=u["class_probs"].get) == "manned" for u in finals)


@pytest.mark.parametrize("name", list(INGEST))
def test_each_sample_ingests_tracks_and_analyzes(workdir: Path, name: str) -> None:
    ingest, accepted, n_tracks, identity = INGEST[name]
    assert ingest in README, f"samples/README.md should show: {ingest}"
    where = "lax" if name == "sbs" else "cdg"
    out = f"out/{name}"
    r = sh(f"{ingest} --out {out}/detections.jsonl")
    assert r.exit_code == 0, r.output
    dets = [json.loads(x) for x in (workdir / out / "detections.jsonl").read_text().splitlines()]
    assert len(dets) == accepted
    rejected = (workdir / out / "detections.rejected.jsonl").read_text().splitlines()
    # The merged Mode S feed repeats some frames from a second receiver; nothing else fails.
    assert {json.loads(x)["reason"] for x in rejected} <= {"duplicate"}
    if where == "cdg":  # the recording's own clock: 06:58:52 to 07:01:52 UTC
        assert all(1720249132.3 <= d["t"] <= 1720249312.4 for d in dets)
    r = sh(
        f"skywarden track {out}/detections.jsonl --out {out}/tracks.jsonl --origin {ORIGIN[where]}"
    )
    assert r.exit_code == 0, r.output
    finals = _final_updates(workdir / out / "tracks.jsonl")
    if n_tracks is not None:
        assert len(finals) == n_tracks
    assert finals and all(u["class_probs"]["manned"] > 0.9 for u in finals)
    if identity is not None:
        assert identity in finals[0]["identities"]
    r = sh(
        f"skywarden analyze {out}/tracks.jsonl --sector samples/{where}/sector.json"
        f" --out {out}/incidents.json"
    )
    assert r.exit_code == 0, r.output
    doc = json.loads((workdir / out / "incidents.json").read_text())
    assert doc["meta"]["updates"] > 0 and doc["incidents"] == []


def test_the_undated_sbs_sample_needs_a_clock(workdir: Path) -> None:
    lines = (SAMPLES / "lax" / "sbs1-undated.sbs").read_text().splitlines()
    assert all(ln.split(",")[6:10] == ["", "", "", ""] for ln in lines)
    r = sh("skywarden ingest samples/lax/sbs1-undated.sbs --out out/u/detections.jsonl")
    assert r.exit_code == 2
    last = r.output.strip().splitlines()[-1]
    assert last.startswith("error: samples/lax/sbs1-undated.sbs: no usable clock: 14 sbs")
    assert "--reference-time" in last and "--line-interval" in last
    r = sh(
        "skywarden ingest samples/lax/sbs1-undated.sbs --reference-time 2026-02-11T03:00:00Z"
        " --line-interval 0.012 --out out/u/detections.jsonl"
    )
    assert r.exit_code == 0, r.output
    ts = [json.loads(x)["t"] for x in (workdir / "out/u/detections.jsonl").read_text().splitlines()]
    assert len(ts) == 14 and len(set(ts)) == 14  # one time per line, in order
    assert ts == sorted(ts) and ts[0] >= 1770778800.0 and ts[-1] <= 1770778800.0 + 400 * 0.012


def _final_updates(path: Path) -> list[dict[str, Any]]:
    """The last update of every track (its ``ended`` row)."""
    last: dict[str, dict[str, Any]] = {}
    for line in path.read_text().splitlines():
        u = json.loads(line)
        last[u["track"]] = u
    return list(last.values())
