"""Replay from a store: verify each source's chain, re-run its records, compare digests.

The pipeline committed, with every scan, the chain head and the SHA-256 of the scan's
tracks, events, incidents and recommendations (``pipeline.evidence``). A replay checks
the chain record by record from genesis (naming the first stored record that does not
match), checks every committed head against it, then rebuilds the stages from the
source's recorded configuration, feeds them the chained records scan by scan (the
commit order of ``evidence_heads``) and compares each scan's digests. The first scan
whose output differs is named with the output kind, both digests and the replayed
records of that kind.

Operators' actions are inputs too: each one that reached the analyzer is chained
(kind 3) at the scan it was applied before, and the replay applies it there. Not
replayed: hold-fire decisions (not among the compared outputs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.orm import Session

from skywarden.evidence.canonical import canonical, digests, records
from skywarden.evidence.chain import Break, Kind, Record, Verified, verify
from skywarden.evidence.runs import Divergence, Report
from skywarden.evidence.stamp import config_sha256, mismatch, plain, stamp
from skywarden.geo import LocalFrame
from skywarden.model import Detection, TrackUpdate, Zone
from skywarden.stages import Scan, StageChain
from skywarden.store import Database
from skywarden.store import evidence as store_evidence


def _where(source: str, seq: int) -> str:
    return f"evidence_records source {source!r} seq {seq}"


def _records(s: Session, source: str) -> Iterator[tuple[Record, str]]:
    for r in store_evidence.records(s, source):
        kind: Kind | int = Kind(r.kind) if r.kind in (0, 1, 2) else r.kind
        yield Record(r.seq, r.t, kind, r.raw, r.hash), _where(source, r.seq)


def check_chain(s: Session, source: str) -> Verified | Break:
    """The chain from genesis, then every committed head against it."""
    res = verify(_records(s, source))
    if isinstance(res, Break):
        return res
    heads = list(store_evidence.heads(s, source))
    want = {h.records - 1 for h in heads if h.records > 0}
    at = {r.seq: r.hash for r in store_evidence.records(s, source) if r.seq in want}
    last = 0
    for k, h in enumerate(heads):
        found = at.get(h.records - 1, "0" * 64) if h.records else "0" * 64
        where = f"evidence_heads source {source!r} scan {k + 1} (t={h.t!r})"
        if h.records > res.records or h.records < last:
            return Break(
                h.records,
                h.t,
                f"0..{res.records} records",
                str(h.records),
                where,
                "head counts records the chain does not have",
            )
        if h.records and found != h.head:
            return Break(
                h.records - 1, h.t, found, h.head, where, "committed head differs from the chain"
            )
        last = h.records
    return res


def rebuild(config: dict[str, Any]) -> tuple[StageChain, dict[str, Any]]:
    """The stages from a recorded configuration, and the configuration they now have."""
    from skywarden import refdata
    from skywarden.airspace import Analyzer, load_policy
    from skywarden.store import ids as store_ids
    from skywarden.tracking import Tracker, TrackerConfig

    stages = config.get("stages") or {}
    for role, name in (("tracker", "Tracker"), ("analyzer", "Analyzer")):
        if stages.get(role) not in (None, name):
            raise ValueError(
                f"the recorded {role} is {stages.get(role)!r}; a replay can rebuild only {name}"
            )
    f = config.get("frame")
    if not f:
        raise ValueError("the recorded configuration has no sector frame")
    frame = LocalFrame(float(f["lat"]), float(f["lon"]), float(f.get("alt_m", 0.0)))
    prefix = str(config.get("id_prefix", ""))
    zones = [Zone.from_dict(z) for z in config.get("zones", [])]
    tracker = Tracker(frame, TrackerConfig(), id_prefix=prefix) if stages.get("tracker") else None
    analyzer = None
    if stages.get("analyzer"):
        analyzer = Analyzer(frame, zones, refdata.border_line(), load_policy(), id_prefix=prefix)
    scope = (lambda tr: store_ids.scoped(tr, prefix)) if prefix else None
    chain = StageChain(tracker, analyzer, scope=scope, needs_analyzer=bool(zones))
    now = {
        "stages": {
            "tracker": None if tracker is None else type(tracker).__qualname__,
            "analyzer": None if analyzer is None else type(analyzer).__qualname__,
        },
        "frame": frame.to_dict(),
        "id_prefix": prefix,
        "zones": [z.to_dict() for z in zones],
        "tracker": plain(getattr(tracker, "config", None)),
        "analyzer": plain(getattr(analyzer, "config", None)),
        "policy": plain(getattr(analyzer, "policy", None)),
        "laser_plan": config.get("laser_plan"),
    }
    return chain, now


Scanned = tuple[Scan, list[dict[str, Any]], str, Any]


def _scans(s: Session, source: str, has_tracker: bool) -> Iterator[Scanned]:
    """(scan, operator actions before it, "records i..j", head row) in commit order."""
    rows = store_evidence.records(s, source)
    done = 0
    for h in store_evidence.heads(s, source):
        dets: list[Detection] = []
        ups: list[TrackUpdate] = []
        acts: list[dict[str, Any]] = []
        first = done
        while done < h.records:
            r = next(rows)
            done += 1
            if r.kind == Kind.DETECTION:
                dets.append(Detection.from_dict(_json(r.raw, source, r.seq)))
            elif r.kind == Kind.TRACK_UPDATE:
                ups.append(TrackUpdate.from_dict(_json(r.raw, source, r.seq)))
            elif r.kind == Kind.OPERATOR_ACTION:
                acts.append(_json(r.raw, source, r.seq))
        span = f"records {first}..{done - 1}" if done > first else "no records"
        yield Scan(h.t, dets, None if has_tracker else ups), acts, span, h


def _operate(analyzer: Any, t: float, what: dict[str, Any]) -> None:
    """An operator's action as ``pipeline.operators`` applied it (same dispatch)."""
    from skywarden.lifecycle import OperatorAction, parse_action

    act, inc, who = parse_action(str(what["action"])), str(what["incident"]), str(what["user"])
    if act is OperatorAction.ACKNOWLEDGE:
        analyzer.acknowledge(inc, t, who)
    elif act is OperatorAction.RESOLVE:
        analyzer.resolve(inc, t, who)
    else:
        comment = str(what.get("comment", ""))
        analyzer.annotate(inc, t, who, f"{act.value}: {comment}" if comment else act.value)


def _json(raw: bytes, source: str, seq: int) -> dict[str, Any]:
    import json

    try:
        d = json.loads(raw)
    except ValueError as e:
        raise ValueError(f"{_where(source, seq)}: not a JSON record ({e})") from None
    if not isinstance(d, dict):
        raise ValueError(f"{_where(source, seq)}: not a JSON object")
    return d


def replay_source(
    db: Database,
    source: str,
    force: bool = False,
    on_scan: Callable[[int, int], None] | None = None,
) -> Report:
    """Verify and replay one source of a store (see the module docstring)."""
    rep = Report(f"store source {source!r}")
    with db.session() as s:
        row = store_evidence.stamp_of(s, source)
        if row is None:
            rep.refusals.append(f"no evidence recorded for source {source!r} in this store")
            return rep
        version, config, config_hash = dict(row.version), dict(row.config), row.config_hash
        rep.refusals, rep.warnings = mismatch(version, stamp())
        rep.version_refused = bool(rep.refusals)
        if config_sha256(config) != config_hash:
            rep.refusals.append("evidence_sources.config does not hash to its config_hash (edited)")
        rep.chain = check_chain(s, source)
        if isinstance(rep.chain, Break) or (rep.refusals and not force):
            return rep
        if force:
            rep.warnings += rep.refusals
            rep.refusals = []
        try:
            chain, now = rebuild(config)
        except (ValueError, KeyError, TypeError) as e:
            rep.refusals.append(f"cannot rebuild the stages: {e}")
            return rep
        changed = sorted(k for k in now if canonical(now[k]) != canonical(config.get(k)))
        if changed:
            rep.warnings.append(
                f"the rebuilt stages differ from the recording in: {', '.join(changed)}"
            )
        total = store_evidence.count_heads(s, source)
        n = 0
        scans = _scans(s, source, chain.tracker is not None)
        for n, (scan, acts, span, head) in enumerate(scans, 1):
            if on_scan is not None:
                on_scan(n, total)
            for what in acts:
                _operate(chain.analyzer, scan.t, what)
            result = chain.step(scan)
            got = digests(result)
            for kind, want in head.outputs.items():
                if got.get(kind) != want:
                    value = canonical(records(result)[kind]).decode()
                    rep.divergence = Divergence(
                        f"{kind} of committed scan {n} (steps {head.steps})",
                        scan.t,
                        f"sha256 {want}",
                        f"sha256 {got.get(kind)}: {value[:2000]}",
                        span,
                    )
                    rep.replayed = True
                    return rep
        rep.compared["scans"] = n
        rep.replayed = True
    return rep


def replay_store(
    db: Database,
    source: str | None = None,
    force: bool = False,
    on_scan: Callable[[int, int], None] | None = None,
) -> list[Report]:
    """Every source with evidence in the store (or only ``source``)."""
    with db.session() as s:
        names = [source] if source else store_evidence.sources(s)
    if not names:
        rep = Report("store")
        rep.refusals.append("no evidence in this store (recorded since revision 0004_evidence)")
        return [rep]
    return [replay_source(db, n, force, on_scan) for n in names]
