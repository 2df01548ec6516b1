"""The one base and the one loader of skywarden's YAML files (scenario, policy, plan, what-if).

Each file type keeps its own schema and its own error class (which names the file and
the key at fault, as the command line prints it); what they share lives here once:

- :class:`StrictModel`: unknown keys are refused (a misspelt key is an error, not a
  silently ignored setting) and a loaded configuration is frozen;
- :func:`load_yaml`: read the file as UTF-8 and parse it, raising :class:`YamlFileError`
  with where it failed (``line L, column C`` for a syntax error) and why; the caller
  turns it into its own error class (``e.path``, ``e.where``, ``e.reason``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from skywarden.errors import SkywardenError

__all__ = ["StrictModel", "YamlFileError", "load_yaml"]


class StrictModel(BaseModel):
    """A configuration section: unknown keys are errors, values are frozen once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class YamlFileError(SkywardenError, ValueError):
    """A YAML file cannot be read or parsed. ``where`` is ``""`` or ``line L, column C``."""

    def __init__(self, path: str, where: str, reason: str) -> None:
        super().__init__(f"{path}: {where + ': ' if where else ''}{reason}")
        self.path = path
        self.where = where
        self.reason = reason


def load_yaml(path: str | Path) -> Any:
    """The document of a YAML file (any YAML value: the caller checks its shape)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise YamlFileError(str(p), "", f"cannot read: {reason}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).replace("\n", " ")
        raise YamlFileError(str(p), where, f"not valid YAML: {problem}") from None
