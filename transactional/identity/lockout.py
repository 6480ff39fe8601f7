"""Login lockout: exponential backoff per account *and client*, plus a per-client limit.

Guessing a password is slowed at two levels, neither of which lets a stranger lock a real
user out:

* per ``(username, client address)``: after ``free_failures`` failures in a row, each
  further failure locks that pair for ``base_s * 2**k`` seconds, capped at ``max_s``; while
  locked no password is even checked; a success clears it. An attacker therefore locks
  only *their own* address out of the account: the real user, from elsewhere, is not
  affected at all;
* per client address: at most ``ip_per_minute`` attempts (any usernames), a GCRA limit, so
  spraying many accounts from one place is slow too.

There is deliberately no account-wide lock: whoever can reach the login endpoint from many
addresses could keep it locked forever. A distributed guesser gets ``free_failures`` quick
tries per address, then exponentially fewer; MFA (``identity/mfa.py``) is what protects
the accounts that matter even if a password falls.

State lives in the server process (like ``api/ratelimit.py``): with N workers an attacker
gets at most N times the attempts. Pure logic with an injectable clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Backoff:
    failures: int = 0
    locked_until: float = 0.0


@dataclass(frozen=True)
class Refusal:
    """Why a login attempt is refused before its password is checked."""

    reason: str  # "locked" | "client_rate"
    retry_after_s: float


class LoginGuard:
    """The login throttles of one process (see the module docstring)."""

    def __init__(self, *, free_failures: int = 5, base_s: float = 1.0, max_s: float = 900.0,
                 ip_per_minute: int = 60, size: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free_failures = free_failures
        self.base_s = base_s
        self.max_s = max_s
        self.ip_interval = 60.0 / max(1, ip_per_minute)
        self.ip_tolerance = 60.0 - self.ip_interval
        self.size = size
        self._clock = clock
        self._pairs: dict[tuple[str, str], _Backoff] = {}
        self._ip_tat: dict[str, float] = {}
        self._lock = threading.Lock()

    def check(self, username: str, client: str | None) -> Refusal | None:
        """Count one attempt; a :class:`Refusal` when it must not even be checked."""
        user, ip = username.lower(), client or "-"
        now = self._clock()
        with self._lock:
            pair = self._pairs.get((user, ip))
            if pair is not None and pair.locked_until > now:
                return Refusal("locked", pair.locked_until - now)
            tat = max(self._ip_tat.get(ip, now), now)
            if tat - now > self.ip_tolerance:
                return Refusal("client_rate", tat - now - self.ip_tolerance)
            self._ip_tat[ip] = tat + self.ip_interval
        return None

    def failed(self, username: str, client: str | None) -> float:
        """Record a failed attempt; returns the lock it starts for this pair (0: none)."""
        user, ip = username.lower(), client or "-"
        now = self._clock()
        with self._lock:
            self._sweep(now)
            pair = self._pairs.setdefault((user, ip), _Backoff())
            pair.failures += 1
            lock = self.lock_for(pair.failures)
            pair.locked_until = now + lock
            return lock

    def succeeded(self, username: str, client: str | None) -> None:
        """A successful login clears its pair's backoff."""
        user, ip = username.lower(), client or "-"
        with self._lock:
            self._pairs.pop((user, ip), None)

    def lock_for(self, failures: int) -> float:
        """The lock after ``failures`` failures in a row: 0 up to ``free_failures``, then
        ``base_s``, doubling each time, capped at ``max_s``."""
        if failures <= self.free_failures:
            return 0.0
        return min(self.max_s, self.base_s * 2.0 ** (failures - self.free_failures - 1))

    def _sweep(self, now: float) -> None:
        """Bound memory: forget idle entries once the tables grow past ``size``."""
        if len(self._pairs) + len(self._ip_tat) <= self.size:
            return
        horizon = now - self.max_s
        self._pairs = {k: v for k, v in self._pairs.items() if v.locked_until > horizon}
        self._ip_tat = {k: v for k, v in self._ip_tat.items() if v > now}
