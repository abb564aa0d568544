"""Compression (web/compression.py): an answer under 1 KB goes plain, without Litestar's gzip
stream being made for it; larger answers and streamed ones are gzipped as before. The
security headers (web/security.py) stay on every answer, a route's own header standing."""

import gzip

from litestar import Litestar, Response, get
from litestar.config.compression import CompressionConfig
from litestar.response import Stream
from litestar.testing import AsyncTestClient

from clustermarket.web.compression import (
    FILE_LEVEL,
    MINIMUM_SIZE,
    PAGE_LEVEL,
    CompressWhenWorthIt,
    gzipped,
)
from clustermarket.web.security import CONTENT_SECURITY_POLICY, security_headers

SMALL = "x" * 600  # over Litestar's default minimum (500), under ours
LARGE = "y" * (MINIMUM_SIZE + 1)
FILE = "".join(f"Team {n % 7},Jam no. {n * 37 % 1000},{n % 9}.50,{n % 40}\r\n" for n in range(900))


@get("/small", media_type="text/plain")
async def small() -> str:
    return SMALL


@get("/large", media_type="text/plain")
async def large() -> str:
    return LARGE


@get("/varies", media_type="text/html")
async def varies() -> Response:
    return Response(LARGE, headers={"vary": "HX-Request", "content-length": "1"})


@get("/stream", media_type="text/plain")
async def stream() -> Stream:
    return Stream(iter([b"a" * 10, b"b" * 10]))


@get("/file")
async def file() -> Response:
    return Response(FILE, media_type="text/csv; charset=utf-8")


@get("/own-policy", media_type="text/plain")
async def own_policy() -> str:
    from litestar import Response

    return Response("framed", headers={"content-security-policy": "sandbox"})  # type: ignore


def _app() -> Litestar:
    config = CompressionConfig(
        backend="gzip",
        minimum_size=MINIMUM_SIZE,
        middleware_class=CompressWhenWorthIt,
        gzip_compress_level=PAGE_LEVEL,  # as server.py
    )
    return Litestar(
        [small, large, varies, stream, file, own_policy],
        compression_config=config,
        before_send=[security_headers(https=False)],
        openapi_config=None,
    )


async def _raw(client: AsyncTestClient, path: str):
    """The answer's headers and its body as sent (not decompressed by the client)."""
    async with client.stream("GET", path, headers={"accept-encoding": "gzip"}) as answer:
        return answer.headers, b"".join([part async for part in answer.aiter_raw()])


async def test_an_answer_under_a_kilobyte_goes_plain_and_larger_ones_gzipped() -> None:
    async with AsyncTestClient(app=_app()) as client:
        headers, body = await _raw(client, "/small")
        assert "content-encoding" not in headers and body == SMALL.encode()
        assert headers["content-length"] == str(len(SMALL))
        headers, body = await _raw(client, "/large")
        assert (
            headers["content-encoding"] == "gzip" and "accept-encoding" in headers["vary"].lower()
        )
        assert gzip.decompress(body) == LARGE.encode()
        headers, body = await _raw(client, "/stream")  # streamed: compressed as it goes
        assert headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == b"a" * 10 + b"b" * 10


async def test_every_answer_has_the_security_headers_and_a_routes_own_stands() -> None:
    async with AsyncTestClient(app=_app()) as client:
        for path in ("/small", "/large", "/stream", "/no-such-page"):
            headers, _ = await _raw(client, path)
            assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
            assert headers["x-frame-options"] == "DENY", path
        headers, _ = await _raw(client, "/own-policy")
        assert headers.get_list("content-security-policy") == ["sandbox"]
        assert headers["x-content-type-options"] == "nosniff"


async def test_an_answer_sent_whole_is_gzipped_in_one_go_with_its_length_and_vary_right() -> None:
    """What an htmx sale tap's answer gets (web/compression.py's `gzipped`): the length of
    the gzipped bytes, and the route's own Vary kept with Accept-Encoding added once."""
    async with AsyncTestClient(app=_app()) as client:
        headers, body = await _raw(client, "/varies")
        assert headers["content-encoding"] == "gzip"
        assert headers.get_list("content-length") == [str(len(body))]
        assert headers.get_list("vary") == ["HX-Request,Accept-Encoding"]
        assert gzip.decompress(body) == LARGE.encode()
        plain = await client.get("/varies", headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.text == LARGE


def _gzipped_at(level: int, body: bytes) -> bytes:
    message = {"type": "http.response.body", "body": body}
    gzipped({"type": "http.response.start", "headers": []}, message, level)
    return message["body"]


async def test_a_csv_file_is_gzipped_at_the_files_level_and_a_page_at_its_own() -> None:
    async with AsyncTestClient(app=_app()) as client:
        headers, body = await _raw(client, "/file")
        assert headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == FILE.encode()
        assert body == _gzipped_at(FILE_LEVEL, FILE.encode())
        assert body != _gzipped_at(PAGE_LEVEL, FILE.encode())
        headers, body = await _raw(client, "/large")
        assert body == _gzipped_at(PAGE_LEVEL, LARGE.encode())
