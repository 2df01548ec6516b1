"""The quarantine record and its named reasons, for the parsers: see :mod:`skywarden.rejection`."""

from __future__ import annotations

from skywarden.rejection import Reason, RejectedMessage, Rejection

__all__ = ["Reason", "RejectedMessage", "Rejection"]
