"""Litestar's compression, started only for an answer worth compressing.

Litestar's `CompressionMiddleware` builds a gzip stream (a `GzipFile` over a buffer) for
every request that accepts gzip, before it knows the answer's size, and closes it unused
when the answer is under `minimum_size`. Here an answer sent whole (one body message) under
`MINIMUM_SIZE` goes out as it is, without that stream; anything else goes through
Litestar's own wrapper, made when the first body message shows it is needed.

`MINIMUM_SIZE` is 1 KB: below it gzip saves a few hundred bytes at most, less than the
answer's own headers (the security headers alone are about 700 bytes), and costs more CPU
than the rest of a small JSON answer's way out: the till's ticket answer (about 530 bytes)
is sent plain (issue 17, target 4). Pages, panels and reports are well over it."""

from __future__ import annotations

from typing import Literal

from litestar.enums import CompressionEncoding
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import Message, Scope, Send

MINIMUM_SIZE = 1024


class CompressWhenWorthIt(CompressionMiddleware):
    def create_compression_send_wrapper(
        self,
        send: Send,
        compression_encoding: Literal[CompressionEncoding.BROTLI, CompressionEncoding.GZIP] | str,
        scope: Scope,
    ) -> Send:
        start: Message | None = None
        plain = False  # sent as it is: a small answer in one body message
        compressing: Send | None = None
        minimum = self.config.minimum_size

        async def send_wrapper(message: Message) -> None:
            nonlocal start, plain, compressing
            if plain:
                await send(message)
            elif compressing is not None:
                await compressing(message)
            elif message["type"] == "http.response.start":
                start = message
            elif (
                start is not None
                and message["type"] == "http.response.body"
                and not message.get("more_body")
                and len(message.get("body", b"")) < minimum
            ):
                plain = True
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
