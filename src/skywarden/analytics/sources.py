"""Reading a run directory, a month directory or a store into :class:`.Material`.

- A **run directory** is what ``skywarden run`` writes: ``incidents.json`` (events,
  incidents, recommendations, ``meta``), ``sector.json`` (start, duration) and
  ``tracks.jsonl``. Its sensors come from the scenario it ran (``scenario.yaml`` beside
  it, or the path in ``incidents.json``'s ``meta.scenario``).
- A **month directory** (docs/month.md of the month simulation) holds ``border.json``
  and ``sectors/<ID>/``, one run directory per sector; sector ``ID`` qualifies its
  track ids (``S03/T000022``), which are only unique within a sector.
- A **store** is a database URL (``sqlite:///...``, ``postgresql://...``) or a path to a
  SQLite ``.db`` file: the service's events, incidents, recommendations, track points and
  sensors tables, read only.

Anything else is refused with a :class:`SourceError` saying what was expected.
"""

from __future__ import annotations

from pathlib import Path

from skywarden.analytics.material import Material
from skywarden.analytics.month_source import load_month
from skywarden.analytics.run_source import SourceError, load_run, sector_id
from skywarden.analytics.store_source import load_store

__all__ = ["SourceError", "is_store", "load"]

STORE_PREFIXES = ("sqlite:", "postgresql:", "postgres:", "postgresql+psycopg:")


def is_store(source: str | Path) -> bool:
    s = str(source)
    return s.startswith(STORE_PREFIXES) or (
        Path(s).is_file() and Path(s).suffix in {".db", ".sqlite", ".sqlite3"}
    )


def load(source: str | Path) -> Material:
    """Read ``source`` (run dir, month dir or store URL) into :class:`Material`."""
    s = str(source)
    if is_store(s):
        url = s if s.startswith(STORE_PREFIXES) else f"sqlite:///{Path(s).resolve()}"
        return load_store(url, s)
    p = Path(s)
    if not p.exists():
        raise SourceError(
            f"{s}: no such file or directory (give a run directory, a month "
            "directory or a store URL such as sqlite:///out/skywarden.db)"
        )
    if p.is_dir() and (p / "incidents.json").is_file():
        return Material(s, "run", [load_run(p, sector_id(p))])
    if p.is_dir() and ((p / "border.json").is_file() or (p / "sectors").is_dir()):
        return load_month(p)
    raise SourceError(
        f"{s}: not a run directory (no incidents.json), a month directory (no border.json "
        "or sectors/) nor a store (sqlite:///FILE, postgresql://...)"
    )
