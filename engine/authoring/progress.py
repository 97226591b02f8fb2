"""A progress line for long CLI work (batch grading, mutation testing, the course build).

On a terminal one line is rewritten in place: count, percent, elapsed and time left. Piped (CI
logs, `| tee`), it prints a plain line at each tenth of the way and at the end, so a log shows
that work goes on without thousands of lines. Standard library only: this is all it needs.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}" if whole >= 60 else f"{whole}s"


class Progress:
    """Counts `total` steps of `label`; `step()` after each, `done()` at the end."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None,
                 live: bool | None = None) -> None:
        self.label = label
        self.total = max(0, total)
        self.count = 0
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.started = time.monotonic()
        self._last_tenth = 0
        self._width = 0

    def line(self, note: str = "") -> str:
        """The progress line as it would be shown now."""
        elapsed = time.monotonic() - self.started
        percent = 100 * self.count // self.total if self.total else 100
        text = f"{self.label}: {self.count}/{self.total} ({percent}%) {_clock(elapsed)}"
        if 0 < self.count < self.total:
            text += f", about {_clock(elapsed / self.count * (self.total - self.count))} left"
        return f"{text}  {note}".rstrip()

    def step(self, note: str = "") -> None:
        """One more step done; `note` names it (e.g. the file just graded)."""
        self.count = min(self.total, self.count + 1)
        if self.live:
            text = self.line(note)
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
            self.stream.flush()
            return
        tenth = 10 * self.count // self.total if self.total else 10
        if tenth > self._last_tenth and self.count < self.total:
            self._last_tenth = tenth
            print(self.line(), file=self.stream, flush=True)

    def clear(self) -> None:
        """Blank the live line, so a line printed to the same terminal (a batch's rows on
        stdout) does not run into it; the next step() draws it again. Piped: nothing to do."""
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def done(self) -> None:
        """The final line (always printed, so a log ends with the total and the time)."""
        text = self.line()
        if self.live:
            self.stream.write("\r" + text.ljust(self._width) + "\n")
        else:
            print(text, file=self.stream)
        self.stream.flush()
