"""pytak, imported once without its start-up warning.

pytak warns at import when ``aiohttp`` (needed only for its TAK Server enrolment and
Marti API clients) is missing. skywarden uses its CoT builders and its UDP/TCP writers,
which need neither, so the warning is noise on every command that touches CoT.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pytak

__all__ = ["pytak"]
