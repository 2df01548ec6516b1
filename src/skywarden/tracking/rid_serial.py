"""ANSI/CTA-2063-A serial numbers, as Remote ID (ASTM F3411 Basic ID, ID type 1) carries them.

ANSI/CTA-2063-A "Small Unmanned Aerial Systems Serial Numbers" (2019), section 4:

- a 4-character manufacturer code assigned by ICAO (digits and upper-case letters
  except O and I);
- one length character: ``1``-``9`` then ``A``-``F``, the length 1-15 of the serial
  that follows;
- the manufacturer's serial of exactly that length, from the same character set.

So a serial is 6 to 20 characters, e.g. ``1581F`` + 15 characters. A serial that breaks
the rules is not a typo in a certified broadcaster: the Basic ID message is generated
by the drone's firmware or module, so a malformed one is made up.
"""

from __future__ import annotations

#: The characters the standard allows: digits and upper-case Latin letters, no O nor I.
SERIAL_CHARS = frozenset("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")
LENGTH_CHARS = "123456789ABCDEF"  # length 1..15
MANUFACTURER_CODE_LEN = 4


def serial_problem(serial: str) -> str | None:
    """What breaks ANSI/CTA-2063-A in ``serial``, in words; ``None`` if it is well formed.

    >>> serial_problem("1581F5FKD0123456789") is None
    False
    >>> serial_problem("1581E0123456789ABCD") is None
    True
    """
    if len(serial) < MANUFACTURER_CODE_LEN + 2:
        return f"serial {serial!r} is {len(serial)} characters, fewer than the 6 of the shortest"
    bad = sorted({c for c in serial if c not in SERIAL_CHARS})
    if bad:
        return f"serial {serial!r} holds {''.join(bad)!r}, outside ANSI/CTA-2063-A's characters"
    code = serial[MANUFACTURER_CODE_LEN]
    if code not in LENGTH_CHARS:
        return f"serial {serial!r}: length character {code!r} is not 1-F"
    want = LENGTH_CHARS.index(code) + 1
    got = len(serial) - MANUFACTURER_CODE_LEN - 1
    if got != want:
        return f"serial {serial!r}: length character {code!r} says {want}, serial has {got}"
    return None
