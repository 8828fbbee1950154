"""A logging filter that keeps floods of bad requests from flooding the log.

Every refused request is worth one line, but the internet (and Alexa certification) sends thousands of
the same bad request. :class:`RepeatLimiter` lets the first of each identical warning through, counts
the repeats within a window and reports their number with the next one let through; a cap on all
lines per window stops a stream of *different* bad requests as well. Nothing is lost silently: a
suppressed count always reaches the log with the next line that passes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

__all__ = ["RepeatLimiter"]

#: Distinct messages remembered; beyond this the oldest are forgotten (their counts go to the total).
_MAX_KEYS: Final = 1024


class RepeatLimiter(logging.Filter):
    """Pass the first of identical WARNING-or-worse records per ``window`` seconds, at most ``cap`` in all.

    Records below WARNING pass untouched. A passing record that follows suppressed ones gets
    ``" (N similar lines suppressed before this one)"`` appended to its message.
    """

    def __init__(
        self, window: float = 60.0, cap: int = 50, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.window = window
        self.cap = cap
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, float] = OrderedDict()  # message -> when it last passed
        self._window_start = clock()
        self._passed = 0
        self._suppressed = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = record.getMessage()
        if record.exc_info and record.exc_info[0] is not None:
            key += "|" + record.exc_info[0].__name__
        now = self._clock()
        with self._lock:
            if now - self._window_start >= self.window:
                self._window_start, self._passed = now, 0
            last = self._seen.get(key)
            if (last is not None and now - last < self.window) or self._passed >= self.cap:
                self._suppressed += 1
                return False
            self._seen[key] = now
            self._seen.move_to_end(key)
            while len(self._seen) > _MAX_KEYS:
                self._seen.popitem(last=False)
            self._passed += 1
            suppressed, self._suppressed = self._suppressed, 0
        if suppressed:
            record.msg = f"{record.getMessage()} ({suppressed} similar lines suppressed before this one)"
            record.args = None
        return True
