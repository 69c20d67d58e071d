"""This file defines the login rate limit: after N failed attempts for one (address, username) in a window,
further attempts are refused until the oldest failure leaves the window.

In memory, per process: with gunicorn's W workers an attacker gets at most W × N guesses per window, which
is the documented bound (LOGIN_MAX_FAILURES, default 5; LOGIN_WINDOW_SECONDS, default 300). A success
clears the counter. Keyed by address *and* username so that one office behind a NAT does not lock out
its colleagues, and one account is not locked by strangers elsewhere.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

Key = tuple[str, str]


class LoginLimiter:
    def __init__(self, max_failures: int = 5, window_seconds: int = 300,
                 clock: Callable[[], float] = time.monotonic):
        self.max_failures, self.window, self.clock = max_failures, window_seconds, clock
        self._failures: dict[Key, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: Key, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def retry_after(self, key: Key) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            if len(times) < self.max_failures:
                return 0
            return max(1, int(self.window - (now - times[0]) + 0.999))

    def failed(self, key: Key) -> None:
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times

    def succeeded(self, key: Key) -> None:
        with self._lock:
            self._failures.pop(key, None)
