"""Where log lines go: standard error, one line each, as `logging.basicConfig` would write them,

    2026-11-26 21:31:05,123 INFO clustermarket.requests: rid=3f2a… POST /stalls/{id}/sales 200 2.4ms

at a fraction of the cost: the web process writes a line per request (web/request_log.py),
and at a thousand sale taps a second that line was a tenth of a tap's CPU (issue 17, target 4).

- The time is formatted once a second, not once a line (`time.strftime` is most of the cost).
- A record skips what no line shows: the thread, the process and the calling function's
  file and line (the logging HOWTO's "Optimization": `logThreads`, `logProcesses`,
  `logMultiprocessing`, and `_srcfile = None`, which alone saves a third of a line's cost).
- In the event loop, lines are gathered and written together once the loop's current round
  of callbacks is done (one `write` for all the requests that finished in it), off the request's
  way; from any other thread, or with no loop running, a line is written at once.
  `logging.shutdown()` (at exit) writes whatever is still held.

A `QueueHandler` with a `QueueListener` thread was measured too (bench: 12.5 µs a line against
8 µs for the plain handler and about 3 µs here): the thread's hand-over costs more CPU than the
write it moves, and the CPU is the same process's."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HELD_AT_MOST = 256  # lines held before they are written anyway


class LineFormatter(logging.Formatter):
    """`FORMAT`, the time as `logging.Formatter` writes it, its text made once a second."""

    def __init__(self) -> None:
        super().__init__(FORMAT)
        self._second = -1
        self._second_text = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        second = int(record.created)
        if second != self._second:
            self._second_text = time.strftime(self.default_time_format, self.converter(second))
            self._second = second
        return self.default_msec_format % (self._second_text, record.msecs)


class GatheredStreamHandler(logging.StreamHandler):
    """A `StreamHandler` that, inside an event loop, writes the lines of one round together."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._held: list[str] = []
        self._flush_on: asyncio.AbstractEventLoop | None = None

    def emit(self, record: logging.LogRecord) -> None:  # called under the handler's lock
        try:
            self._held.append(self.format(record) + self.terminator)
        except Exception:  # noqa: BLE001 (logging's own rule: a bad record never raises)
            self.handleError(record)
            return
        loop = asyncio._get_running_loop()  # noqa: SLF001 (no exception when there is none)
        if loop is None or len(self._held) >= HELD_AT_MOST:
            self._write_held()
        elif self._flush_on is not loop:  # once a round (a closed loop's call never ran)
            self._flush_on = loop
            loop.call_soon(self.flush)

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._flush_on = None
            self._write_held()

    def _write_held(self) -> None:
        if not self._held:
            return
        lines, self._held = self._held, []
        try:
            self.stream.write("".join(lines))
            if hasattr(self.stream, "flush"):
                self.stream.flush()
        except Exception:  # noqa: BLE001
            self.handleError(logging.makeLogRecord({"msg": f"{len(lines)} lines not written"}))


def configure_logging(stream: TextIO | None = None) -> None:
    """INFO and above from every logger to standard error (or `stream`): what
    `logging.basicConfig(level=INFO, format=FORMAT)` did, cheaper, and like it nothing at
    all when the root logger has a handler already (set up by whoever runs the app)."""
    root = logging.getLogger()
    if root.handlers:
        return
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # noqa: SLF001 (the HOWTO's way: no walk up the stack per line)
    handler = GatheredStreamHandler(stream or sys.stderr)
    handler.setFormatter(LineFormatter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
