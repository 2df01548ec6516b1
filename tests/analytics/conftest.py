"""The analytics tests: constructed runs (analytics_build.py, on sys.path from here)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # analytics_build: the tests' run builders
