"""Ingest throughput per format, beside pyModeS and asterix-decoder on the same input.

    .venv/bin/python bench/ingest.py

Single-threaded, so every rate is per core; best of 5 interleaved rounds. Inputs: the
57,793 real frames of the
``traffic`` 2.13 rs1090 sample (as frame JSON Lines, AVR and Beast), the npm ``sbs1``
sample with generated times filled in (repeated to 200,000 lines), SBS position lines
of the rs1090 positions (bulk path and scalar reference side by side), and generated
streams for the formats without a public recording. Peers, run on the same frames in
the same process: pyModeS 3 ``decode()`` per frame (stateless) and its stateful
``PipeDecoder``; asterix-decoder's ``parse()`` alone on the same ASTERIX blocks, in
process (skywarden runs it in a worker process, so its figure includes that hop).
Prints a table and writes bench/results/ingest.json.

Real-data agreement (issue 11): the same rs1090 flight fed as rs1090 JSONL, AVR, AVR
with MLAT counter and Beast, each with and without ``--receiver`` (LFPG), one frame per
chunk at its recorded time; coverage, share within 500 m and worst error of skywarden's
positions against rs1090's (:mod:`skywarden.ingest.agreement`). Then ``skywarden
ingest`` -> ``skywarden track`` end to end on the AVR-MLAT and Beast files, with and
without the receiver: tracks per aircraft, class, identity switches, track span.

    .venv/bin/python bench/ingest.py --agreement-only   # skip the throughput rounds
"""

from __future__ import annotations

import collections
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import distribution, version
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from skywarden.ingest.agreement import FORMS, encode_rows, measure
from skywarden.ingest.base import IngestOptions
from skywarden.ingest.beast import encode_frame
from skywarden.ingest.examples import EXAMPLES
from skywarden.ingest.formats import make_parser
from skywarden.ingest.sbs import SbsParser

ROOT = Path(__file__).resolve().parents[1]
T0 = 1_720_248_189.0
LFPG = (49.0097, 2.5479)


ROUNDS = 5  # every measurement runs once per round, all interleaved; the best is kept


def best_rate(n: int, fn: Callable[[], object]) -> tuple[int, Callable[[], object]]:
    """A measurement to run later: ``n`` items per call of ``fn``."""
    return n, fn


def run_interleaved(jobs: list[tuple[int, Callable[[], object]]]) -> list[float]:
    """Items per second of each job, best of ROUNDS interleaved rounds.

    The machine is shared: running every job once per round, in turn, exposes each to
    the same load pattern, so a burst of other work cannot favour one side of a pair.
    """
    best = [float("inf")] * len(jobs)
    for _ in range(ROUNDS):
        for i, (_, fn) in enumerate(jobs):
            t = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t)
    return [n / dt for (n, _), dt in zip(jobs, best, strict=True)]


def parse_all(fmt: str, data: bytes, **opts: object) -> Callable[[], object]:
    def run() -> object:
        p = make_parser(fmt, "bench", IngestOptions(reference_time=T0, clock=lambda: T0, **opts))  # type: ignore[arg-type]
        out = []
        for i in range(0, len(data), 1 << 20):
            out += p.feed(data[i : i + (1 << 20)], T0)
        return out + p.close()

    return run


def parse_sbs_scalar(data: bytes) -> Callable[[], object]:
    """SBS with every line through the scalar reference path (no bulk decoding)."""

    def run() -> object:
        p = SbsParser("bench", IngestOptions(reference_time=T0, clock=lambda: T0), batched=False)
        out = []
        for i in range(0, len(data), 1 << 20):
            out += p.feed(data[i : i + (1 << 20)], T0)
        return out + p.close()

    return run


def parse_each(parse: Callable[[bytes], object], blk: bytes, n: int) -> None:
    """The peer decodes the same blocks one by one, keeping nothing (as we keep no dicts)."""
    for _ in range(n):
        parse(blk)


def decode_each(decode: Callable[[str], object], frames: list[str]) -> None:
    for f in frames:
        decode(f)


def rs1090_rows() -> list[dict[str, object]]:
    path = Path(
        str(
            distribution("traffic").locate_file(
                "traffic/data/samples/rs1090/full_flight_short.jsonl"
            )
        )
    )
    return [json.loads(line) for line in path.read_text().splitlines()]


def sbs_lines() -> bytes:
    msgs = ROOT / ".cache/samples/sbs1/package/msgs.txt"
    lines = msgs.read_text().splitlines()
    out = []
    for i in range(200_000):
        f = lines[i % len(lines)].split(",")
        s = (i * 0.01) % 86400
        hh, rem = divmod(s, 3600)
        mm, ss = divmod(rem, 60)
        f[6] = f[8] = "2024/07/06"
        f[7] = f[9] = f"{int(hh):02d}:{int(mm):02d}:{ss:06.3f}"
        out.append(",".join(f))
    return ("\n".join(out) + "\n").encode()


def sbs_positions(rows: list[dict[str, object]]) -> bytes:
    """MSG,3 lines of every position rs1090 decoded (each becomes a Detection), x 10."""
    out = []
    for k in range(10):
        for r in rows:
            if "latitude" not in r or r.get("bds") != "05":
                continue
            s = (float(r["timestamp"]) + k * 3600) % 86400  # type: ignore[arg-type]
            hh, rem = divmod(s, 3600)
            mm, ss = divmod(rem, 60)
            when = f"2024/07/06,{int(hh):02d}:{int(mm):02d}:{ss:06.3f}"
            out.append(
                f"MSG,3,1,1,{r['icao24']},1,{when},{when},,{r['altitude']},,,"
                f"{r['latitude']:.5f},{r['longitude']:.5f},,,0,0,0,0"
            )
    return ("\n".join(out) + "\n").encode()


def agreement(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every input form, without and with the receiver, against rs1090's positions."""
    out = []
    for form in FORMS:
        for rx in (None, LFPG):
            row: dict[str, Any] = measure(rows, form, rx).row()
            row["receiver"] = "LFPG" if rx else "none"
            out.append(row)
    for rx in (None, LFPG):  # a live port-30002 feed: frames read in 1 s batches
        row = measure(rows, "avr", rx, batch_s=1.0).row()
        row["receiver"] = "LFPG" if rx else "none"
        out.append(row)
    for rx in (None, LFPG):
        out.append(pipe_decoder_agreement(rows, rx))
    table = Table(title="Mode S positions against rs1090 (traffic 2.13 full_flight_short)")
    for col in ("form", "receiver", "positions", "coverage", "within 500 m", "worst m"):
        table.add_column(col, justify="left" if col in ("form", "receiver") else "right")
    for r in out:
        table.add_row(
            str(r["form"]),
            str(r["receiver"]),
            f"{r['positions']:,} / {r['reference_positions']:,}",
            f"{float(r['coverage']):.2%}",
            f"{float(r['within_500m']):.3%}",
            f"{r['worst_error_m']}",
        )
    Console().print(table)
    return out


def pipe_decoder_agreement(
    rows: list[dict[str, Any]], receiver: tuple[float, float] | None
) -> dict[str, Any]:
    """The peer: pyModeS's stateful PipeDecoder on the same frames, same comparison."""
    import numpy as np
    import pyModeS as pms

    from skywarden.geo import distance_m

    dec = pms.PipeDecoder(surface_ref=receiver) if receiver else pms.PipeDecoder()
    n, errors = 0, []
    for r in rows:
        got = dec.decode(str(r["frame"]), timestamp=float(r["timestamp"]))
        if "latitude" not in r:
            continue
        n += 1
        lat, lon = got.get("latitude"), got.get("longitude")
        if lat is not None and lon is not None:
            errors.append(float(distance_m(r["latitude"], r["longitude"], lat, lon)))
    e = np.asarray(errors)
    return {
        "form": f"peer: pyModeS {version('pyModeS')} PipeDecoder",
        "receiver": "LFPG" if receiver else "none",
        "reference_positions": n,
        "positions": len(errors),
        "coverage": round(len(errors) / n, 4),
        "within_500m": round(float((e <= 500).mean()), 5),
        "worst_error_m": round(float(e.max()), 1),
        "peer": "pyModeS",
    }


def track_summary(detections: Path, tracks: Path) -> dict[str, Any]:
    """Tracks per aircraft, classes and identity switches of one ``track`` run."""
    dets = [json.loads(line) for line in detections.read_text().splitlines()]
    ups = [json.loads(line) for line in tracks.read_text().splitlines()]
    per_icao: dict[str, set[str]] = collections.defaultdict(set)
    last: dict[str, str] = {}
    switches = 0
    for u in ups:
        for ident in u["identities"]:
            per_icao[ident].add(u["track"])
            switches += ident in last and last[ident] != u["track"]
            last[ident] = u["track"]
    classes = collections.Counter(max(u["class_probs"], key=u["class_probs"].get) for u in ups)
    return {
        "detections": len(dets),
        "track_updates": len(ups),
        "tracks": len({u["track"] for u in ups}),
        "aircraft": len({d["identity"]["icao24"] for d in dets}),
        "tracks_per_aircraft": {k: len(v) for k, v in per_icao.items()},
        "updates_by_class": dict(classes),
        "identity_switches": switches,
        "first_detection_to_first_update_s": round(ups[0]["t"] - dets[0]["t"], 1),
        "last_detection_to_last_update_s": round(ups[-1]["t"] - dets[-1]["t"], 1),
    }


def agreement_goals(agree: list[dict[str, Any]], e2e: list[dict[str, Any]]) -> dict[str, bool]:
    """Issue 11's goals, per form and receiver, and end to end."""
    agree = [r for r in agree if "peer" not in r]
    return {
        "every_form_ge_99.9pct_within_500m": all(float(r["within_500m"]) >= 0.999 for r in agree),
        "every_form_coverage_ge_75pct": all(float(r["coverage"]) >= 0.75 for r in agree),
        "no_position_beyond_5km": all(float(r["worst_error_m"]) <= 5000 for r in agree),
        "one_track_per_aircraft": all(set(r["tracks_per_aircraft"].values()) == {1} for r in e2e),
        "manned_throughout": all(set(r["updates_by_class"]) == {"manned"} for r in e2e),
        "zero_identity_switches": all(r["identity_switches"] == 0 for r in e2e),
    }


def end_to_end(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``skywarden ingest`` then ``skywarden track`` on recorded files, as a user runs them."""
    from typer.testing import CliRunner

    from skywarden.cli import app

    runner = CliRunner()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for form, fmt in (("avr_mlat", "avr"), ("beast", "beast")):
            src = Path(tmp) / f"flight.{form}"
            src.write_bytes(b"".join(encode_rows(rows, form)))
            for rx in (None, LFPG):
                det, trk = Path(tmp) / "det.jsonl", Path(tmp) / "tracks.jsonl"
                args = ["ingest", str(src), "--format", fmt, "--out", str(det)]
                args += ["--reference-time", str(rows[0]["timestamp"])]
                if rx:
                    args += ["--receiver", f"{rx[0]},{rx[1]}"]
                for cmd in (args, ["track", str(det), "--out", str(trk)]):
                    res = runner.invoke(app, cmd)
                    if res.exit_code != 0:
                        raise RuntimeError(f"{cmd[0]} failed: {res.output}")
                summary: dict[str, Any] = {"form": form, "receiver": "LFPG" if rx else "none"}
                summary.update(track_summary(det, trk))
                out.append(summary)
    table = Table(title="ingest -> track, end to end")
    cols = (
        *("form", "receiver", "detections", "tracks", "max tracks/aircraft", "manned updates"),
        *("identity switches", "first det -> track s", "last det -> track s"),
    )
    for col in cols:
        table.add_column(col, justify="left" if col in ("form", "receiver") else "right")
    for r in out:
        per = r["tracks_per_aircraft"].values()
        classes = r["updates_by_class"]
        table.add_row(
            str(r["form"]),
            str(r["receiver"]),
            str(r["detections"]),
            str(r["tracks"]),
            str(max(per, default=0)),
            f"{classes.get('manned', 0)} / {r['track_updates']}",
            str(r["identity_switches"]),
            str(r["first_detection_to_first_update_s"]),
            str(r["last_detection_to_last_update_s"]),
        )
    Console().print(table)
    return out


def main() -> None:
    rows = rs1090_rows()
    agree = agreement(rows)
    e2e = end_to_end(rows)
    if "--agreement-only" in sys.argv:
        goals = agreement_goals(agree, e2e)
        Console().print(goals)
        summary = {"agreement": agree, "end_to_end": e2e, "goals": goals}
        path = ROOT / "bench" / "results" / "ingest_agreement.json"
        path.write_text(json.dumps(summary, indent=2) + "\n")
        return
    frames = [str(r["frame"]) for r in rows]
    stamps = [float(r["timestamp"]) for r in rows]  # type: ignore[arg-type]
    n = len(frames)
    jsonl = "".join(
        json.dumps({"timestamp": t, "frame": f}) + "\n" for t, f in zip(stamps, frames, strict=True)
    ).encode()
    avr = "".join(
        f"@{round((t - stamps[0]) * 12e6):012X}{f};\n" for t, f in zip(stamps, frames, strict=True)
    ).encode()
    beast = b"".join(
        encode_frame(
            bytes.fromhex(f)[: 7 if int(f[:2], 16) >> 3 < 16 else 14], round((t - stamps[0]) * 12e6)
        )
        for t, f in zip(stamps, frames, strict=True)
    )
    lfpg = {"receiver": (49.0097, 2.5479)}
    results: list[dict[str, object]] = []

    jobs: list[tuple[int, Callable[[], object]]] = []

    def add(
        fmt: str,
        what: str,
        unit: str,
        count: int,
        job: tuple[int, Callable[[], object]],
        peer: str = "",
    ) -> None:
        results.append({"format": fmt, "what": what, "unit": unit, "count": count, "peer": peer})
        jobs.append(job)

    sbs = sbs_lines()
    add(
        "sbs",
        "skywarden SbsParser, sbs1 sample mix",
        "lines",
        200_000,
        best_rate(200_000, parse_all("sbs", sbs)),
    )
    pos = sbs_positions(rows)
    add(
        "sbs",
        "skywarden SbsParser, positions only",
        "lines",
        pos.count(b"\n"),
        best_rate(pos.count(b"\n"), parse_all("sbs", pos)),
    )
    add(
        "sbs",
        "skywarden SbsParser scalar reference (batched=False), positions only",
        "lines",
        pos.count(b"\n"),
        best_rate(pos.count(b"\n"), parse_sbs_scalar(pos)),
    )
    add(
        "beast",
        "skywarden Beast framing + Mode S",
        "frames",
        n,
        best_rate(n, parse_all("beast", beast, **lfpg)),
    )
    add(
        "avr",
        "skywarden AVR (MLAT) + Mode S",
        "frames",
        n,
        best_rate(n, parse_all("avr", avr, **lfpg)),
    )
    add(
        "modes_jsonl",
        "skywarden frame JSONL + Mode S",
        "frames",
        n,
        best_rate(n, parse_all("modes_jsonl", jsonl, **lfpg)),
    )

    import pyModeS as pms

    add(
        "modes (peer)",
        f"pyModeS {version('pyModeS')} decode() per frame",
        "frames",
        n,
        best_rate(n, lambda: decode_each(pms.decode, frames)),
        peer="pyModeS",
    )

    def pipe() -> object:
        dec = pms.PipeDecoder(surface_ref=(49.0097, 2.5479))
        for f, t in zip(frames, stamps, strict=True):
            dec.decode(f, timestamp=t)
        return dec

    add(
        "modes (peer)",
        f"pyModeS {version('pyModeS')} PipeDecoder (stateful)",
        "frames",
        n,
        best_rate(n, pipe),
        peer="pyModeS",
    )

    rid = EXAMPLES["rid"] * 20_000
    add(
        "rid",
        "skywarden Open Drone ID (pack of 3 + Location)",
        "messages",
        40_000,
        best_rate(40_000, parse_all("rid", rid)),
    )

    import asterix

    def quiet_parse(blk: bytes) -> object:
        return asterix.parse(blk, verbose=False)  # as skywarden calls it

    one048 = Path(
        str(distribution("asterix_decoder").locate_file("asterix/sample_data/cat048.raw"))
    ).read_bytes()
    cat048, cat015 = one048 * 20_000, EXAMPLES["asterix"] * 20_000
    site = {"receiver": (48.0, 11.5)}
    add(
        "asterix",
        "skywarden CAT048 sample x 20,000",
        "records",
        20_000,
        best_rate(20_000, parse_all("asterix", cat048, **site)),
    )
    add(
        "asterix (peer)",
        f"asterix-decoder {version('asterix_decoder')} parse() CAT048",
        "records",
        20_000,
        best_rate(20_000, lambda: parse_each(quiet_parse, one048, 20_000)),
        peer="asterix-decoder",
    )
    add(
        "asterix",
        "skywarden CAT015 plots x 20,000",
        "records",
        20_000,
        best_rate(20_000, parse_all("asterix", cat015, **site)),
    )
    add(
        "asterix (peer)",
        "asterix-decoder parse() CAT015",
        "records",
        20_000,
        best_rate(20_000, lambda: parse_each(quiet_parse, EXAMPLES["asterix"], 20_000)),
        peer="asterix-decoder",
    )
    for fmt in ("rid_network", "plots_csv", "plots_json", "rfdf", "visual"):
        body = EXAMPLES[fmt]
        if fmt == "plots_csv":
            head, rest = body.split(b"\n", 1)
            data, count = head + b"\n" + rest * 50_000, 50_000
        else:
            data, count = body * 20_000, 20_000
        add(
            fmt,
            f"skywarden {fmt}",
            "records",
            count,
            best_rate(count, parse_all(fmt, data, sites={"1/2": (31.8, -106.4, 1200.0)})),
        )

    for r, rate in zip(results, run_interleaved(jobs), strict=True):
        r["per_s"] = round(rate)
    load = os.getloadavg()
    table = Table(title=f"ingest throughput per core (load average {load[0]:.2f})")
    for col in ("format", "decoder", "unit", "count", "per second"):
        table.add_column(col, justify="right" if col in ("count", "per second") else "left")
    for r in results:
        table.add_row(
            str(r["format"]), str(r["what"]), str(r["unit"]), f"{r['count']:,}", f"{r['per_s']:,}"
        )
    Console().print(table)
    by = {str(r["what"]): int(r["per_s"]) for r in results}  # type: ignore[call-overload]
    goals = {
        "sbs_sample_mix_lines_per_s_goal_300k": by["skywarden SbsParser, sbs1 sample mix"]
        >= 300_000,
        "sbs_positions_only_lines_per_s_goal_300k": by["skywarden SbsParser, positions only"]
        >= 300_000,
        "beast_ge_pyModeS_decode": by["skywarden Beast framing + Mode S"]
        >= by[f"pyModeS {version('pyModeS')} decode() per frame"],
    }
    goals.update(agreement_goals(agree, e2e))
    Console().print(goals)
    out = {
        "machine": {
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "loadavg_at_end": load,
            "platform": platform.platform(),
        },
        "results": results,
        "goals": goals,
        "agreement": agree,
        "end_to_end": e2e,
    }
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "ingest.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
