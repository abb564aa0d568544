"""Log lines (logs.py): the web process still writes one line per request, as
`logging.basicConfig` did (time, level, logger, message with the request id), only cheaper:
lines of one event-loop round are written together after it, others at once."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import subprocess
import sys
import time
import uuid

from clustermarket.logs import GatheredStreamHandler, LineFormatter
from clustermarket.settings import PROJECT_ROOT
from tests.conftest import make_client

LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO clustermarket\.requests: "
    r"rid=(?P<rid>[0-9a-f-]{36}) GET /health 200 \d+\.\dms$"
)


def _record(created: float) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "hello"})
    record.created, record.msecs = created, (created - int(created)) * 1000
    return record


def test_the_time_reads_as_the_standard_formatter_writes_it_second_after_second() -> None:
    ours, standard = LineFormatter(), logging.Formatter(LineFormatter().__dict__["_fmt"])
    start = time.time()
    for step in (0, 0.25, 0.999, 1.0, 1.5, 61.001, 3600.7):
        record = _record(start + step)
        assert ours.format(record) == standard.format(record)


async def test_the_app_writes_one_line_per_request_with_its_id_and_route() -> None:
    stream = io.StringIO()
    handler = GatheredStreamHandler(stream)
    handler.setFormatter(LineFormatter())
    requests = logging.getLogger("clustermarket.requests")
    requests.addHandler(handler)
    requests.setLevel(logging.INFO)

    try:
        async with make_client() as client:
            rids = [(await client.get("/health")).headers["x-request-id"] for _ in range(2)]
    finally:
        requests.removeHandler(handler)
        requests.setLevel(logging.NOTSET)
    lines = [line for line in stream.getvalue().splitlines() if "/health" in line]
    assert [LINE.match(line)["rid"] for line in lines] == rids
    assert all(uuid.UUID(rid) for rid in rids)


def test_in_a_loop_lines_wait_for_the_end_of_the_round_and_outside_they_go_at_once() -> None:
    stream = io.StringIO()
    handler = GatheredStreamHandler(stream)
    log = logging.getLogger("tests.gathered")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False

    async def in_a_loop() -> tuple[str, str]:
        log.info("one")
        log.info("two")
        held = stream.getvalue()
        await asyncio.sleep(0)
        return held, stream.getvalue()

    try:
        held, written = asyncio.run(in_a_loop())
        assert held == "" and written == "one\ntwo\n"
        asyncio.run(in_a_loop())  # a new loop: its lines are written after its round too
        assert stream.getvalue() == "one\ntwo\n" * 2
        log.info("three")  # no loop running
        assert stream.getvalue().endswith("two\nthree\n")
    finally:
        log.removeHandler(handler)


def test_a_process_that_configures_logging_writes_the_standard_line_to_standard_error() -> None:
    code = (
        "import asyncio, logging\n"
        "from clustermarket.logs import configure_logging\n"
        "configure_logging()\n"
        "async def main():\n"
        "    logging.getLogger('clustermarket.requests').info('rid=%s %s', 'abc', 'GET /')\n"
        "asyncio.run(main())\n"  # the loop ends at once: the line is written at exit
        "logging.getLogger('clustermarket').debug('not shown')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=True,
        env={"PYTHONPATH": f"{PROJECT_ROOT / 'src'}"},
    )
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO clustermarket\.requests: rid=abc GET /\n",
        done.stderr,
    )
