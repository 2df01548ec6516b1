"""Issue 14's errors in one line: each names the file, key or option, exit 2, no traceback."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from skywarden.airspace.report import timeline_table
from skywarden.cli import app
from skywarden.commands.serve import _login_works
from skywarden.model import Action, Recommendation

ROOT = Path(__file__).resolve().parents[1]
SBS = ROOT / "samples" / "lax" / "sbs1-dated.sbs"
runner = CliRunner()


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


@pytest.mark.parametrize("spelling", ["SBS", "Sbs", " sbs "])
def test_format_is_case_insensitive(tmp_path: Path, spelling: str) -> None:
    out = tmp_path / "d.jsonl"
    r = runner.invoke(app, ["ingest", str(SBS), "--format", spelling, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert len(out.read_text().splitlines()) == 74


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--format", "beast"], "(1 corrupt as beast); is --format right"),
        ([], None),  # a PNG, format detected: nothing matches
    ],
    ids=["wrong_format", "png"],
)
def test_a_run_that_accepts_nothing_says_so_and_exits_2(
    tmp_path: Path, args: list[str], said: str | None
) -> None:
    src = SBS if args else ROOT / "docs" / "img" / "map.png"
    out = tmp_path / "d.jsonl"
    r = runner.invoke(app, ["ingest", str(src), *args, "--out", str(out)])
    assert r.exit_code == 2
    last = _last_line(r.output)
    assert last.startswith("error: nothing accepted: all 1 messages rejected")
    assert said is None or said in last
    assert "unknown_format as unknown" in last or args
    (row,) = [json.loads(x) for x in (tmp_path / "d.rejected.jsonl").read_text().splitlines()]
    assert row["reason"] in ("corrupt", "unknown_format")  # the quarantine says which


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_on_an_unreachable_postgresql_names_the_url_in_one_line() -> None:
    url = f"postgresql://ops:s3cret@127.0.0.1:{_closed_port()}/skywarden"
    r = runner.invoke(app, ["serve", "--db", url, "--port", "0"])
    assert r.exit_code == 2
    (line,) = r.output.strip().splitlines()
    assert line.startswith(f"error: --db {url.replace('s3cret', '***')}: cannot open the store:")
    assert "s3cret" not in r.output and "Traceback" not in r.output


def test_a_whatif_copied_elsewhere_names_the_laser_plan_key_and_path(tmp_path: Path) -> None:
    whatif = tmp_path / "el-paso-2026-02-10.yaml"
    shutil.copy(ROOT / "scenarios" / "el-paso-2026-02-10.yaml", whatif)
    r = runner.invoke(app, ["run", str(whatif), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    line = _last_line(r.output)
    assert line.startswith(f"error: {whatif}: laser_plan: 'el-paso-laser.yaml' -> ")
    assert str(tmp_path / "el-paso-laser.yaml") in line and "<file>" not in line


def test_a_missing_laser_plan_is_named_without_a_placeholder(tmp_path: Path) -> None:
    r = runner.invoke(app, ["laser", "plan", str(tmp_path / "nope.yaml"), "--out", str(tmp_path)])
    assert r.exit_code == 2
    assert _last_line(r.output) == f"error: {tmp_path / 'nope.yaml'}: no such laser plan file"


def test_the_first_run_hint_only_points_at_a_login_of_this_store(tmp_path: Path) -> None:
    from skywarden.service.launch import build

    a = build(f"sqlite:///{tmp_path / 'a.db'}", None, 1.0, [])
    assert a.first_login is not None and a.first_login[2] == str(tmp_path / "first-run-login.txt")
    b = build(f"sqlite:///{tmp_path / 'b.db'}", None, 1.0, [])  # same folder: file now b's
    assert b.first_login is not None
    again_a = build(f"sqlite:///{tmp_path / 'a.db'}", None, 1.0, [])
    again_b = build(f"sqlite:///{tmp_path / 'b.db'}", None, 1.0, [])
    assert again_a.login_file == again_b.login_file == tmp_path / "first-run-login.txt"
    assert not _login_works(tmp_path / "first-run-login.txt", again_a.db)
    assert _login_works(tmp_path / "first-run-login.txt", again_b.db)


def test_the_why_column_is_cut_at_a_word_with_an_ellipsis() -> None:
    why = (
        "drone T000042 in the approach corridor of runway 26L at 420 m AGL, descending,"
        " within 2 NM of the threshold and closing at 14 m/s"
    )
    rec = Recommendation(
        "R1", "I1", Action.PAUSE_ARRIVALS, 0.0, 900.0, 300.0, (why,), ("26L",), "KELP"
    )
    console = Console(width=400, record=True)
    console.print(timeline_table([rec]))
    row = next(ln for ln in console.export_text().splitlines() if "R1" in ln)
    cell = row.rstrip().rstrip("│").split("│")[-1].strip()
    assert cell.endswith(" ...") and len(cell) <= 80
    kept = cell.removesuffix(" ...")
    assert why.startswith(kept) and why[len(kept)] == " "  # ends on a whole word
    assert re.fullmatch(r"[\w ,./-]+", kept)


def _detections(tmp_path: Path) -> Path:
    out = tmp_path / "in" / "detections.jsonl"
    r = runner.invoke(app, ["ingest", str(SBS), "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


def test_track_and_analyze_quarantine_bad_lines_and_go_on(tmp_path: Path) -> None:
    dets = _detections(tmp_path)
    lines = dets.read_text().splitlines()
    good = len(lines)
    row = json.loads(lines[9])
    del row["t"]
    lines[4] = "{not json"
    lines[9] = json.dumps(row)
    dets.write_text("\n".join(lines) + "\n")
    tracks = tmp_path / "out" / "tracks.jsonl"
    origin = "33.9425,-118.4081,38"
    r = runner.invoke(app, ["track", str(dets), "--out", str(tracks), "--origin", origin])
    assert r.exit_code == 0, r.output
    assert f"{good - 2} detections" in r.output
    rows = [
        json.loads(x)
        for x in (tmp_path / "out" / "tracks.rejected.jsonl").read_text().split("\n")
        if x
    ]
    assert [(q["line"], q["reason"]) for q in rows] == [(5, "corrupt"), (10, "missing_field")]
    assert all(q["source"] == str(dets) and q["raw"] for q in rows)

    updates = tracks.read_text().splitlines()
    n = len(updates)
    updates[2] = "garbage"
    tracks.write_text("\n".join(updates) + "\n")
    sector = ROOT / "samples" / "lax" / "sector.json"
    inc = tmp_path / "out" / "incidents.json"
    r = runner.invoke(app, ["analyze", str(tracks), "--sector", str(sector), "--out", str(inc)])
    assert r.exit_code == 0, r.output
    assert json.loads(inc.read_text())["meta"]["updates"] == n - 1
    (q,) = [
        json.loads(x)
        for x in (tmp_path / "out" / "incidents.rejected.jsonl").read_text().splitlines()
    ]
    assert (q["line"], q["reason"], q["raw"]) == (3, "corrupt", "garbage")


def test_track_and_analyze_of_only_bad_lines_say_nothing_was_accepted(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_text("junk\n[1, 2]\n")
    r = runner.invoke(
        app,
        ["track", str(junk), "--out", str(tmp_path / "t.jsonl"), "--origin", "31.8,-106.4,1200"],
    )
    assert r.exit_code == 2
    assert _last_line(r.output).startswith(
        f"error: {junk}: nothing accepted: quarantined 2 bad lines (corrupt: 2)"
    )
    sector = ROOT / "samples" / "lax" / "sector.json"
    r = runner.invoke(
        app, ["analyze", str(junk), "--sector", str(sector), "--out", str(tmp_path / "i.json")]
    )
    assert r.exit_code == 2
    assert _last_line(r.output).startswith(
        f"error: {junk}: nothing accepted: quarantined 2 bad lines"
    )


def test_a_clean_run_leaves_no_quarantine_file(tmp_path: Path) -> None:
    dets = _detections(tmp_path)
    tracks = tmp_path / "out" / "tracks.jsonl"
    r = runner.invoke(
        app, ["track", str(dets), "--out", str(tracks), "--origin", "33.9425,-118.4081,38"]
    )
    assert r.exit_code == 0 and "quarantined" not in r.output
    assert sorted(p.name for p in tracks.parent.iterdir()) == ["tracks.jsonl"]
