"""Console reports of the airspace stage: incident table, recommendation timeline, minutes.

Shared by ``skywarden analyze`` and ``skywarden run`` (rich tables), and
:func:`restricted_minutes` gives the total minutes each runway was paused, the figure
the what-if report sets beside the real closure of 11 Feb 2026.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from skywarden.model import Action, Incident, Recommendation


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hhmm(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%H:%M:%SZ")


def incident_table(incidents: Iterable[Incident], limit: int = 40) -> Table:
    incs = sorted(incidents, key=lambda i: (-i.severity, i.t_open))
    table = Table(title=f"incidents ({len(incs)})")
    for col in ("id", "opened", "kind", "sev", "state", "tracks", "events", "measures"):
        table.add_column(col)
    for inc in incs[:limit]:
        kinds: dict[str, int] = defaultdict(int)
        for e in inc.events:
            kinds[e.kind] += 1
        measures = sorted({r.split("/")[0] for r in inc.recommendations})
        table.add_row(
            inc.id,
            hhmm(inc.t_open),
            inc.kind,
            str(inc.severity),
            str(inc.state),
            ",".join(inc.tracks[:4]) + ("..." if len(inc.tracks) > 4 else ""),
            " ".join(f"{k}x{n}" for k, n in sorted(kinds.items())),
            " ".join(measures),
        )
    if len(incs) > limit:
        table.caption = f"{len(incs) - limit} more in the JSON output"
    return table


def timeline_table(recs: Sequence[Recommendation], include_monitor: bool = False) -> Table:
    table = Table(title="recommendation timeline")
    cols = ("time", "rec", "status", "action", "where", "re-eval", "expires", "rests on", "why")
    for col in cols:
        table.add_column(col)
    for r in sorted(recs, key=lambda r: (r.t_issued, r.id)):
        # Monitoring and renewed notifications cost no one anything; the JSON has them all.
        if r.action == Action.MONITOR and not include_monitor:
            continue
        if r.action == Action.NOTIFY and r.status == "renewed" and not include_monitor:
            continue
        where = " ".join(x for x in (r.airport or "", " ".join(r.runways)) if x)
        if r.action == Action.NOTIFY:
            where = next((x[len("notify ") :] for x in r.reasons if x.startswith("notify ")), "")
        if r.tfr:
            where += f" TFR {r.tfr.get('radius_nm')} NM SFC-{r.tfr.get('ceiling_ft_msl')} ft"
        why = next(
            (x for x in r.reasons if not x.startswith(("policy:", "re-evaluated", "notify "))),
            "",
        )
        table.add_row(
            hhmm(r.t_issued),
            r.id,
            r.status,
            r.action.value,
            where,
            hhmm(r.t_reevaluate),
            hhmm(r.t_expires),
            rests_on(r),
            textwrap.shorten(why, 80, placeholder=" ..."),  # cut at a word, said
        )
    return table


def rests_on(r: Recommendation) -> str:
    """Confidence and evidence kinds in a few characters: "0.93 radar_class+rf_geometry"."""
    conf = "-" if r.confidence is None else f"{r.confidence:.2f}"
    return f"{conf} {'+'.join(r.evidence) or 'no evidence'}"


_RESTRICTING = (Action.PAUSE_ARRIVALS, Action.PAUSE_DEPARTURES, Action.PAUSE_ALL, Action.TFR)


def measure_spans(recs: Sequence[Recommendation]) -> list[tuple[str, Recommendation, float, float]]:
    """(measure id, first version, start, end) of every restricting measure."""
    by_measure: dict[str, list[Recommendation]] = defaultdict(list)
    for r in recs:
        if r.action in _RESTRICTING:
            by_measure[r.id.split("/")[0]].append(r)
    out = []
    for mid, versions in by_measure.items():
        versions.sort(key=lambda r: r.t_issued)
        start = versions[0].t_issued
        last = versions[-1]
        # A lifted/expired version ends at its own time; an open one at its expiry.
        end = last.t_expires
        out.append((mid, versions[0], start, end))
    return sorted(out, key=lambda s: s[2])


def restricted_minutes(
    recs: Sequence[Recommendation], runway_ends: dict[str, list[str]]
) -> dict[str, dict[str, float]]:
    """Minutes each runway end had arrivals / departures paused (a TFR or pause_all
    pauses both on every runway end of its airport). ``runway_ends`` maps airport ->
    runway end idents. Overlapping measures are counted once (union of intervals)."""
    spans: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for _, r, start, end in measure_spans(recs):
        ap = r.airport or ""
        ends = list(r.runways) if r.runways else runway_ends.get(ap, [])
        kinds = {
            Action.PAUSE_ARRIVALS: ("arrivals",),
            Action.PAUSE_DEPARTURES: ("departures",),
        }.get(r.action, ("arrivals", "departures"))
        for e in ends:
            for k in kinds:
                spans[(ap, e, k)].append((start, end))
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for (ap, e, k), iv in spans.items():
        out[f"{ap} {e}"][k] = round(_union_len(iv) / 60.0, 1)
    return dict(out)


def _union_len(iv: list[tuple[float, float]]) -> float:
    total, cur_s, cur_e = 0.0, None, None
    for s, e in sorted(iv):
        if cur_e is None or s > cur_e:
            if cur_e is not None and cur_s is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None and cur_s is not None:
        total += cur_e - cur_s
    return total


def minutes_table(minutes: dict[str, dict[str, float]]) -> Table:
    """Minutes of paused arrivals and departures per runway end."""
    table = Table(title="restricted operations (minutes)")
    for col in ("runway end", "arrivals paused", "departures paused"):
        table.add_column(col)
    for rw, d in sorted(minutes.items()):
        table.add_row(rw, f"{d.get('arrivals', 0):.1f}", f"{d.get('departures', 0):.1f}")
    return table


def print_report(
    console: Console, incidents: Iterable[Incident], recs: Sequence[Recommendation]
) -> None:
    console.print(incident_table(incidents))
    console.print(timeline_table(recs))
