"""One log line when a service we depend on (the cache, the broker) stops answering, and one when it is back.

A dead Redis fails every call that touches it: logging each failure turned a cache outage into a thousand
tracebacks for a hundred requests, burying the one line that mattered. An `Outage` logs the first failure of an
outage (with its error) and the recovery (with how long it lasted and how many calls failed), nothing in between.
It can also say when to try again (`retry_seconds`), so calls during an outage skip a service that would only make
them wait for a timeout. The state is per process: each web or worker process logs its own two lines.
"""

from __future__ import annotations

import logging
import threading
import time


class Outage:
    def __init__(self, name: str, *, logger: logging.Logger, retry_seconds: float = 0.0):
        self.name = name
        self.logger = logger
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._since: float | None = None  # time.monotonic() of the first failure, None while the service works
        self._next_try = 0.0
        self._failures = 0

    @property
    def down(self) -> bool:
        return self._since is not None

    def should_try(self) -> bool:
        """False while the service is down and was tried less than `retry_seconds` ago (one call then tries)."""
        if self._since is None:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._next_try:
                self._failures += 1  # skipped: it fails as surely as a call would
                return False
            self._next_try = now + self.retry_seconds
            return True

    def failed(self, exc: BaseException) -> None:
        """A call failed: a warning for the first failure of an outage, silence after it."""
        with self._lock:
            self._failures += 1
            self._next_try = time.monotonic() + self.retry_seconds
            if self._since is not None:
                return
            self._since = time.monotonic()
        self.logger.warning("%s is unavailable, going on without it: %s: %s", self.name, type(exc).__name__, exc)

    def reset(self) -> None:
        """Forget the outage without a line (each test starts with a working cache)."""
        with self._lock:
            self._since, self._next_try, self._failures = None, 0.0, 0

    def recovered(self) -> None:
        """A call succeeded: one line if that ends an outage."""
        if self._since is None:  # the common case, without taking the lock
            return
        with self._lock:
            if self._since is None:
                return
            seconds, failures = time.monotonic() - self._since, self._failures
            self._since, self._failures = None, 0
        self.logger.warning("%s is back after %.0f s (%d calls failed or were skipped)", self.name, seconds, failures)
