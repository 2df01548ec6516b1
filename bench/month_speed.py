"""Benchmark: CPU of the month's sector chain, this tree against an earlier commit.

A month is some 2.2 million simulated sector-seconds through the whole chain
(simulator -> tracker -> analyzer -> files), so its time is the chain's CPU per
simulated second. This bench runs ``skywarden month run --days D --sectors S
--workers 1`` from two source trees at the same time, one core each: the working
tree and a snapshot of ``--base`` (exported with ``git archive``, so nothing of the
working tree leaks into it). Running them side by side gives both the same machine
load; the figure is the CPU seconds each sector's process reports in its ``run.json``.

It also checks that the two trees computed the same thing: the same track updates,
events, incidents and recommendations per sector, and the same parsed
``tracks.jsonl`` (bytes may differ in float notation: see ``skywarden.jsonl_write``).

The month projection is the 30-day month's measured CPU (``bench/results/month.json``,
run with the pipeline of ``--base``'s default) divided by the speed-up measured here,
over two cores: a projection from the sectors measured, stated as such, not a month
run. CPU seconds grow with the machine's load (both trees alike), so only the ratio is
carried over, never the absolute figure of a loaded run. Against another ``--base``,
give that base's own speed-up over the month's pipeline (``--base-speedup``, from a
side-by-side run of its own); the projection then carries the product of the two
ratios, and without it none is made.

    .venv/bin/python bench/month_speed.py [--base eee4e53] [--days 1]
        [--sectors S86,S08,S40] [--repeats 1] [--base-speedup 1.0] [--lanes 1]
        [--base-lanes 1] [--tracker-config FILE.yaml] [--tree REF]
        [--out bench/results/month_speed.json]

``--tree REF`` measures a commit in place of the working tree (exported as ``--base``
is), so the working tree can be edited while the pair runs.

``--lanes L`` runs this tree's sectors in lanes (``month run --lanes L``,
docs/month.md). Lanes compute the same skies and, up to the last bits of floats, the
same tracks, but name them in another order, so their outputs are never the same bytes:
the row's ``same_events`` then says whether both found the same events (kind, time,
zone or direction), incidents and recommendations. ``--base-lanes`` runs the base in
lanes too, and ``--tracker-config`` gives this tree's run tracker settings: with
``--base HEAD`` the pair measures what a setting costs (``turn_q``'s third model).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
EXE = ROOT / ".venv" / "bin" / "python"
#: the commit whose pipeline ran the 30-day month (docs/notes/wave10.md)
DEFAULT_BASE = "d5eb9dd"


def export_tree(ref: str, dest: Path) -> str:
    """Write ``ref``'s ``src/`` into ``dest``; returns the full commit id."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", ref], check=True, capture_output=True, text=True
    ).stdout.strip()
    archive = dest / "src.tar"
    subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), sha, "src"],
        check=True,
    )
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    archive.unlink()
    return sha


def month_command(
    src: Path, out: Path, days: float, sectors: str, lanes: int = 1, config: Path | None = None
) -> list[str]:
    """The ``month run`` command for the sources at ``src``."""
    cmd = [str(EXE), "-m", "skywarden.cli", "month", "run", "--out", str(out)]
    cmd += ["--days", f"{days:g}", "--sectors", sectors, "--workers", "1"]
    # an older tree has no --lanes; one that has it runs 16 unless told
    if lanes > 1 or (src / "skywarden" / "commands" / "month_lanes.py").exists():
        cmd += ["--lanes", str(lanes)]
    if config is not None:  # nor --tracker-config
        cmd += ["--tracker-config", str(config)]
    return cmd


def run_month(
    src: Path, out: Path, days: float, sectors: str, lanes: int = 1, config: Path | None = None
) -> float:
    """One ``month run`` from the sources at ``src`` (``config``: its --tracker-config);
    returns its wall seconds."""
    env = {**os.environ, "PYTHONPATH": str(src), "OMP_NUM_THREADS": "1"}
    t0 = time.perf_counter()
    cmd = month_command(src, out, days, sectors, lanes, config)
    subprocess.run(cmd, check=True, env=env, capture_output=True)
    return time.perf_counter() - t0


def describe_tree() -> str:
    """The working tree's commit, ``-dirty`` when it has uncommitted changes."""
    return subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
    ).stdout.strip()


def sector_figures(out: Path) -> dict[str, dict[str, Any]]:
    """Per sector: its run record and its parsed track updates."""
    figs: dict[str, dict[str, Any]] = {}
    for rec in sorted((out / "sectors").glob("*/run.json")):
        doc = json.loads(rec.read_text())
        with (rec.parent / "tracks.jsonl").open() as fh:
            doc["_tracks"] = [json.loads(line) for line in fh]
        inc = json.loads((rec.parent / "incidents.json").read_text())
        doc["_events"] = sorted(
            (e["kind"], e["t"], str(e.get("zone") or e.get("direction"))) for e in inc["events"]
        )
        figs[doc["sector"]] = doc
    return figs


def same_outputs(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("updates", "tracks_kept", "events", "incidents", "recommendations")
    return all(a[k] == b[k] for k in keys) and a["_tracks"] == b["_tracks"]


def same_events(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """The same events (kind, time, zone or direction), incidents and recommendations."""
    keys = ("events", "incidents", "recommendations")
    return all(a[k] == b[k] for k in keys) and a["_events"] == b["_events"]


def measure(
    args: argparse.Namespace, base_src: Path, work: Path, tree_src: Path = ROOT / "src"
) -> list[dict[str, Any]]:
    """``--repeats`` side-by-side pairs; one row per (repeat, sector)."""
    rows: list[dict[str, Any]] = []
    for rep in range(args.repeats):
        outs = {"base": work / f"base{rep}", "tree": work / f"tree{rep}"}
        srcs = {"base": base_src, "tree": tree_src}
        lanes = {"base": args.base_lanes, "tree": args.lanes}
        configs = {"base": None, "tree": args.tracker_config}
        with ThreadPoolExecutor(2) as pool:
            futs = {
                k: pool.submit(
                    run_month, srcs[k], outs[k], args.days, args.sectors, lanes[k], configs[k]
                )
                for k in outs
            }
            walls = {k: f.result() for k, f in futs.items()}
        fa, fb = sector_figures(outs["base"]), sector_figures(outs["tree"])
        for sec in fa:
            a, b = fa[sec], fb[sec]
            rows.append(
                {
                    "repeat": rep,
                    "sector": sec,
                    "simulated_s": a["simulated_s"],
                    "base_cpu_s": a["cpu_s"],
                    "tree_cpu_s": b["cpu_s"],
                    "base_wall_s": walls["base"],
                    "tree_wall_s": walls["tree"],
                    "same_outputs": same_outputs(a, b),
                    "same_events": same_events(a, b),
                    "base_updates": a["updates"],
                    "tree_updates": b["updates"],
                }
            )
    return rows


def summary(
    rows: list[dict[str, Any]], month: dict[str, Any] | None, base_speedup: float | None = 1.0
) -> dict[str, Any]:
    """Totals over the rows; with the month's record and the base's own speed-up over
    the month's pipeline (``base_speedup``; None: unknown, no projection), the month
    projected on two free cores."""
    sim_s = sum(r["simulated_s"] for r in rows)
    base = sum(r["base_cpu_s"] for r in rows)
    tree = sum(r["tree_cpu_s"] for r in rows)
    out: dict[str, Any] = {
        "simulated_s": sim_s,
        "base_cpu_ms_per_simulated_s": 1000 * base / sim_s,
        "tree_cpu_ms_per_simulated_s": 1000 * tree / sim_s,
        "speedup": base / tree,
        "all_outputs_same": all(r["same_outputs"] for r in rows),
        "all_events_same": all(r.get("same_events", r["same_outputs"]) for r in rows),
    }
    if month is not None and base_speedup is not None:
        # CPU seconds inflate with the machine's load (both trees alike), so the
        # projection scales the month's own measured CPU by the ratio, not the absolute
        # ms per simulated second of a loaded run.
        chain = base_speedup * out["speedup"]
        out["base_speedup_over_month_pipeline"] = base_speedup
        out["tree_speedup_over_month_pipeline"] = chain
        out["month_simulated_s"] = month["simulated_s"]
        out["month_measured_cpu_s"] = month["cpu_s"]
        out["base_month_projection_h_on_2_cores"] = month["cpu_s"] / base_speedup / 2 / 3600
        out["tree_month_projection_h_on_2_cores"] = month["cpu_s"] / chain / 2 / 3600
    return out


def month_simulated_s() -> dict[str, Any] | None:
    """The 30-day month's simulated sector-seconds and measured CPU (its bench record)."""
    path = ROOT / "bench" / "results" / "month.json"
    if not path.exists():
        return None
    res = json.loads(path.read_text()).get("result", {})
    smp = res.get("sampling", {})
    keys = ("incursion_window_s", "quiet_sample_s", "warmup_s")
    if not all(k in smp for k in keys) or "cpu_s" not in res:
        return None
    return {"simulated_s": sum(smp[k] for k in keys), "cpu_s": res["cpu_s"]}


def table(rows: list[dict[str, Any]], summ: dict[str, Any]) -> Table:
    t = Table(title="month chain CPU: this tree against --base, side by side")
    cols = ("repeat", "sector", "simulated s", "base CPU s", "tree CPU s", "ratio", "same")
    for c in (*cols, "same events"):
        t.add_column(c, justify="right")
    for r in rows:
        t.add_row(
            str(r["repeat"]),
            r["sector"],
            f"{r['simulated_s']:,.0f}",
            f"{r['base_cpu_s']:.1f}",
            f"{r['tree_cpu_s']:.1f}",
            f"{r['base_cpu_s'] / r['tree_cpu_s']:.2f}x",
            "yes" if r["same_outputs"] else "NO",
            "yes" if r["same_events"] else "NO",
        )
    t.add_row(
        "all",
        "",
        f"{summ['simulated_s']:,.0f}",
        f"{summ['base_cpu_ms_per_simulated_s']:.2f} ms/s",
        f"{summ['tree_cpu_ms_per_simulated_s']:.2f} ms/s",
        f"{summ['speedup']:.2f}x",
        "yes" if summ["all_outputs_same"] else "NO",
        "yes" if summ["all_events_same"] else "NO",
    )
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default=DEFAULT_BASE, help="git ref to compare with")
    ap.add_argument("--days", type=float, default=1.0)
    ap.add_argument("--sectors", default="S86,S08,S40", help="comma-separated sector ids")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument(
        "--base-speedup",
        type=float,
        default=None,
        help="--base's own speed-up over the month's pipeline (default: 1 when --base is "
        f"{DEFAULT_BASE}, else unknown and no month projection)",
    )
    ap.add_argument(
        "--lanes", type=int, default=1, help="run this tree's sectors in lanes (month run --lanes)"
    )
    ap.add_argument("--base-lanes", type=int, default=1, help="run --base's sectors in lanes too")
    ap.add_argument(
        "--tracker-config",
        type=Path,
        default=None,
        help="this tree's month run --tracker-config (the cost of a tracker setting)",
    )
    ap.add_argument(
        "--tree",
        default=None,
        help="git ref to measure in place of the working tree (exported like --base, so "
        "the working tree can be edited while it runs)",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "month_speed.json")
    args = ap.parse_args()
    if args.lanes < 1 or args.base_lanes < 1:
        ap.error(f"--lanes and --base-lanes must be >= 1, not {args.lanes}, {args.base_lanes}")
    base_speedup = args.base_speedup
    if base_speedup is None and args.base == DEFAULT_BASE:
        base_speedup = 1.0
    if base_speedup is not None and not base_speedup > 0:
        ap.error(f"--base-speedup must be positive, not {base_speedup}")
    with tempfile.TemporaryDirectory(prefix="month_speed_") as tmp:
        work = Path(tmp)
        base_dir = work / "base_src"
        base_dir.mkdir()
        sha = export_tree(args.base, base_dir)
        tree_src, tree = ROOT / "src", describe_tree()
        if args.tree is not None:
            tree_dir = work / "tree_src"
            tree_dir.mkdir()
            tree = export_tree(args.tree, tree_dir)
            tree_src = tree_dir / "src"
        rows = measure(args, base_dir / "src", work, tree_src)
    summ = summary(rows, month_simulated_s(), base_speedup)
    doc = {
        "bench": "month_speed",
        "base": sha,
        "tree": tree,
        "days": args.days,
        "lanes": args.lanes,
        "base_lanes": args.base_lanes,
        "tracker_config": (
            None if args.tracker_config is None else args.tracker_config.read_text()
        ),
        "sectors": args.sectors.split(","),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": os.getloadavg(),
        "rows": rows,
        "summary": summ,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    Console().print(table(rows, summ))
    if "tree_month_projection_h_on_2_cores" in summ:
        base_h = summ["base_month_projection_h_on_2_cores"]
        tree_h = summ["tree_month_projection_h_on_2_cores"]
        Console().print(
            f"month projection on two free cores: base {base_h:.2f} h, "
            f"this tree {tree_h:.2f} h (goal 1 h)"
        )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
