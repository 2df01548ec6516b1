"""Benchmark: what held-out quiet hours say about the month's count for months in general.

A month simulates ~5 minutes of each sector's quiet day (``month run --quiet-s 300``)
and weighs what it counts there by ~287 (``sim/month.py``): one false unit in a quiet
sample moves the month's count by ~22 %. Seed 1's month counted none, but a month of
another seed may. What bounds that is the rate of false units per quiet sector-hour,
measured on quiet time the rules were never shaped on: held-out runs of seeds no rule
was tuned to, with (almost) no incursions (``--per-month 1``), where every unit the
incursion rule counts in a quiet sample is false.

This pools such runs (``bench/month.py`` result files), puts a one-sided Poisson upper
bound on the rate (the exact chi-square bound; zero seen in ``H`` hours gives ~3.0 /
``H`` at 95 %), projects it onto the month's quiet sector-hours (the reference month's
quiet samples times their weights) and states it against the month's truth: the bias a
month of any seed may carry from false units, and how many held-out hours it takes to
bound it below the goal (5 %).

Reads results only (no run): ::

    .venv/bin/python bench/held_out.py [--results F.json ...] [--month bench/results/month.json]
        [--out bench/results/held_out.json] [--figure docs/img/held-out.png]
"""

from __future__ import annotations

import argparse
import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from scipy.stats import chi2

from figure_file import save  # the bench next door

RESULTS = Path(__file__).resolve().parent / "results"

#: held-out quiet runs at wave 16's tracker or later (the single chain's outputs have
#: been unchanged since: golden hashes, docs/notes/wave17.md)
POOLED = (
    "month_seed14_1d_quiet2h_wave16.json",
    "month_seed16_1d_quiet2h_wave16.json",
    "month_seed17_1d_quiet2h_20sectors_wave16.json",
    "month_seed17_1d_quiet2h_20sectors_b_wave16.json",
    "month_seed18_1d_quiet2h.json",
    "month_seed19_1d_quiet2h.json",
    "month_seed20_1d_quiet2h.json",
    # seed 21: one 30-day run, counted in parts of its finished sectors
    "month_seed21_30d_quiet45m_a.json",
    "month_seed21_30d_quiet45m_b.json",
    "month_seed21_30d_quiet45m_c.json",
    "month_seed21_30d_quiet45m_d.json",
    "month_seed21_30d_quiet45m_e.json",
    # seed 22: one 30-day run at wave 19's chain, counted in parts of its finished sectors
    "month_seed22_30d_quiet45m_a.json",
    "month_seed22_30d_quiet45m_b.json",
    "month_seed22_30d_quiet45m_c.json",
    "month_seed22_30d_quiet45m_d.json",
    "month_seed22_30d_quiet45m_e.json",
    # seed 23: one 20-day run at the same chain (its length fixed before it started,
    # docs/notes/wave21.md), counted in parts of its finished sectors
    "month_seed23_20d_quiet45m_a.json",
    "month_seed23_20d_quiet45m_b.json",
    "month_seed23_20d_quiet45m_c.json",
    "month_seed23_20d_quiet45m_d.json",
    "month_seed23_20d_quiet45m_e.json",
    # seed 24: a 30-day run started at the end of wave 21; part a is the sectors finished
    # by a time fixed before it started; parts b on counted with line_first_m=0, the rule
    # this pool measures (docs/notes/wave22.md)
    "month_seed24_30d_quiet45m_a.json",
    "month_seed24_30d_quiet45m_b.json",
    "month_seed24_30d_quiet45m_c.json",
    "month_seed24_30d_quiet45m_d.json",
    # part e: the four sectors finished after wave 22's cut-off, counted first in wave 23
    "month_seed24_30d_quiet45m_e.json",
    # seed 25: a 30-day run at wave 22's chain (9b27605), part a the sectors finished by
    # the cut-off fixed before it started (docs/notes/wave23.md), counted with
    # line_first_m=0 and across_sigmas=0
    "month_seed25_30d_quiet45m_a.json",
    # part b: the 13 sectors finished after that cut-off, by the run resumed in wave 24
    "month_seed25_30d_quiet45m_b.json",
    # seed 26: a 30-day run at wave 23's chain (17a311e), part a the sectors finished by
    # the cut-off fixed before it started (docs/notes/wave24.md)
    "month_seed26_30d_quiet45m_a.json",
    # part b: the 31 sectors finished after that cut-off, by the run resumed in wave 25
    "month_seed26_30d_quiet45m_b.json",
    # seed 27: a 30-day run at wave 25's chain (51738cf) with observers taking birds for
    # drones (--bird-reports 2 --bird-range-m 6000), part a the sectors finished by the
    # cut-off fixed before it started (docs/notes/wave25.md)
    "month_seed27_30d_quiet45m_birds_a.json",
    # part b: the 38 sectors finished after that cut-off, by the run resumed in wave 26
    "month_seed27_30d_quiet45m_birds_b.json",
    # seed 28: a 30-day run at 17f2941 (seed 27's chain), observers taking birds for
    # drones as for seed 27, part a the sectors finished by the cut-off fixed before it
    # was read (docs/notes/wave27.md)
    "month_seed28_30d_quiet45m_birds_a.json",
    # part b: S78-S87, run again in wave 28 from the same copy of src/ (the first run's
    # disk was lost unread; docs/notes/wave28.md)
    "month_seed28_30d_quiet45m_birds_b.json",
    # seed 29: a 30-day run at wave 29's chain (aa0e119), observers as for seed 27, part a
    # the sectors finished by the cut-off fixed before it started (docs/notes/wave29.md)
    "month_seed29_30d_quiet45m_birds_a.json",
    # part b1: the 28 sectors finished after that cut-off by 16:15 UTC in wave 30, by the
    # run resumed then (the cut-off fixed in docs/notes/wave30.md)
    "month_seed29_30d_quiet45m_birds_b1.json",
    # part b2: the sectors finished after that by 19:20 UTC in wave 31, by the run resumed
    # then (the cut-off fixed in docs/notes/wave31.md)
    "month_seed29_30d_quiet45m_birds_b2.json",
    # seed 30: a 30-day run at wave 31's chain (9e48aef) with the per-finder test on (it
    # changes no track but its rf_astray field), observers as for seed 27, part a the
    # sectors finished by the cut-off fixed before it started (docs/notes/wave32.md)
    "month_seed30_30d_quiet45m_birds_astray_a.json",
    # part b: the four sectors finished after that cut-off by wave 33's (docs/notes/wave33.md),
    # whose files went with its machine: run again with --sectors in wave 34 from the same
    # commit (each sector's outputs depend only on the plan, the seed and the settings)
    "month_seed30_30d_quiet45m_birds_astray_b.json",
    # part c1: the next twelve sectors (S34-S45), run in wave 35 from the same commit with
    # --sectors and one worker, all finished before the cut-off fixed before they started
    # (docs/notes/wave35.md)
    "month_seed30_30d_quiet45m_birds_astray_c1.json",
)

#: held-out quiet runs counted under the rule since wave 22 (``line_first_m=40`` by
#: default), none of them read when it was shaped: its fresh hours start with seed 24.
#: Setting a unit apart never counts one, so the pool above bounds this rule too
LINE_FIRST = (
    "month_seed24_30d_quiet45m_a_line40.json",
    "month_seed24_30d_quiet45m_b_line40.json",
    "month_seed24_30d_quiet45m_c_line40.json",
    "month_seed24_30d_quiet45m_d_line40.json",
    "month_seed24_30d_quiet45m_e_line40.json",
    "month_seed25_30d_quiet45m_a_line40.json",
    "month_seed25_30d_quiet45m_b_line40.json",
    "month_seed26_30d_quiet45m_a_line40.json",
    "month_seed26_30d_quiet45m_b_line40.json",
    "month_seed27_30d_quiet45m_birds_a_line40.json",
    "month_seed27_30d_quiet45m_birds_b_line40.json",
    "month_seed28_30d_quiet45m_birds_a_line40.json",
    "month_seed28_30d_quiet45m_birds_b_line40.json",
    "month_seed29_30d_quiet45m_birds_a_line40.json",
    "month_seed29_30d_quiet45m_birds_b1_line40.json",
    "month_seed29_30d_quiet45m_birds_b2_line40.json",
    # seed 30 ran at wave 31's chain (9e48aef) with the per-finder test on
    "month_seed30_30d_quiet45m_birds_astray_a_line40.json",
    # part b: the four sectors finished after that cut-off by wave 33's (docs/notes/wave33.md),
    # whose files went with its machine: run again with --sectors in wave 34 from the same
    # commit (each sector's outputs depend only on the plan, the seed and the settings)
    "month_seed30_30d_quiet45m_birds_astray_b_line40.json",
    "month_seed30_30d_quiet45m_birds_astray_c1_line40.json",
)

#: held-out quiet runs counted under the rule of waves 23-24 (``across_sigmas=2`` by
#: default, with ``line_first_m=40``), none read when it was shaped: its fresh hours start
#: with seed 25, which ran at wave 22's tracker (before ``vouch_sightings``)
ACROSS = (
    "month_seed25_30d_quiet45m_a_across.json",
    "month_seed25_30d_quiet45m_b_across.json",
    # seed 26 ran at wave 23's tracker (with vouch_sightings)
    "month_seed26_30d_quiet45m_a_across.json",
    "month_seed26_30d_quiet45m_b_across.json",
    # seed 27 ran at wave 25's chain with observers taking birds for drones
    "month_seed27_30d_quiet45m_birds_a_across.json",
    "month_seed27_30d_quiet45m_birds_b_across.json",
    # seed 28 ran at seed 27's chain (17f2941), observers as for seed 27
    "month_seed28_30d_quiet45m_birds_a_across.json",
    "month_seed28_30d_quiet45m_birds_b_across.json",
    # seed 29 ran at wave 29's chain (aa0e119), observers as for seed 27
    "month_seed29_30d_quiet45m_birds_a_across.json",
    "month_seed29_30d_quiet45m_birds_b1_across.json",
    "month_seed29_30d_quiet45m_birds_b2_across.json",
    # seed 30 ran at wave 31's chain (9e48aef) with the per-finder test on
    "month_seed30_30d_quiet45m_birds_astray_a_across.json",
    # part b: the four sectors finished after that cut-off by wave 33's (docs/notes/wave33.md),
    # whose files went with its machine: run again with --sectors in wave 34 from the same
    # commit (each sector's outputs depend only on the plan, the seed and the settings)
    "month_seed30_30d_quiet45m_birds_astray_b_across.json",
    "month_seed30_30d_quiet45m_birds_astray_c1_across.json",
)

#: held-out quiet runs counted with step 4's ``rf_disowned_s=120`` (an option in wave 24,
#: the default since wave 25), none read when it was shaped: its fresh hours start with
#: seed 26
DISOWNED = (
    "month_seed26_30d_quiet45m_a_disowned.json",
    "month_seed26_30d_quiet45m_b_disowned.json",
    "month_seed27_30d_quiet45m_birds_a_disowned.json",
    "month_seed27_30d_quiet45m_birds_b_disowned.json",
    "month_seed28_30d_quiet45m_birds_a_disowned.json",
    "month_seed28_30d_quiet45m_birds_b_disowned.json",
    "month_seed29_30d_quiet45m_birds_a_disowned.json",
    "month_seed29_30d_quiet45m_birds_b1_disowned.json",
    "month_seed29_30d_quiet45m_birds_b2_disowned.json",
    # seed 30 ran at wave 31's chain (9e48aef) with the per-finder test on
    "month_seed30_30d_quiet45m_birds_astray_a_disowned.json",
    # part b: the four sectors finished after that cut-off by wave 33's (docs/notes/wave33.md),
    # whose files went with its machine: run again with --sectors in wave 34 from the same
    # commit (each sector's outputs depend only on the plan, the seed and the settings)
    "month_seed30_30d_quiet45m_birds_astray_b_disowned.json",
    "month_seed30_30d_quiet45m_birds_astray_c1_disowned.json",
)

#: held-out quiet runs counted with ``rf_astray_s=120`` on runs with the per-finder follow
#: test on (``classifier.rf_bias.per_finder: true``; an option since wave 29, with the
#: count's ``rf_astray_s`` since wave 30), none read when it was shaped: its fresh hours
#: start with seed 30
ASTRAY = (
    # seed 30: a 30-day run at wave 31's chain (9e48aef) with the per-finder test on,
    # observers as for seed 27, part a the sectors finished by the cut-off fixed before it
    # started (docs/notes/wave32.md)
    "month_seed30_30d_quiet45m_birds_astray_a_astray.json",
    # part b: the four sectors finished after that cut-off by wave 33's (docs/notes/wave33.md),
    # whose files went with its machine: run again with --sectors in wave 34 from the same
    # commit (each sector's outputs depend only on the plan, the seed and the settings)
    "month_seed30_30d_quiet45m_birds_astray_b_astray.json",
    "month_seed30_30d_quiet45m_birds_astray_c1_astray.json",
)

#: the pools by name, with the result file each writes by default
POOLS = {
    "rule21": (POOLED, "held_out.json", "the rule up to wave 21 (line_first_m=0)"),
    "line_first": (
        LINE_FIRST,
        "held_out_line_first.json",
        "the rule since wave 22 (line_first_m=40), its fresh hours",
    ),
    "across": (
        ACROSS,
        "held_out_across.json",
        "the rule of waves 23-24 (across_sigmas=2, rf_disowned_s=0), its fresh hours",
    ),
    "disowned": (
        DISOWNED,
        "held_out_disowned.json",
        "the rule since wave 25 (rf_disowned_s=120, wave 24's option), its fresh hours",
    ),
    "astray": (
        ASTRAY,
        "held_out_astray.json",
        "the default with rf_astray_s=120 (per-finder test on), its fresh hours",
    ),
}


@dataclass(frozen=True)
class HeldOut:
    """One held-out run: its quiet sector-hours and the units counted in them."""

    file: str
    seed: int
    commit: str
    quiet_h: float
    counted: int
    crossing_tracks: int
    #: the rule parameters it was counted with that differ from its commit's defaults
    #: (None: a result from before ``bench/month.py --param``)
    rule_params: dict | None = None


def read_run(path: Path) -> HeldOut:
    """A ``bench/month.py`` result as a held-out run (refused if it was not one)."""
    doc = json.loads(path.read_text())
    r = doc["result"]
    planned = int(r["truth"]["all"])
    if planned > 5:
        raise SystemExit(f"{path}: {planned} planned incursions; not a quiet run (--per-month 1)")
    comp = r["composition"]["incursion"]
    tracks = r["composition"]["track"]["quiet_units"]
    return HeldOut(
        file=path.name,
        seed=int(r["seed"]),
        commit=str(r.get("run_commit") or doc.get("commit", "")),
        quiet_h=float(r["sampling"]["quiet_sample_s"]) / 3600.0,
        counted=int(comp["quiet_units"]),
        crossing_tracks=int(tracks),
        rule_params=r.get("rule_params"),
    )


def upper_rate(counted: int, hours: float, confidence: float) -> float:
    """One-sided upper bound on a Poisson rate per hour (exact, chi-square)."""
    return float(chi2.ppf(confidence, 2 * (counted + 1)) / 2.0 / hours)


def month_quiet_h(month: dict) -> tuple[float, int]:
    """The reference month's quiet sector-hours (samples x weights) and its truth."""
    s = month["result"]["sampling"]
    return s["quiet_sample_s"] * s["quiet_mean_weight"] / 3600.0, int(
        month["result"]["truth"]["all"]
    )


def hours_needed(goal_units: float, confidence: float, counted: int = 0) -> float:
    """Held-out hours that bound the month's false units below the goal if no more than
    ``counted`` are ever counted in them (the target a run's length is planned on)."""
    return upper_rate(counted, 1.0, confidence) / goal_units


def summarise(runs: list[HeldOut], month: dict, confidence: float, goal: float) -> dict:
    """The pooled bound, projected onto the month."""
    q_h, truth = month_quiet_h(month)
    hours = sum(r.quiet_h for r in runs)
    counted = sum(r.counted for r in runs)
    rate = upper_rate(counted, hours, confidence)
    need = hours_needed(goal * truth / q_h, confidence) if counted == 0 else None
    need_more = hours_needed(goal * truth / q_h, confidence, counted)
    cumulative = []
    h = c = 0.0
    for r in runs:
        h += r.quiet_h
        c += r.counted
        cumulative.append(
            {
                "hours": round(h, 1),
                "bound_pct": round(100 * upper_rate(int(c), h, confidence) * q_h / truth, 2),
            }
        )
    return {
        "held_out_quiet_h": round(hours, 1),
        "counted_in_quiet": counted,
        "rate_per_h_upper": rate,
        "month_quiet_h": round(q_h, 0),
        "month_truth": truth,
        "false_units_per_month_upper": round(rate * q_h, 1),
        "bias_pct_upper": round(100 * rate * q_h / truth, 2),
        "central_pct": round(100 * counted / hours * q_h / truth, 2),
        "goal_pct": 100 * goal,
        "hours_for_goal_if_none": round(need, 0) if need is not None else None,
        "hours_for_goal_if_none_more": round(need_more, 0),
        "confidence": confidence,
        "cumulative": cumulative,
        "method": (
            "every unit the incursion rule counts in a quiet sample of a held-out run with"
            " --per-month 1 is false; pooled count n in H quiet sector-hours; rate upper"
            f" bound chi2.ppf({confidence}, 2(n+1))/2/H (one-sided Poisson); times the"
            " reference month's quiet sector-hours (its quiet samples x their weights)"
            " over its truth"
        ),
    }


def figure(
    summary: dict, path: Path, others: dict[str, dict] | None = None, label: str = "runs pooled"
) -> None:
    """The bound as held-out hours accumulate, against the goal; ``others``, further
    pools' summaries by label, drawn beside it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 5.2), dpi=110)
    top = 30.0
    series = [(label, summary), *(others or {}).items()]
    for i, (label, s) in enumerate(series):
        pts = s["cumulative"]
        colour = f"C{i}"
        ax.plot(
            [p["hours"] for p in pts],
            [p["bound_pct"] for p in pts],
            "o-",
            ms=4,
            color=colour,
            label=label,
        )
        h_max = max(pts[-1]["hours"], s["hours_for_goal_if_none_more"]) * 1.1
        hs = np.linspace(pts[-1]["hours"], h_max, 200)
        per_h = s["month_quiet_h"] / s["month_truth"] * 100.0
        more = [upper_rate(s["counted_in_quiet"], h, s["confidence"]) * per_h for h in hs]
        ax.plot(
            hs,
            more,
            color=colour,
            lw=1.5,
            ls=":",
            label="if none more is counted" if i == 0 else None,
        )
        top = max(top, min(30.0, max(p["bound_pct"] for p in pts) * 1.1))  # the goal's region
    ax.axhline(
        summary["goal_pct"], color="black", ls="--", lw=1, label=f"goal {summary['goal_pct']:g} %"
    )
    ax.set_xlabel("held-out quiet sector-hours pooled")
    ax.set_ylabel(f"false units' bias, upper {summary['confidence']:.0%} (%)")
    ax.set_ylim(0, top)
    ax.set_title("False units a month may carry, bounded by held-out quiet hours")
    # below the axes: the pools' labels are long, and inside they hide the curves
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize="small", frameon=False)
    ax.grid(alpha=0.3)
    save(fig, path)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--results", nargs="+", type=Path, help="bench/month.py result files of held-out quiet runs"
    )
    ap.add_argument(
        "--extra", nargs="+", type=Path, default=[], help="added to the pooled default list"
    )
    ap.add_argument(
        "--month", type=Path, default=RESULTS / "month.json", help="the reference month"
    )
    ap.add_argument("--confidence", type=float, default=0.95)
    ap.add_argument("--goal", type=float, default=0.05, help="share of the month's truth")
    ap.add_argument(
        "--pool",
        choices=sorted(POOLS),
        default="rule21",
        help="which pooled list (without --results): "
        + "; ".join(f"{k}: {v[2]}" for k, v in POOLS.items()),
    )
    ap.add_argument("--out", type=Path, default=None, help="default: the pool's result file")
    ap.add_argument(
        "--figure", type=Path, default=None, help="draw the bound (every pool, with the defaults)"
    )
    a = ap.parse_args()
    names, out_name, _ = POOLS[a.pool]
    out = a.out or RESULTS / out_name
    files = list(a.results) if a.results else [RESULTS / f for f in names]
    files += list(a.extra)
    for f in files:
        if not f.is_file():
            raise SystemExit(f"{f}: no such result file")
    runs = [read_run(f) for f in files]
    month = json.loads(a.month.read_text())
    summary = summarise(runs, month, a.confidence, a.goal)
    table = Table(title="Held-out quiet hours")
    cols = ("run", "seed", "commit", "rule params", "quiet sector-h", "counted", "crossing tracks")
    for c in cols:
        table.add_column(c, justify="left" if c in ("run", "commit", "rule params") else "right")
    for r in runs:
        table.add_row(
            r.file,
            str(r.seed),
            r.commit,
            "" if r.rule_params is None else json.dumps(r.rule_params),
            f"{r.quiet_h:,.1f}",
            str(r.counted),
            str(r.crossing_tracks),
        )
    Console().print(table)
    s = summary
    Console().print(
        f"pooled {s['held_out_quiet_h']:,.1f} h, {s['counted_in_quiet']} counted: false units"
        f" <= {s['false_units_per_month_upper']:,.1f} a month ({s['confidence']:.0%}) ="
        f" <= {s['bias_pct_upper']} % of the month's {s['month_truth']:,}"
        f" (goal {summary['goal_pct']:g} %; held-out hours it takes if none more is"
        f" counted: {summary['hours_for_goal_if_none_more']:,.0f})"
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    doc = {
        "benchmark": "held_out",
        "commit": commit,
        "command": f"python bench/held_out.py --pool {a.pool} " + " ".join(str(f) for f in a.extra),
        "pool": a.pool if not a.results else "given",
        "rule": POOLS[a.pool][2] if not a.results else "",
        "runs": [asdict(r) for r in runs],
        "result": summary,
    }
    out.write_text(json.dumps(doc, indent=2) + "\n")
    if a.figure:
        others = {}
        if not a.results and not a.extra:
            for name, (pool, _, label) in POOLS.items():
                if name != a.pool and all((RESULTS / f).is_file() for f in pool):
                    runs_o = [read_run(RESULTS / f) for f in pool]
                    others[label] = summarise(runs_o, month, a.confidence, a.goal)
        figure(summary, a.figure, others, POOLS[a.pool][2] if not a.results else "runs pooled")


if __name__ == "__main__":
    main()
