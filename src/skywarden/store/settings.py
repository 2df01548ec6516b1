"""Small facts kept across restarts, e.g. the secret that signs bearer tokens."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from skywarden.store.schema import Setting


def get(s: Session, key: str, default: Any = None) -> Any:
    r = s.get(Setting, key)
    return default if r is None else r.value


def put(s: Session, key: str, value: Any) -> None:
    s.merge(Setting(key=key, value=value))


def secret(s: Session, key: str = "token_secret") -> str:
    """A random secret created on first use and then kept (tokens outlive restarts)."""
    r = s.get(Setting, key)
    if r is not None:
        return str(r.value)
    value = secrets.token_hex(32)
    try:
        with s.begin_nested():
            s.add(Setting(key=key, value=value))
    except IntegrityError:  # another process created it first
        r = s.get(Setting, key)
        assert r is not None
        return str(r.value)
    return value
