"""pytak, imported once without its start-up warning.

pytak warns at import when ``aiohttp`` (needed only for its TAK Server enrolment and
Marti API clients) is missing. skywarden uses its CoT builders and its UDP/TCP writers,
which need neither, so the warning is noise on every command that touches CoT.
Its INFO log lines are turned down to warnings for the same reason.
"""

from __future__ import annotations

import logging
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pytak

# pytak logs every worker start at INFO on its own handler; the service's log is ours
logging.getLogger("pytak").setLevel(logging.WARNING)

__all__ = ["pytak"]
