"""Keeping floods of bad requests from flooding the log.

Every refused request is worth one line, but the internet (and Alexa certification) sends thousands of
the same bad request. :class:`RepeatLimiter` lets the first of each identical line through, drops the
repeats within a window, and caps all lines per window, so a stream of *different* bad requests is
held back too. Nothing disappears without trace: the number dropped is told with the next line let
through.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

__all__ = ["RepeatLimiter"]

#: Distinct lines remembered; beyond this the least recently seen are forgotten.
_MAX_KEYS: Final = 1024


class RepeatLimiter:
    """Decides which log lines to write: identical ones once per ``window`` seconds, ``cap`` in all."""

    def __init__(
        self, window: float = 60.0, cap: int = 50, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window = window
        self.cap = cap
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, float] = OrderedDict()  # line -> when it was last written
        self._window_start = clock()
        self._written = 0
        self._dropped = 0

    def allow(self, line: str) -> int | None:
        """None: drop ``line``. Otherwise write it, noting the returned number of lines dropped before it."""
        now = self._clock()
        with self._lock:
            if now - self._window_start >= self.window:
                self._window_start, self._written = now, 0
            last = self._seen.get(line)
            if (last is not None and now - last < self.window) or self._written >= self.cap:
                self._dropped += 1
                return None
            self._seen[line] = now
            self._seen.move_to_end(line)
            while len(self._seen) > _MAX_KEYS:
                self._seen.popitem(last=False)
            self._written += 1
            dropped, self._dropped = self._dropped, 0
            return dropped

    def suffix(self, dropped: int) -> str:
        """What to append to a line written after ``dropped`` others were not."""
        return f" ({dropped} similar log lines dropped before this one)" if dropped else ""
