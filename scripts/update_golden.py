"""Refresh the golden output hashes that tests/test_golden.py checks (issue 13).

The golden test proves "behaviour unchanged" across a refactor: the SHA-256 of every
output file of two fixed commands must stay the same. When a change is *meant* to change
behaviour (a better classifier, a new crossing rule), run this script once, look at the
diff of ``tests/golden/*.json`` and say in the commit message why the outputs moved::

    .venv/bin/python scripts/update_golden.py          # rewrite tests/golden/*.json
    .venv/bin/python scripts/update_golden.py --check  # compare only; exit 1 on change

The cases:

- ``run``: ``skywarden run scenarios/el-paso.yaml --seed 1 --duration 300`` (simulate,
  track, analyze, evaluate);
- ``track``: ``skywarden track`` on ``tests/golden/detections.jsonl.gz`` (30 s of that
  run's detections, with its ``sector.json``), so a tracker change shows on its own.

Wall-clock figures (``evaluation.json``'s ``seconds``) are left out of the hashes.

**The CPU's instruction set is pinned** (``PINNED_CPU``). numpy's SIMD loops and
OpenBLAS's kernels are chosen by the CPU at run time, and they round differently in the
last bits: hashes recorded on an Intel AVX-512 machine failed on an AMD EPYC one with the
same packages (wave 34: only ``tracks.jsonl`` moved; it passed again with OpenBLAS told
``SkylakeX``). The cases run at the AVX2 level (OpenBLAS ``Haswell``, numpy without its
AVX-512 loops), which every x86-64 machine of this kind has, so the hashes are the
code's, not the machine's. On other architectures (aarch64) the numbers differ anyway.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
#: The instruction set the cases run at (module doc): numpy's loops and OpenBLAS's kernels
#: at AVX2 whatever the CPU offers above it.
PINNED_CPU = {
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}
#: Keys whose values are measured time, not behaviour: dropped before hashing.
TIMING_KEYS = frozenset({"seconds"})


@dataclass(frozen=True)
class Case:
    """One command whose output files are hashed."""

    name: str
    args: tuple[str, ...]  # after ``skywarden``; {out} is the output folder

    @property
    def golden(self) -> Path:
        return GOLDEN / f"{self.name}.json"


CASES = (
    Case(
        "run",
        ("run", "scenarios/el-paso.yaml", "--seed", "1", "--duration", "300", "--out", "{out}"),
    ),
    Case("track", ("track", "{out}/detections.jsonl", "--out", "{out}/tracks.jsonl")),
)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file; a JSON document is hashed without its timing keys."""
    data = path.read_bytes()
    if path.suffix == ".json":
        doc = json.loads(data)
        if isinstance(doc, dict) and TIMING_KEYS & doc.keys():
            doc = {k: v for k, v in doc.items() if k not in TIMING_KEYS}
            data = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(data).hexdigest()


def _prepare(case: Case, out: Path) -> None:
    """The fixed input of a case, written into its output folder."""
    if case.name == "track":
        with gzip.open(GOLDEN / "detections.jsonl.gz", "rb") as src:
            (out / "detections.jsonl").write_bytes(src.read())
        shutil.copy(GOLDEN / "sector.json", out / "sector.json")


def run_case(case: Case, out: Path) -> dict[str, str]:
    """Run one case into ``out``; the SHA-256 of each file it wrote, by name."""
    _prepare(case, out)
    before = {p.name for p in out.iterdir()}
    args = [a.replace("{out}", str(out)) for a in case.args]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **PINNED_CPU}
    r = subprocess.run(
        [sys.executable, "-m", "skywarden.cli", *args],
        cwd=ROOT,  # the scenario path is written into the outputs as given
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if r.returncode != 0:
        raise RuntimeError(f"skywarden {' '.join(args)} failed ({r.returncode}):\n{r.stderr}")
    return {p.name: file_sha256(p) for p in sorted(out.iterdir()) if p.name not in before}


def recorded(case: Case) -> dict[str, str]:
    """The hashes stored for ``case`` (empty when none are stored yet)."""
    if not case.golden.exists():
        return {}
    return dict(json.loads(case.golden.read_text())["sha256"])


def write(case: Case, hashes: dict[str, str]) -> None:
    doc = {
        "command": "skywarden " + " ".join(case.args),
        "refresh": "python scripts/update_golden.py",
        "sha256": hashes,
    }
    case.golden.write_text(json.dumps(doc, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare only; exit 1 on a change")
    opts = ap.parse_args(argv)
    changed = 0
    for case in CASES:
        with tempfile.TemporaryDirectory(prefix=f"golden-{case.name}-") as tmp:
            now = run_case(case, Path(tmp))
        old = recorded(case)
        for name in sorted(old.keys() | now.keys()):
            if old.get(name) != now.get(name):
                changed += 1
                was, new = old.get(name, "-")[:12], now.get(name, "-")[:12]
                print(f"{case.name}: {name}: {was} -> {new}")
        if not opts.check:
            write(case, now)
    verb = "differ" if opts.check else "refreshed"
    print(f"{changed} file(s) {verb}" if changed else "golden outputs unchanged")
    return 1 if (changed and opts.check) else 0


if __name__ == "__main__":
    raise SystemExit(main())
