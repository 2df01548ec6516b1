"""The one base of every error skywarden raises on purpose.

A caller that wants "anything skywarden refused, but not a bug" catches
:class:`SkywardenError`; the command line turns it into one line and exit 2. Each
concrete error keeps its older built-in base too (``ValueError``, ``KeyError``,
``RuntimeError``...), so code that catches those still works: the classes are declared
as ``class ScanError(SkywardenError, ValueError)``.

This module imports nothing from skywarden, so every layer can use it.
"""

from __future__ import annotations

__all__ = ["SkywardenError"]


class SkywardenError(Exception):
    """Something skywarden was asked to do and refused, with a message naming what and where.

    Its message is written for the operator (file, line, key or option at fault), so it
    is printed as is, without a traceback, unless ``--debug`` is given.
    """
