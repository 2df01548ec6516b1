"""Bearer tokens: HMAC-SHA256-signed ``{sub, role, ver, exp}``.

A token is ``base64url(json payload) + "." + base64url(HMAC-SHA256(secret, payload))``,
the same construction as a JWT with HS256 but without algorithm negotiation (nothing to
downgrade). The secret lives in a 0600 key file or the environment
(``skywarden.store.secret_key``), so tokens survive a restart but not a key rotation;
``exp`` bounds how long a stolen token is worth anything, and ``ver`` (the user's token
version, checked against the store on every request) lets a password change, disable or
delete revoke every token issued before it.

``exp`` must be a finite number: JSON's ``NaN`` compares false with everything, so a
token with ``exp: NaN`` used to never expire (issue #12).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import time
from dataclasses import dataclass

from skywarden.errors import SkywardenError

DEFAULT_TTL_S = 8 * 3600.0  # one operations-centre shift


class InvalidToken(SkywardenError, ValueError):
    """The token is malformed, wrongly signed or expired; says which."""


@dataclass(frozen=True, slots=True)
class Claims:
    sub: str
    role: str
    exp: float
    ver: int = 0


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a token may carry")


def issue(
    secret: str, sub: str, role: str, ttl_s: float = DEFAULT_TTL_S, *, ver: int = 0
) -> str:
    exp = time.time() + ttl_s
    if not math.isfinite(exp):
        raise ValueError(f"token lifetime {ttl_s!r} s is not finite")
    body = {"sub": sub, "role": role, "ver": int(ver), "exp": exp}
    payload = json.dumps(body, allow_nan=False).encode()
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
        d = json.loads(payload, parse_constant=_no_constant)
        exp, ver = d["exp"], d["ver"]
        if isinstance(exp, bool) or not isinstance(exp, int | float) or not math.isfinite(exp):
            raise ValueError("exp")
        if isinstance(ver, bool) or not isinstance(ver, int):
            raise ValueError("ver")
        claims = Claims(str(d["sub"]), str(d["role"]), float(exp), ver)
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        raise InvalidToken("malformed payload") from None
    if claims.exp < (time.time() if now is None else now):
        raise InvalidToken("token expired")
    return claims
