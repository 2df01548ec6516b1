"""Reading a month directory (docs/month.md) into :class:`.Material`.

``MONTH_DIR/border.json`` lists every sector of the border, sensed or not, with its
stretch of the line, its sensors (the scenario's own entries) and the rate model's
relative crossings per km there; ``MONTH_DIR/sectors/<ID>/`` holds one run directory per
simulated sector, with ``windows.json`` giving each simulated span's weight. The sector
id (the directory name) qualifies track ids. Unsensed stretches become sectors without
sensors or events: the coverage model counts them as blind border, estimated by the rate
assumption. Sectors that were sensed but not simulated (left out with ``--sectors``) are
left out of everything, with a note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from skywarden.analytics.material import Material, SectorData
from skywarden.analytics.run_source import SourceError, load_run, read_json, sectors_from_entry


def load_month(month: Path) -> Material:
    """Every simulated sector's run, plus the unsensed stretches, of a month directory."""
    border = read_json(month / "border.json", required=False)
    entries: dict[str, dict[str, Any]] = {}
    if isinstance(border, dict):
        for s in border.get("sectors", []) or []:
            if isinstance(s, dict) and "id" in s:
                entries[str(s["id"])] = s
    root = month / "sectors"
    dirs = sorted(d for d in root.iterdir() if d.is_dir()) if root.is_dir() else []
    if not dirs:
        raise SourceError(f"{month}: a month directory needs sectors/<ID>/ run directories")
    sectors: list[SectorData] = []
    notes: list[str] = []
    for d in dirs:
        if not (d / "incidents.json").is_file():
            notes.append(f"sector {d.name}: no incidents.json (not finished?), left out")
            continue
        sectors.append(load_run(d, d.name, entries.get(d.name)))
    notes += _blind_sectors(entries, sectors)
    if isinstance(border, dict):
        for s in sectors:
            if border.get("start_t") is not None and border.get("end_t") is not None:
                s.start, s.end = float(border["start_t"]), float(border["end_t"])
    return Material(str(month), "month", sectors, notes)


def _blind_sectors(entries: dict[str, dict[str, Any]], sectors: list[SectorData]) -> list[str]:
    """Add the sectors without a run, without sensors: unsensed stretches (blind border
    for the coverage model) and sensed ones that were not simulated (only to attribute
    crossings to the stretch they own; left out of the coverage)."""
    have = {s.id for s in sectors}
    left_out = []
    for sid, entry in entries.items():
        if sid in have:
            continue
        other = SectorData(id=sid, simulated=False)
        sectors_from_entry(other, entry)
        other.sensors = []
        sectors.append(other)
        if other.sensed:
            left_out.append(sid)
    if not left_out:
        return []
    shown = ", ".join(sorted(left_out)[:6]) + ("..." if len(left_out) > 6 else "")
    return [
        f"{len(left_out)} sensed sector(s) have no run ({shown}): left out of the counts "
        "and the coverage"
    ]
