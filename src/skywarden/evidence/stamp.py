"""Which code and which configuration produced a chain: the replay's precondition.

A replay proves byte-identical outputs only for the same stages with the same settings.
The stamp records the skywarden version, a SHA-256 over the package's own source and
data files (so an edited checkout with an unchanged version number is still noticed),
and the Python and NumPy versions (floating point can move between them). The
configuration is whatever the stages were built from, hashed canonically.
"""

from __future__ import annotations

import dataclasses
import hashlib
import platform
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from skywarden.evidence.canonical import canonical

_PACKAGE = Path(__file__).resolve().parent.parent
_SUFFIXES = {".py", ".yaml", ".json", ".geojson", ".csv", ".gz"}
_SKIP = {"__pycache__", "static"}


@cache
def code_sha256() -> str:
    """SHA-256 over (relative path, bytes) of every source and data file of skywarden."""
    h = hashlib.sha256()
    for p in sorted(_PACKAGE.rglob("*")):
        rel = p.relative_to(_PACKAGE)
        if p.suffix not in _SUFFIXES or _SKIP & set(rel.parts) or not p.is_file():
            continue
        name = rel.as_posix().encode()
        data = p.read_bytes()
        h.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def stamp() -> dict[str, str]:
    """The version record written with every chain."""
    import numpy as np

    from skywarden import __version__

    return {
        "skywarden": __version__,
        "code_sha256": code_sha256(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def config_sha256(config: Any) -> str:
    return hashlib.sha256(canonical(config)).hexdigest()


def mismatch(recorded: dict[str, Any], now: dict[str, str]) -> tuple[list[str], list[str]]:
    """(refusals, warnings) comparing a recorded stamp with this one: another skywarden
    version refuses (its stages may differ on purpose); other code, Python or NumPy
    only warns (the replay itself then shows whether the outputs moved)."""
    refuse, warn = [], []
    if recorded.get("skywarden") != now["skywarden"]:
        refuse.append(
            f"recorded with skywarden {recorded.get('skywarden')!r}, this is "
            f"{now['skywarden']!r}: replay with the same version"
        )
    for key, what in (("code_sha256", "source code"), ("python", "Python"), ("numpy", "NumPy")):
        if recorded.get(key) != now[key]:
            warn.append(f"{what} differs from the recording: {recorded.get(key)} -> {now[key]}")
    return refuse, warn


def plain(x: Any) -> Any:
    """A settings object as JSON values (dataclasses field by field, mappings, sequences;
    anything else by ``str``), so it can be hashed and written."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: plain(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if isinstance(x, Mapping):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, set, frozenset)):
        items = [plain(v) for v in x]
        return sorted(items, key=repr) if isinstance(x, (set, frozenset)) else items
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    return str(x)
