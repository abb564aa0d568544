"""Litestar's compression, started only for an answer worth compressing.

Litestar's `CompressionMiddleware` builds a gzip stream (a `GzipFile` over a buffer) for
every request that accepts gzip, before it knows the answer's size, and closes it unused
when the answer is under `minimum_size`. Here an answer sent whole (one body message) under
`MINIMUM_SIZE` goes out as it is, without that stream (a larger one: below); a streamed
answer goes through Litestar's own wrapper, made when the first body message shows it.

`MINIMUM_SIZE` is 1 KB: below it gzip saves a few hundred bytes at most, less than the
answer's own headers (the security headers alone are about 700 bytes), and costs more CPU
than the rest of a small JSON answer's way out: the till's ticket answer (about 530 bytes)
is sent plain (issue 17, target 4). Pages, panels and reports are well over it.

An answer sent whole and over `MINIMUM_SIZE` (an htmx sale tap's 2.5 KB, a page) is gzipped
in one go and its headers set in place: Litestar's way (a `GzipFile` over a buffer, a sync
flush, a close, then its headers helper) cost about three times as much for the same bytes,
most of it zlib's set-up for a 32 KB window (38 µs for the tap's 2.5 KB, 16 µs with a 4 KB
window, the same 879 bytes out). Streamed answers and other encodings still go through
Litestar's wrapper.

A CSV file sent whole is gzipped at `FILE_LEVEL` (2), not the pages' `PAGE_LEVEL` (3): a
download, not a page a class computer renders; at level 6 zlib's work per byte was most of a
large file's answer (the products report's 24 KB at scale: 0.44 ms for 5.6 KB at level 6,
0.14 ms for 6.6 KB at level 2)."""

from __future__ import annotations

import zlib
from typing import Literal

from litestar.enums import CompressionEncoding
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import Message, Scope, Send
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

MINIMUM_SIZE = 1024
# Pages and other answers made per request: zlib's fast levels (1-3) match without lazy
# evaluation: 3 against 6 on a page of 30 ideas (35 KB) is 132 against 244 µs of CPU for
# 3,940 against 3,684 bytes. Cached public pages are compressed once each, at 6
# (web/page_cache.py).
PAGE_LEVEL = 3
FILE_LEVEL = 2
_FILE_TYPES = (b"text/csv",)


class CompressWhenWorthIt(CompressionMiddleware):
    def create_compression_send_wrapper(
        self,
        send: Send,
        compression_encoding: Literal[CompressionEncoding.BROTLI, CompressionEncoding.GZIP] | str,
        scope: Scope,
    ) -> Send:
        start: Message | None = None
        whole = False  # the answer came in one body message: sent gzipped here, or as it is
        compressing: Send | None = None
        minimum = self.config.minimum_size
        level = self.config.gzip_compress_level

        async def send_wrapper(message: Message) -> None:
            nonlocal start, whole, compressing
            if whole:
                await send(message)
            elif compressing is not None:
                await compressing(message)
            elif message["type"] == "http.response.start":
                start = message
            elif (
                start is not None
                and message["type"] == "http.response.body"
                and not message.get("more_body")
            ):
                whole = True
                state = ScopeState.from_scope(scope)
                if (
                    len(message.get("body", b"")) >= minimum
                    and compression_encoding == "gzip"
                    and not value_or_default(state.is_cached, False)  # stored compressed
                ):
                    gzipped(start, message, _level(start, level))
                    state.response_compressed = True
                await send(start)
                await send(message)
            else:
                compressing = super(CompressWhenWorthIt, self).create_compression_send_wrapper(
                    send, compression_encoding, scope
                )
                if start is not None:
                    await compressing(start)
                await compressing(message)

        return send_wrapper


_REPLACED = (b"content-length", b"content-encoding", b"vary")


def _level(start: Message, level: int) -> int:
    for name, value in start.get("headers") or ():
        if name.lower() == b"content-type":
            return FILE_LEVEL if value.startswith(_FILE_TYPES) else level
    return level


def gzipped(start: Message, message: Message, level: int) -> None:
    """The whole body gzipped (wbits 16 + window: the gzip format) and the start's headers to match:
    as Litestar's wrapper sets them (Content-Encoding, Content-Length, Accept-Encoding added
    to Vary)."""
    plain = message["body"]
    # A window no larger than the body, and a hash table to match: the same bytes out, but
    # zlib's set-up (which for a few KB costs more than compressing them) is a third as dear.
    window = min(max(len(plain).bit_length(), 9), 15)
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + window, window - 8 + (window == 15))
    body = compressor.compress(plain) + compressor.flush()
    vary = "Accept-Encoding"
    headers = []
    for name, value in start.get("headers") or ():
        lowered = name.lower()
        if lowered not in _REPLACED:
            headers.append((name, value))
        elif lowered == b"vary":
            vary = f"{value.decode('latin-1')},{vary}"
    headers += [
        (b"content-encoding", b"gzip"),
        (b"content-length", str(len(body)).encode()),
        (b"vary", vary.encode("latin-1")),
    ]
    start["headers"] = headers
    message["body"] = body
