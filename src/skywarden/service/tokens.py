"""Bearer tokens: HMAC-SHA256-signed ``{sub, role, exp}``, verifiable without a lookup.

A token is ``base64url(json payload) + "." + base64url(HMAC-SHA256(secret, payload))``,
the same construction as a JWT with HS256 but without algorithm negotiation (nothing to
downgrade). The secret lives in the store, so tokens survive a restart; ``exp`` bounds
how long a stolen token is worth anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

DEFAULT_TTL_S = 8 * 3600.0  # one operations-centre shift


class InvalidToken(ValueError):
    """The token is malformed, wrongly signed or expired; says which."""


@dataclass(frozen=True, slots=True)
class Claims:
    sub: str
    role: str
    exp: float


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def issue(secret: str, sub: str, role: str, ttl_s: float = DEFAULT_TTL_S) -> str:
    payload = json.dumps({"sub": sub, "role": role, "exp": time.time() + ttl_s}).encode()
    sig = hmac.new(secret.encode(), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(sig)}"


def verify(secret: str, token: str, now: float | None = None) -> Claims:
    try:
        p64, s64 = token.split(".")
        payload, sig = _unb64(p64), _unb64(s64)
    except (ValueError, TypeError):
        raise InvalidToken("malformed token") from None
    good = hmac.new(secret.encode(), payload, hashlib.sha256).digest()
    if not hmac.compare_digest(sig, good):
        raise InvalidToken("bad signature")
    try:
        d = json.loads(payload)
        claims = Claims(str(d["sub"]), str(d["role"]), float(d["exp"]))
    except (ValueError, KeyError, TypeError):
        raise InvalidToken("malformed payload") from None
    if claims.exp < (time.time() if now is None else now):
        raise InvalidToken("token expired")
    return claims
