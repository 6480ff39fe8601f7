"""Per-user rate limits (login attempts, order placement), from settings.

A GCRA limiter ("N per minute, burst N"): O(1) memory per key, thread-safe. Limits are
enforced per server process: with ``--workers 4`` a user can reach at most 4× the limit.
That bounds abuse well enough for this service; a deployment with several hosts would put
the same algorithm behind Redis (the :class:`RateLimiter` protocol is the seam).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol


class RateLimiter(Protocol):
    def hit(self, key: str) -> float | None:
        """Count one request; ``None`` if allowed, else seconds until one would be."""


class GcraLimiter:
    """``per_minute`` requests per key per minute (a full minute's worth may burst)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = max(1, int(per_minute))
        self.interval = 60.0 / self.per_minute
        self.tolerance = 60.0 - self.interval
        self._clock = clock
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def hit(self, key: str) -> float | None:
        now = self._clock()
        with self._lock:
            tat = max(self._tat.get(key, now), now)
            if tat - now > self.tolerance:
                return tat - now - self.tolerance
            self._tat[key] = tat + self.interval
            if now >= self._next_sweep:
                self._tat = {k: v for k, v in self._tat.items() if v > now}
                self._next_sweep = now + 60.0
        return None
