"""Reading JSON Lines inputs with errors that name the file and the line.

Bad input must say where it is: a malformed line raises :class:`InputLineError` with
the path, the 1-based line number and what is wrong, instead of a bare traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from skywarden.errors import SkywardenError


class InputLineError(SkywardenError, ValueError):
    """A line of an input file could not be used. Names the file and line."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason


def read_jsonl(path: Path | str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-blank line of a JSON Lines file."""
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputLineError(path, n, f"not JSON: {e.msg}") from None
            if not isinstance(obj, dict):
                raise InputLineError(path, n, f"expected a JSON object, got {type(obj).__name__}")
            yield n, obj
