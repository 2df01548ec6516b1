"""Load a script of ``bench/`` as a module, for the tests of its pure parts.

The benches are scripts, not a package: each is loaded from its file with ``bench/`` on
``sys.path`` (they import their neighbours, as they do when run)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

BENCH_DIR = Path(__file__).resolve().parents[1] / "bench"


def load_bench(name: str) -> ModuleType:
    """``bench/NAME.py`` as the module ``bench_NAME``."""
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(f"bench_{name}", mod)
    spec.loader.exec_module(mod)
    return mod


def run_bench(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python bench/NAME.py ARGS`` as a user runs it, its output captured as text."""
    return subprocess.run(
        [sys.executable, str(BENCH_DIR / f"{name}.py"), *args], capture_output=True, text=True
    )
