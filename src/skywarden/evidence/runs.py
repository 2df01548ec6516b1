"""Evidence in a run directory: record the chain during ``skywarden run --evidence``,
and replay it: verify the chain, re-run its raw records through the same stages and
prove ``tracks.jsonl`` and ``incidents.json`` byte-identical, or name the first
divergence.

The run's stages are rebuilt from ``evidence.json`` (the sector frame, its airports and
country; the tracker, analyzer and policy settings are the shipped defaults and are
hashed into ``config_sha256``), not from the scenario file, so a replay needs nothing
but the run directory and the same skywarden. Scans are the ones the run had: one per
line of ``heads.jsonl``, with the records chained up to it (an empty scan still moves
the tracker's clock).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skywarden.evidence.chain import Break, Kind, Verified, verify
from skywarden.evidence.rawlog import (
    HEADS,
    RAW,
    EvidenceFileError,
    Head,
    RunChainWriter,
    read_heads,
    read_records,
)
from skywarden.evidence.stamp import config_sha256, mismatch, plain, stamp
from skywarden.geo import LocalFrame
from skywarden.model import Detection, Event, Incident, Recommendation
from skywarden.stages import Hooks, Runner, Scan, StageChain, StepResult

MANIFEST = "evidence.json"
FORMAT = "skywarden-evidence/1"
OUTPUTS = ("tracks.jsonl", "incidents.json")


def run_config(frame: LocalFrame, airports: list[str], country: str) -> dict[str, Any]:
    """Everything the run's stages are built from, as JSON (hashed into the manifest)."""
    from skywarden.airspace import AnalyzerConfig
    from skywarden.airspace.policy import default_policy_path
    from skywarden.tracking import TrackerConfig

    return {
        "stages": "Tracker -> Analyzer (skywarden run)",
        "frame": frame.to_dict(),
        "airports": list(airports),
        "country": country,
        "tracker": plain(TrackerConfig()),
        "analyzer": plain(AnalyzerConfig(country=country)),
        "policy_sha256": hashlib.sha256(default_policy_path().read_bytes()).hexdigest(),
    }


def write_manifest(
    folder: Path, config: dict[str, Any], records: int, scans: int, head: str
) -> None:
    """``evidence.json``: format, version stamp, configuration and the chain's head."""
    doc = {
        "format": FORMAT,
        "layout": "docs/evidence.md: h_i = SHA-256(DOMAIN|h_i-1|i|t|kind|len|raw)",
        "version": stamp(),
        "config": config,
        "config_sha256": config_sha256(config),
        "records": records,
        "scans": scans,
        "head": head,
        "outputs": list(OUTPUTS),
    }
    (folder / MANIFEST).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise EvidenceFileError(
            path, 0, "no such file: record the run with `skywarden run --evidence`"
        )
    try:
        doc = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise EvidenceFileError(path, e.lineno, f"not JSON ({e.msg})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise EvidenceFileError(path, 1, f"format is not {FORMAT!r}")
    for key in ("version", "config", "config_sha256", "records", "head"):
        if key not in doc:
            raise EvidenceFileError(path, 1, f"missing {key!r}")
    return doc


@dataclass(frozen=True)
class Divergence:
    """The first output that differs: which output, which record, both values."""

    output: str  # "tracks.jsonl line 17", "incidents.json events[3]", ...
    t: float | None
    recorded: str
    replayed: str
    inputs: str = ""  # the chained records of the scan that produced it

    def describe(self) -> str:
        at = (
            ""
            if self.t is None
            else f" (scan t={self.t!r}{', ' + self.inputs if self.inputs else ''})"
        )
        return (
            f"first divergence at {self.output}{at}:\n  recorded: {self.recorded}\n"
            f"  replayed: {self.replayed}"
        )


@dataclass
class Report:
    """What a replay found: the chain, the version check, the comparison."""

    source: str
    chain: Verified | Break | None = None
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    divergence: Divergence | None = None
    compared: dict[str, int] = field(default_factory=dict)
    replayed: bool = False
    version_refused: bool = False  # recorded with another skywarden version

    @property
    def ok(self) -> bool:
        return (
            isinstance(self.chain, Verified)
            and not self.refusals
            and self.replayed
            and self.divergence is None
        )


def check_chain(folder: Path, manifest: dict[str, Any]) -> tuple[Verified | Break, list[Head]]:
    """Verify ``raw.jsonl`` from genesis, then its heads and the manifest's head."""
    heads = read_heads(folder / HEADS)
    try:
        res = verify(read_records(folder / RAW))
    except EvidenceFileError as e:
        if e.line < 1:
            raise
        # one record per line: an unreadable line is record line - 1, broken
        where = f"{RAW} line {e.line}"
        return Break(
            e.line - 1, float("nan"), "a chain record", e.reason, where, "unreadable"
        ), heads
    if isinstance(res, Break):
        return res, heads
    if res.records != int(manifest["records"]) or res.head != manifest["head"]:
        why = f"{MANIFEST} records {manifest['records']} head {manifest['head']}"
        return Break(
            res.records,
            float("nan"),
            why,
            f"{res.records} records, head {res.head}",
            MANIFEST,
            "the chain's end differs from the manifest (records dropped or added)",
        ), heads
    by_index = _hashes_at(folder, {h.n for h in heads})
    last = 0
    for k, h in enumerate(heads):
        found = by_index.get(h.n, "0" * 64) if h.n else "0" * 64
        if h.n > res.records or h.n < last or (h.n and found != h.h):
            return Break(
                max(h.n - 1, 0),
                h.t,
                found,
                h.h,
                f"{HEADS} line {k + 1}",
                "scan head differs from the chain (or runs back)",
            ), heads
        last = h.n
    return res, heads


def _hashes_at(folder: Path, ns: set[int]) -> dict[int, str]:
    """The hash of record n-1 for each n in ``ns`` (the head after n records)."""
    return {rec.index + 1: rec.hash for rec, _ in read_records(folder / RAW) if rec.index + 1 in ns}


class _Collect(Hooks):
    """The replay's commit: the run's outputs, in the run's own serialisation."""

    def __init__(self) -> None:
        self.lines: list[tuple[float, str]] = []
        self.events: list[Event] = []
        self.incidents: dict[str, Incident] = {}
        self.recommendations: list[Recommendation] = []

    def commit(self, result: StepResult) -> object:
        if not result.final:
            self.lines.extend(
                (result.t, json.dumps(u.to_dict(), separators=(",", ":")) + "\n")
                for u in result.updates
            )
        self.events += result.events
        self.recommendations += result.recommendations
        for inc in result.incidents:
            self.incidents[inc.id] = inc
        return None


def _frame(config: dict[str, Any]) -> LocalFrame:
    f = config["frame"]
    try:
        return LocalFrame(float(f["lat"]), float(f["lon"]), float(f.get("alt_m", 0.0)))
    except (KeyError, TypeError, ValueError) as e:
        raise EvidenceFileError(MANIFEST, 1, f"config.frame: {e}") from None


def build_stages(config: dict[str, Any]) -> StageChain:
    """The run's tracker and analyzer from the recorded configuration."""
    from skywarden import refdata
    from skywarden.airspace import Analyzer, AnalyzerConfig, load_policy, sector_zones
    from skywarden.tracking import Tracker, TrackerConfig

    frame = _frame(config)
    country = str(config.get("country", "US"))
    zones = sector_zones(frame, airports=list(config["airports"]))
    analyzer = Analyzer(
        frame, zones, refdata.border_line(), load_policy(), AnalyzerConfig(country=country)
    )
    return StageChain(Tracker(frame, TrackerConfig()), analyzer, strict=True)


def replay_run(
    folder: Path,
    force: bool = False,
    on_scan: Callable[[int, int], None] | None = None,
) -> Report:
    """Verify and replay a run directory (see the module docstring)."""
    manifest = read_manifest(folder)
    rep = Report(str(folder))
    rep.refusals, rep.warnings = mismatch(manifest["version"], stamp())
    rep.version_refused = bool(rep.refusals)
    config = manifest["config"]
    if config_sha256(config) != manifest["config_sha256"]:
        rep.refusals.append(f"{MANIFEST}: config does not hash to its config_sha256 (edited)")
    now = run_config(
        _frame(config),
        list(config["airports"]),
        str(config["country"]),
    )
    if config_sha256(now) != manifest["config_sha256"]:
        rep.warnings.append(
            "the stages' default configuration (tracker, analyzer or policy) differs from the "
            "recording's; replaying with today's"
        )
    rep.chain, heads = check_chain(folder, manifest)
    if isinstance(rep.chain, Break) or (rep.refusals and not force):
        return rep
    if force:
        rep.warnings += rep.refusals
        rep.refusals = []
    hooks = _Collect()
    scans = list(_read_scans(folder, heads))
    runner = Runner(build_stages(config), hooks, finish=True)

    def stream() -> Iterator[tuple[Scan, bool]]:
        for k, (scan, _) in enumerate(scans):
            if on_scan is not None:
                on_scan(k + 1, len(scans))
            yield scan, False

    runner.run(stream())
    rep.replayed = True
    inputs = {scan.t: rng for scan, rng in scans}
    rep.divergence = _compare_tracks(folder / "tracks.jsonl", hooks.lines, inputs, rep)
    if rep.divergence is None:
        rep.divergence = _compare_incidents(folder / "incidents.json", hooks, rep)
    return rep


def _read_scans(folder: Path, heads: list[Head]) -> Iterator[tuple[Scan, str]]:
    """(scan, "records i..j") per head: the records chained in that scan, parsed."""
    it = read_records(folder / RAW)
    done = 0
    for h in heads:
        dets: list[Detection] = []
        first = done
        while done < h.n:
            rec, where = next(it)
            done += 1
            if rec.kind != Kind.DETECTION:
                continue
            try:
                dets.append(Detection.from_dict(json.loads(rec.raw)))
            except (ValueError, KeyError, TypeError) as e:
                raise EvidenceFileError(
                    folder / RAW, 0, f"{where}: record {rec.index} is not a detection ({e})"
                ) from None
        span = f"records {first}..{done - 1}" if done > first else "no records"
        yield Scan(h.t, dets), span


def _compare_tracks(
    path: Path, lines: list[tuple[float, str]], inputs: dict[float, str], rep: Report
) -> Divergence | None:
    """``tracks.jsonl`` line by line against the replay's lines."""
    if not path.is_file():
        return Divergence(path.name, None, "(missing)", f"{len(lines)} lines")
    n = 0
    with path.open(encoding="utf-8") as f:
        for n, got in enumerate(f, 1):
            if n > len(lines):
                return Divergence(f"{path.name} line {n}", None, got.rstrip("\n"), "(replay ended)")
            t, want = lines[n - 1]
            if got != want:
                return Divergence(
                    f"{path.name} line {n}",
                    t,
                    got.rstrip("\n"),
                    want.rstrip("\n"),
                    inputs.get(t, ""),
                )
    rep.compared["tracks.jsonl lines"] = n
    if n < len(lines):
        t, want = lines[n]
        return Divergence(
            f"{path.name} line {n + 1}", t, "(file ended)", want.rstrip("\n"), inputs.get(t, "")
        )
    return None


def _compare_incidents(path: Path, hooks: _Collect, rep: Report) -> Divergence | None:
    """``incidents.json`` record by record, then as bytes (with the file's own meta)."""
    from skywarden.airspace.io import output_doc, write_output

    if not path.is_file():
        return Divergence(path.name, None, "(missing)", "(replayed)")
    data = path.read_bytes()
    try:
        recorded = json.loads(data)
    except json.JSONDecodeError as e:
        return Divergence(f"{path.name} line {e.lineno}", None, f"not JSON ({e.msg})", "(replayed)")
    doc = output_doc(
        hooks.events, hooks.incidents.values(), hooks.recommendations, recorded.get("meta")
    )
    with tempfile.TemporaryDirectory() as tmp:
        write_output(Path(tmp) / "incidents.json", doc)
        mine = (Path(tmp) / "incidents.json").read_bytes()
    replayed = json.loads(mine)
    for kind in ("events", "incidents", "recommendations"):
        a, b = recorded.get(kind, []), replayed[kind]
        for k in range(max(len(a), len(b))):
            ra = json.dumps(a[k], sort_keys=True) if k < len(a) else "(none)"
            rb = json.dumps(b[k], sort_keys=True) if k < len(b) else "(none)"
            if ra != rb:
                t = (b[k] if k < len(b) else a[k]).get("t") or (b[k] if k < len(b) else a[k]).get(
                    "t_issued"
                )
                return Divergence(f"{path.name} {kind}[{k}]", t, ra, rb)
        rep.compared[f"incidents.json {kind}"] = len(a)
    if mine != data:
        return Divergence(
            f"{path.name} (bytes)",
            None,
            f"sha256 {hashlib.sha256(data).hexdigest()}",
            f"sha256 {hashlib.sha256(mine).hexdigest()}",
        )
    return None


def record_manifest(folder: Path, scenario: Path, writer: RunChainWriter) -> None:
    """After ``skywarden run --evidence``: the manifest of the chain just written."""
    from skywarden.sim import load_scenario

    scn = load_scenario(scenario)
    country = str(getattr(scn.sector, "country", None) or "US")
    config = run_config(scn.frame, list(scn.sector.airports), country)
    writer.close()
    write_manifest(folder, config, writer.chain.count, writer.scans, writer.chain.head)
