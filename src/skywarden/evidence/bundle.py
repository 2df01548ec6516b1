"""An incident's evidence as a signed folder a third party checks without a database.

``skywarden evidence export INCIDENT --out DIR`` writes:

- ``raw.jsonl``: the chained raw input records received in the incident's window (from
  ``margin_s`` before its tracks were first seen to ``margin_s`` after its last event
  or track point), contiguous in chain order, in the run directory's line format;
- ``heads.jsonl``: the scan heads inside that window;
- ``chain.json``: where the segment sits: its first index, the head *before* it (so the
  segment is recomputed from a known hash), its last head, and the whole chain's
  length and head when exported;
- ``incident.json``: the incident, its events and its recommendations;
- ``tracks.jsonl``: the incident's track updates in the window;
- ``evidence.json``: the version stamp, the stages' configuration and its hash;
- ``manifest.json`` and ``manifest.json.sig``: ``export.signing``'s Ed25519 manifest.

``skywarden evidence verify DIR`` checks the signature and every file's hash (the
manifest), then recomputes the chain segment from ``chain.json``'s previous head and
checks its end and every scan head in it. What it proves: these records are the ones
chained at receipt, in this order, and the outputs are what the signer's skywarden
produced. It does not re-run the stages: a segment starts mid-stream, with the
tracker's state built from earlier records (``replay --verify`` on the full run or
store does that).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skywarden.errors import SkywardenError
from skywarden.evidence.chain import GENESIS, Break, Kind, Record, Verified, verify
from skywarden.evidence.rawlog import (
    HEADS,
    RAW,
    EvidenceFileError,
    Head,
    read_heads,
    read_records,
    record_line,
)

CHAIN = "chain.json"
INCIDENT = "incident.json"
TRACKS = "tracks.jsonl"
STAMP = "evidence.json"
FORMAT = "skywarden-evidence-export/1"
MARGIN_S = 60.0


class EvidenceExportError(SkywardenError, ValueError):
    """An export that cannot be made (unknown incident, no chain); says which and why."""


class SegmentError(SkywardenError, ValueError):
    """An evidence folder whose chain segment does not hold; names the file and why."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file, self.reason = file, reason


@dataclass
class Bundle:
    """What goes into the folder, gathered from a run directory or a store."""

    source: str
    incident: dict[str, Any]
    recommendations: list[dict[str, Any]]
    tracks: list[dict[str, Any]]
    stamp: dict[str, Any]
    config: dict[str, Any]
    config_sha256: str
    records: list[Record] = field(default_factory=list)
    heads: list[Head] = field(default_factory=list)
    prev_head: str = GENESIS.hex()
    chain_records: int = 0
    chain_head: str = GENESIS.hex()
    window: tuple[float, float] = (0.0, 0.0)


def window(
    incident: dict[str, Any], tracks: list[dict[str, Any]], margin_s: float
) -> tuple[float, float]:
    """From ``margin_s`` before the incident's tracks were first seen (or it opened) to
    ``margin_s`` after its last event or track point."""
    ts = [float(incident["t_open"])] + [float(e["t"]) for e in incident.get("events", [])]
    ts += [float(u["t"]) for u in tracks]
    return min(ts) - margin_s, max(ts) + margin_s


def write(b: Bundle, out: Path) -> dict[str, str]:
    """Write the folder (the caller signs it, ``export.signing``); returns the manifest
    metadata to sign it with."""
    out.mkdir(parents=True, exist_ok=True)
    leftovers = [p.name for p in out.iterdir()]
    if leftovers:
        raise EvidenceExportError(f"{out}: not empty ({', '.join(sorted(leftovers)[:5])})")
    with (out / RAW).open("w", encoding="utf-8") as f:
        f.writelines(record_line(r) for r in b.records)
    with (out / HEADS).open("w", encoding="utf-8") as f:
        f.writelines(
            json.dumps({"t": h.t, "n": h.n, "h": h.h}, separators=(",", ":")) + "\n"
            for h in b.heads
        )
    with (out / TRACKS).open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(u, separators=(",", ":")) + "\n" for u in b.tracks)
    first = b.records[0].index if b.records else b.chain_records
    chain = {
        "source": b.source,
        "layout": "docs/evidence.md (skywarden.evidence.chain)",
        "window": list(b.window),
        "first_index": first,
        "records": len(b.records),
        "prev_head": b.prev_head,
        "head": b.records[-1].hash if b.records else b.prev_head,
        "chain_at_export": {"records": b.chain_records, "head": b.chain_head},
    }
    _dump(out / CHAIN, chain)
    _dump(out / INCIDENT, {"incident": b.incident, "recommendations": b.recommendations})
    _dump(
        out / STAMP,
        {
            "format": FORMAT,
            "version": b.stamp,
            "config": b.config,
            "config_sha256": b.config_sha256,
        },
    )
    return {"audience": "evidence", "incident": str(b.incident.get("id")), "evidence": FORMAT}


def _dump(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")


@dataclass(frozen=True)
class Segment:
    """A chain segment that holds: its incident, length and first index."""

    incident: str
    records: int
    first_index: int


def check(folder: Path) -> Segment:
    """Recompute the chain segment from ``chain.json``'s previous head; check its end and
    every scan head in it. Run after the signature and file hashes are checked
    (``export.signing.verify_folder``); raises :class:`SegmentError` naming the file."""
    try:
        chain = json.loads((folder / CHAIN).read_text())
        prev = bytes.fromhex(str(chain["prev_head"]))
        first = int(chain["first_index"])
        incident = json.loads((folder / INCIDENT).read_text())["incident"]["id"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SegmentError(CHAIN, f"not an evidence folder ({e})") from None
    try:
        res = verify(read_records(folder / RAW), prev=prev, start=first)
    except EvidenceFileError as e:
        raise SegmentError(RAW, e.reason) from None
    if isinstance(res, Break):
        raise SegmentError(RAW, res.describe())
    if res.records != int(chain["records"]) or res.head != chain["head"]:
        raise SegmentError(
            CHAIN, f"segment ends at head {res.head}, chain.json says {chain['head']}"
        )
    _check_heads(folder, res, first)
    return Segment(str(incident), res.records, first)


def _check_heads(folder: Path, res: Verified, first: int) -> None:
    at = {r.index + 1: r.hash for r, _ in read_records(folder / RAW)}
    try:
        heads = read_heads(folder / HEADS)
    except EvidenceFileError as e:
        raise SegmentError(HEADS, e.reason) from None
    for k, h in enumerate(heads, 1):
        if h.n < first or h.n > first + res.records:
            raise SegmentError(HEADS, f"line {k}: head after {h.n} records is outside the segment")
        if h.n > first and at.get(h.n) != h.h:
            raise SegmentError(HEADS, f"line {k}: head differs from the chain at record {h.n - 1}")


# ---------------------------------------------------------------- gathering
def from_run(folder: Path, incident_id: str, margin_s: float = MARGIN_S) -> Bundle:
    """The bundle of one incident of a ``skywarden run --evidence`` directory."""
    from skywarden.evidence.runs import read_manifest

    manifest = read_manifest(folder)
    doc = json.loads((folder / "incidents.json").read_text())
    incs = {str(i["id"]): i for i in doc.get("incidents", [])}
    if incident_id not in incs:
        known = ", ".join(sorted(incs)[:10]) or "none"
        raise EvidenceExportError(
            f"{folder}/incidents.json: no incident {incident_id!r} (has: {known})"
        )
    inc = incs[incident_id]
    recs = [r for r in doc.get("recommendations", []) if r.get("incident") == incident_id]
    mine = set(inc.get("tracks", []))
    tracks = []
    with (folder / "tracks.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if any(f'"track":"{t}"' in line for t in mine):
                u = json.loads(line)
                if u.get("track") in mine:
                    tracks.append(u)
    t0, t1 = window(inc, tracks, margin_s)
    tracks = [u for u in tracks if t0 <= float(u["t"]) <= t1]
    b = Bundle(
        str(folder),
        inc,
        recs,
        tracks,
        manifest["version"],
        manifest["config"],
        manifest["config_sha256"],
        window=(t0, t1),
    )
    prev = GENESIS.hex()
    for rec, _ in read_records(folder / RAW):
        if rec.t < t0:
            prev = rec.hash
        elif rec.t <= t1:
            b.records.append(rec)
        b.chain_records, b.chain_head = rec.index + 1, rec.hash
    b.prev_head = prev
    b.heads = [h for h in read_heads(folder / HEADS) if t0 <= h.t <= t1]
    return b


def from_store(
    db_url: str, incident_id: str, source: str | None, margin_s: float = MARGIN_S
) -> Bundle:
    """The bundle of one incident of a store (its source found from its id's run number)."""
    from sqlalchemy import select

    from skywarden.store import Database
    from skywarden.store import evidence as store_evidence
    from skywarden.store import tracks as store_tracks
    from skywarden.store.incidents import IncidentNotFound, detail
    from skywarden.store.recommendations import row_dict
    from skywarden.store.schema import RecommendationRow, SourceRun

    db = Database(db_url)
    try:
        with db.session() as s:
            try:
                inc = detail(s, incident_id)
            except IncidentNotFound:
                raise EvidenceExportError(f"{db_url}: no incident {incident_id!r}") from None
            if source is None:
                source = _source_of(s, incident_id, SourceRun, store_evidence.sources(s))
            stamp_row = store_evidence.stamp_of(s, source)
            if stamp_row is None:
                raise EvidenceExportError(f"{db_url}: no evidence chain for source {source!r}")
            recs = [
                row_dict(r)
                for r in s.scalars(
                    select(RecommendationRow).where(RecommendationRow.incident == incident_id)
                )
            ]
            tracks = store_tracks.history(s, tracks=list(inc.get("tracks", [])))
            t0, t1 = window(inc, tracks, margin_s)
            tracks = [u for u in tracks if t0 <= float(u["t"]) <= t1]
            b = Bundle(
                source,
                inc,
                recs,
                tracks,
                dict(stamp_row.version),
                dict(stamp_row.config),
                stamp_row.config_hash,
                window=(t0, t1),
            )
            _store_segment(s, b)
            return b
    finally:
        db.dispose()


def _store_segment(s: Any, b: Bundle) -> None:
    """The chain segment of ``b``'s window from the store, with the head before it."""
    from skywarden.store import evidence as store_evidence

    t0, t1 = b.window
    n, h = store_evidence.tail(s, b.source)
    b.chain_records, b.chain_head = n, h or GENESIS.hex()
    rng = store_evidence.seq_range(s, b.source, t0, t1)
    if rng is not None:
        lo, hi = rng
        before = store_evidence.hash_at(s, b.source, lo - 1) if lo else None
        b.prev_head = before or GENESIS.hex()
        b.records = list(_as_records(store_evidence.records(s, b.source, lo, hi)))
    b.heads = [
        Head(x.t, x.records, x.head) for x in store_evidence.heads(s, b.source) if t0 <= x.t <= t1
    ]


def _as_records(rows: Iterator[Any]) -> Iterator[Record]:
    for r in rows:
        yield Record(r.seq, r.t, Kind(r.kind) if r.kind in (0, 1, 2) else r.kind, r.raw, r.hash)


def _source_of(s: Any, incident_id: str, source_run: Any, with_evidence: list[str]) -> str:
    """The source whose run minted ``incident_id`` (``I3-00007``: run 3)."""
    from sqlalchemy import select

    head = incident_id.split("-", 1)[0][1:]
    if head.isdigit():
        name = s.scalar(select(source_run.source).where(source_run.id == int(head)))
        if name is not None:
            return str(name)
    if len(with_evidence) == 1:
        return with_evidence[0]
    raise EvidenceExportError(
        f"cannot tell which source made {incident_id!r}; give --source (one of: "
        f"{', '.join(with_evidence) or 'none'})"
    )
