"""Every CSV download goes through `csv_download`: a streamed response written a batch of
rows at a time, so a large file never sits in memory as one string; or, for lines already
written as CSV text (`CsvLines`, every row in memory anyway), one whole body: a stream's
steps per chunk (and the compression middleware's gzip stream around them) cost more than a
few hundred rows' writing, and a whole body is gzipped in one go (`web/compression.py`)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from itertools import islice
from typing import Any

from litestar import Response
from litestar.response import Stream

ROWS_PER_CHUNK = 500
_MEDIA_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@")


def spreadsheet_safe(text: str) -> str:
    """A cell starting with = + - @ would be a formula in a spreadsheet: quote it away."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


class CsvLines(list[str]):
    """Rows already written as CSV lines (cells quoted as the csv writer would, no line
    ends): sent as one body."""


class _Line:
    """What the csv writer wrote (to `buffer` itself: a write per row through a method of
    ours cost a Python call each), handed back a chunk at a time."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def take(self) -> bytes:
        data = self.buffer.getvalue().encode("utf-8")
        self.buffer.seek(0)
        self.buffer.truncate()
        return data


async def _chunks(
    header: list[str], rows: Iterable[Sequence[Any]] | AsyncIterable[Sequence[Any]]
) -> AsyncIterator[bytes]:
    out = _Line()
    writer = csv.writer(out.buffer)
    writer.writerow(header)
    if isinstance(rows, AsyncIterable):
        count = 0
        async for row in rows:
            writer.writerow(row)
            count += 1
            if count % ROWS_PER_CHUNK == 0:
                yield out.take()
    else:
        rows = iter(rows)
        while chunk := list(islice(rows, ROWS_PER_CHUNK)):
            writer.writerows(chunk)  # a chunk's rows in one call
            yield out.take()
    yield out.take()


def csv_download(
    filename: str,
    header: list[str],
    rows: CsvLines | Iterable[Sequence[Any]] | AsyncIterable[Sequence[Any]],
) -> Response | Stream:
    """A `text/csv` attachment: the header line, then `rows` as they come (streamed), or
    `CsvLines` after it in one body."""
    headers = {"content-disposition": f'attachment; filename="{filename}"'}
    if isinstance(rows, CsvLines):
        out = _Line()
        csv.writer(out.buffer).writerow(header)
        out.buffer.write("\r\n".join(rows))
        if rows:
            out.buffer.write("\r\n")
        return Response(out.take(), media_type=_MEDIA_TYPE, headers=headers)
    return Stream(_chunks(header, rows), media_type=_MEDIA_TYPE, headers=headers)
