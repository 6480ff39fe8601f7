"""Payment provider callbacks: HMAC-SHA256 signatures over the timestamp and the raw body.

Header ``X-Provider-Signature: t=<unix seconds>,v1=<hex>`` where
``hex = HMAC-SHA256(secret, f"{t}.".encode() + raw_body)``. A callback is accepted only when
a ``v1`` matches (constant-time comparison; several ``v1`` entries are allowed during a
secret rotation) and ``t`` is within the tolerance of now, so a captured request cannot be
replayed later; within the window, replays are harmless anyway because events are
idempotent by their provider event id.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from transactional.domain.errors import UnauthenticatedError

HEADER = "X-Provider-Signature"


class BadSignatureError(UnauthenticatedError):
    """Missing, malformed, wrong or expired signature (HTTP 401)."""

    code = "bad_signature"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value a provider sends for ``body``.

    Example:
        >>> sign("s3cret", b"{}", 1700000000)
        't=1700000000,v1=97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf'
    """
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify(secret: str, header: str | None, body: bytes, *, tolerance_s: int,
           now: float | None = None) -> int:
    """Check a callback's signature; returns its timestamp.

    Raises:
        BadSignatureError: missing / malformed header, no matching ``v1``, or a timestamp
            outside ``tolerance_s`` of ``now``.
    """
    if not header:
        raise BadSignatureError(f"missing {HEADER} header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise BadSignatureError(f"malformed {HEADER} header")
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise BadSignatureError("signature does not match")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        raise BadSignatureError("signature timestamp outside the replay window")
    return timestamp
