"""Stream what the learner's code prints: stdout and stderr, in order, batched, capped."""

from __future__ import annotations

import time
from collections.abc import Callable

Emit = Callable[[str, str], None]

OUTPUT_LIMIT = 200_000
FLUSH_CHARS = 4096
FLUSH_SECONDS = 0.05
BURST = 8  # messages sent at once per FLUSH_SECONDS window before writes are batched

_str, _type, _len = str, type, len
_perf_counter = time.perf_counter


class Console:
    """The shared buffer behind both streams, so the page sees writes in the order they were made.

    Text goes out through ``emit(stream, text)`` at each line end for the first few lines of every 50 ms
    (so a print just before a long loop is on the page, and still there if the worker has to be
    replaced to stop it); beyond that burst, writes wait until 4 KB are buffered or the next
    window starts (one message per print of a flood would swamp the page), and the rest goes at
    the end. After ``limit`` characters the rest is only counted (``dropped``)."""

    def __init__(self, emit: Emit, limit: int = OUTPUT_LIMIT) -> None:
        self.emit = emit
        self.limit = limit
        self.kept = 0
        self.dropped = 0
        self.pending: list[tuple[str, str]] = []  # (stream, text), consecutive streams merged
        self.pending_chars = 0
        self.window_start = _perf_counter()
        self.sent_in_window = 0

    def write(self, stream: str, text: str) -> None:
        room = self.limit - self.kept
        if room < _len(text):
            self.dropped += _len(text) - max(room, 0)
            text = text[:max(room, 0)]
        if not text:
            return
        self.kept += _len(text)
        if self.pending and self.pending[-1][0] == stream:
            self.pending[-1] = (stream, self.pending[-1][1] + text)
        else:
            self.pending.append((stream, text))
        self.pending_chars += _len(text)
        now = _perf_counter()
        if now - self.window_start >= FLUSH_SECONDS:
            self.window_start, self.sent_in_window = now, 0
        if (self.sent_in_window < BURST and text[-1] == "\n") or self.pending_chars >= FLUSH_CHARS:
            self.flush()

    def flush(self) -> None:
        pending, self.pending, self.pending_chars = self.pending, [], 0
        self.sent_in_window += _len(pending)
        for stream, text in pending:
            self.emit(stream, text)


class Stream:
    """``sys.stdout`` or ``sys.stderr`` while learner code runs: a text sink writing to a Console."""

    def __init__(self, console: Console, name: str) -> None:
        self.console = console
        self.name = name

    def write(self, text: object) -> int:
        text = text if _type(text) is _str else _str(text)
        self.console.write(self.name, text)  # type: ignore[arg-type]
        return _len(text)  # type: ignore[arg-type]

    def flush(self) -> None:
        pass  # the console decides when text goes out

    def isatty(self) -> bool:
        return False


def discard(stream: str, text: str) -> None:
    """An ``emit`` that drops everything (the compare run's output is not shown)."""
