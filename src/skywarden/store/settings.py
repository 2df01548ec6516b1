"""Small facts kept across restarts, and the token-signing secret (which is *not* one).

The secret used to be a row of the ``settings`` table, readable by anyone who could read
the database file (issue #12 finding 3). It now lives in a 0600 key file or the
environment (``skywarden.store.secret_key``); migration 0003 deletes the old row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from skywarden.store import secret_key
from skywarden.store.schema import Setting


def get(s: Session, key: str, default: Any = None) -> Any:
    r = s.get(Setting, key)
    return default if r is None else r.value


def put(s: Session, key: str, value: Any) -> None:
    s.merge(Setting(key=key, value=value))


def secret(s: Session) -> str:
    """The token-signing key of the database ``s`` is bound to, created on first use.

    Kept under this name so the service's start-up code needs no change; the key comes
    from ``SKYWARDEN_SECRET_KEY``, ``SKYWARDEN_SECRET_KEY_FILE`` or a 0600 file beside
    the database, never from the database itself.
    """
    return secret_key.load(s.get_bind().engine.url)[0]
