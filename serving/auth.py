"""Bearer tokens → :class:`~serving.access.Viewer`, with the shared verification code.

Tokens are the transactional service's JWTs, verified by :func:`infra.tokens.verify_token`
(same secret / key, issuer and lifetime rules). A verified token is remembered until it
expires (a bounded dict; its expiry is checked again on every hit), so a client reading many
scorecards pays for the signature check once.
"""

from __future__ import annotations

import threading
import time

from infra.settings import Settings
from infra.tokens import TokenError, TokenExpiredError, verify_token
from serving.access import Viewer
from serving.errors import UnauthenticatedError


class TokenVerifier:
    """Verify tokens (cached until they expire).

    Args:
        settings: the platform settings (``auth.*``).
        cache_size: verified tokens remembered; the cache is emptied when it is full.

    Example:
        >>> TokenVerifier(get_settings()).viewer(token).role  # doctest: +SKIP
        'procurement'
    """

    def __init__(self, settings: Settings, cache_size: int = 4096) -> None:
        self.settings = settings
        self.cache_size = cache_size
        self._cache: dict[str, tuple[Viewer, float]] = {}
        self._lock = threading.Lock()

    def viewer(self, token: str | None) -> Viewer:
        """The caller behind ``token``.

        Raises:
            UnauthenticatedError: no token, or a bad / expired one.
        """
        if not token:
            raise UnauthenticatedError("not authenticated: send `Authorization: Bearer <token>` "
                                       "(a token of the transactional API)")
        hit = self._cache.get(token)
        if hit is not None and hit[1] > time.time():
            return hit[0]
        try:
            claims = verify_token(token, settings=self.settings)
        except TokenExpiredError as exc:
            raise UnauthenticatedError("token has expired; log in again") from exc
        except TokenError as exc:
            raise UnauthenticatedError(str(exc)) from exc
        viewer = Viewer(claims.sub, claims.role, claims.business_unit, claims.supplier_id)
        with self._lock:
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
            self._cache[token] = (viewer, claims.expires_at.timestamp())
        return viewer
