"""``skywarden report RUN_OR_STORE --out report.html [--pdf report.pdf] [--role partner]``.

The figures and tables of ``skywarden stats`` (counted anew, or read back from the JSON
file ``skywarden stats --out FILE`` wrote) as one self-contained HTML page (figures
inline, no external URL) and/or a PDF: hot-spot map, per day and hour, coverage and the
unseen estimate, the counts with their method, incidents by kind, runway-pause minutes.
``--out x.pdf`` writes a PDF; ``--pdf`` adds one beside the HTML; ``--figures DIR`` also
writes each figure as ``DIR/<name>.png`` (for a README, say). ``--role partner``
redacts the statistics first, with the API's own code (``service/redact.py``).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class ReportRole(StrEnum):
    analyst = "analyst"
    partner = "partner"


def report(
    source: Annotated[
        str,
        typer.Argument(
            help="A run or month directory, a store URL (sqlite:///...), or a Stats JSON "
            "file from `skywarden stats --out FILE`"
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="The report: .html, or .pdf for a PDF")],
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Also write a PDF here")] = None,
    role: Annotated[
        ReportRole, typer.Option("--role", help="analyst (everything) or partner (redacted)")
    ] = ReportRole.analyst,
    since: Annotated[str | None, typer.Option(help="From this time (epoch s or ISO)")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this time (epoch s or ISO)")] = None,
    title: Annotated[str, typer.Option(help="The report's title")] = "",
    figures: Annotated[
        Path | None, typer.Option("--figures", help="Also write each figure as DIR/<name>.png")
    ] = None,
) -> None:
    """Write the analytics report (HTML and/or PDF) of a run, a month or the store."""
    from skywarden.export.data import parse_time
    from skywarden.report.build import check_outputs, load_stats, make_report, write
    from skywarden.service import redact

    paths = [out] if pdf is None else [out, pdf]
    check_outputs(paths)
    t0 = None if since is None else parse_time(since, "--since")
    t1 = None if until is None else parse_time(until, "--until")
    stats = load_stats(source, t0, t1).model_dump(mode="json")
    if role is ReportRole.partner:
        stats = redact.stats(stats)
    rep = make_report(stats, role.value, title)
    for p in write(rep, paths):
        typer.echo(f"wrote {p} ({role.value} version)")
    if figures is not None:
        figures.mkdir(parents=True, exist_ok=True)
        for name, png in rep.figures.items():
            (figures / f"{name}.png").write_bytes(png)
        typer.echo(f"wrote {len(rep.figures)} figures to {figures}/")
