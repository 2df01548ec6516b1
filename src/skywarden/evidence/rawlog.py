"""The chain in a run directory: ``raw.jsonl`` (records), ``heads.jsonl`` (per scan).

``raw.jsonl`` holds one chained record per line, in chain order::

    {"i": 0, "t": 1770778800.0, "kind": "detection", "raw": "<the line as received>",
     "h": "<hex SHA-256 of the link>"}

``raw`` is the record's bytes as UTF-8 text; bytes that are not UTF-8 are written as
``raw_b64`` (base64) instead. ``t`` is the receive time: the scan the stage loop accepted
the record in. ``heads.jsonl`` has one line per scan, ``{"t", "n", "h"}``: the scan's
time, the records chained so far and the chain head after them. The heads are the
scan boundaries a replay needs (a scan without records still moves the tracker's clock)
and a second check on the chain: each must equal the recomputed head at ``n``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from skywarden.errors import SkywardenError
from skywarden.evidence.chain import Chain, Kind, Record

RAW = "raw.jsonl"
HEADS = "heads.jsonl"
KIND_NAMES = {
    Kind.OPERATOR_ACTION: "operator_action",
    Kind.DETECTION: "detection",
    Kind.TRACK_UPDATE: "track_update",
    Kind.REJECTED: "rejected",
}
KIND_OF = {v: k for k, v in KIND_NAMES.items()}


class EvidenceFileError(SkywardenError, ValueError):
    """An evidence file that cannot be read; names the file, the line and why."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path, self.line, self.reason = str(path), line, reason


@dataclass(frozen=True, slots=True)
class Head:
    """The chain head after one scan: scan time, records so far, head (hex)."""

    t: float
    n: int
    h: str


def record_line(rec: Record) -> str:
    """One ``raw.jsonl`` line (with its newline): what ``json.dumps`` of the record's
    dict writes, formatted directly (five times faster: this runs once per record)."""
    kind = KIND_NAMES[Kind(rec.kind)]
    try:
        text = json.dumps(rec.raw.decode("utf-8"))
    except UnicodeDecodeError:
        b64 = base64.b64encode(rec.raw).decode("ascii")
        return (
            f'{{"i":{int(rec.index)},"t":{float(rec.t)!r},"kind":"{kind}",'
            f'"raw_b64":"{b64}","h":"{rec.hash}"}}\n'
        )
    return (
        f'{{"i":{int(rec.index)},"t":{float(rec.t)!r},"kind":"{kind}",'
        f'"raw":{text},"h":"{rec.hash}"}}\n'
    )


def parse_record(line: str, path: Path | str, n: int) -> Record:
    """A ``raw.jsonl`` line back to its :class:`Record`; errors name the file and line."""
    try:
        d = json.loads(line)
        if "raw" in d:
            raw = str(d["raw"]).encode("utf-8")
        else:
            raw = base64.b64decode(str(d["raw_b64"]), validate=True)
        kind = KIND_OF[str(d["kind"])]
        return Record(int(d["i"]), float(d["t"]), kind, raw, str(d["h"]))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, binascii.Error) as e:
        what = f"missing field {e}" if isinstance(e, KeyError) else str(e)
        raise EvidenceFileError(path, n, f"not a chain record ({what})") from None


def read_records(path: Path) -> Iterator[tuple[Record, str]]:
    """The records of a ``raw.jsonl`` with where each is (``raw.jsonl line N``)."""
    if not path.is_file():
        raise EvidenceFileError(path, 0, "no such file (was the run made with --evidence?)")
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                yield parse_record(line, path, n), f"{path.name} line {n}"


def read_heads(path: Path) -> list[Head]:
    if not path.is_file():
        raise EvidenceFileError(path, 0, "no such file")
    out: list[Head] = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                out.append(Head(float(d["t"]), int(d["n"]), str(d["h"])))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
                raise EvidenceFileError(path, n, f"not a chain head ({e})") from None
    return out


class RunChainWriter:
    """Chains a run's raw records into ``raw.jsonl`` and ``heads.jsonl`` as they arrive."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.chain = Chain()
        self.scans = 0
        self._raw: IO[str] = (folder / RAW).open("w", encoding="utf-8")
        self._heads: IO[str] = (folder / HEADS).open("w", encoding="utf-8")

    def scan(self, t: float, lines: Sequence[str], kind: Kind = Kind.DETECTION) -> None:
        """One scan's records (text lines, a trailing newline is not part of the record)."""
        append = self.chain.append
        self._raw.writelines(
            record_line(append(t, kind, ln.rstrip("\n").encode("utf-8"))) for ln in lines
        )
        self._heads.write(
            json.dumps({"t": t, "n": self.chain.count, "h": self.chain.head}, separators=(",", ":"))
            + "\n"
        )
        self.scans += 1

    def close(self) -> None:
        self._raw.close()
        self._heads.close()

    def __enter__(self) -> RunChainWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
