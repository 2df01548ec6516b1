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
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from importlib.metadata import distribution, version
from pathlib import Path

from rich.console import Console
from rich.table import Table

from skywarden.ingest.base import IngestOptions
from skywarden.ingest.beast import encode_frame
from skywarden.ingest.examples import EXAMPLES
from skywarden.ingest.formats import make_parser
from skywarden.ingest.sbs import SbsParser

ROOT = Path(__file__).resolve().parents[1]
T0 = 1_720_248_189.0


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


def main() -> None:
    rows = rs1090_rows()
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
    }
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "ingest.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
