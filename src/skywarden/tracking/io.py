"""Reading JSON Lines inputs with errors that name the file and the line.

Kept for its import path: the reader and its error live in :mod:`skywarden.jsonl`,
the one JSON Lines reader. ``read_jsonl`` here is its strict form on plain objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from skywarden import jsonl
from skywarden.jsonl import InputLineError

__all__ = ["InputLineError", "read_jsonl"]


def read_jsonl(path: Path | str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-blank line; a bad line raises."""
    for line in jsonl.strict(jsonl.read_jsonl(path, jsonl.as_object)):
        yield line.n, line.record
