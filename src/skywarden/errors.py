"""The one base of every error skywarden raises on purpose.

A caller that wants "anything skywarden refused, but not a bug" catches
:class:`SkywardenError`; the command line turns it into one line and exit 2. Each
concrete error keeps its older built-in base too (``ValueError``, ``KeyError``,
``RuntimeError``...), so code that catches those still works: the classes are declared
as ``class ScanError(SkywardenError, ValueError)``.

Its sibling :class:`GuessWarning` is for the other kind of surprise (issue 14, "no silent
guesses"): skywarden went on, but on a value it guessed (a frame origin, a sector's
airports), and says which value and which option or file sets it instead.

This module imports nothing from skywarden, so every layer can use it.
"""

from __future__ import annotations

import warnings

__all__ = ["GuessWarning", "SkywardenError", "warn_guess"]


class SkywardenError(Exception):
    """Something skywarden was asked to do and refused, with a message naming what and where.

    Its message is written for the operator (file, line, key or option at fault), so it
    is printed as is, without a traceback, unless ``--debug`` is given.
    """


class GuessWarning(UserWarning):
    """skywarden guessed a value the input did not give; the message names how to set it."""


def warn_guess(message: str) -> None:
    """Say once (per message) that a value was guessed: what, the guess, the option or file.

    A :mod:`warnings` warning, so a library caller can filter or raise it; the command
    line prints it as one ``warning:`` line.
    """
    warnings.warn(message, GuessWarning, stacklevel=3)
