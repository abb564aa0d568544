"""The phones of bench/stall_sales.py as asyncio connections (`LOAD=python`, and `--smoke`):
a lean client (raw HTTP/1.1 over kept-alive sockets, gzip accepted as a browser does), each
phone tapping without pause and timing every tap. Exact: every tap is answered before the
run ends, so the check after it is that each was recorded once. It costs about 0.25 ms of
CPU a tap on this machine's two cores (httpx cost about as much as the server), taken from
the server and PostgreSQL: bench/tap_wrk.py is the lighter load."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
import uuid


def tap_of(kind: str, stall: int, product: int) -> tuple[str, str]:
    """Where a kind of tap goes and its form, `%s` where each tap's fresh id goes: the till's
    one-line ticket, as its script sends it, or the stall screen's htmx button; the bare
    route a plain GET of `/`."""
    if kind == "ticket":
        return f"/stalls/{stall}/tickets", f"ticket_id=%s&method=cash&qty_{product}=1"
    if kind == "sale":
        return f"/stalls/{stall}/sales", f"sale_id=%s&product_id={product}&quantity=1&method=cash"
    return "/", ""


def tap_request(port: int, path: str, cookies: dict[str, str], body: str) -> bytes:
    """One tap as the phone sends it: the till's JSON ticket or the htmx sale."""
    if not cookies:  # the bare route
        return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    kind = "Accept: application/json" if path.endswith("/tickets") else "HX-Request: true"
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        f"x-csrftoken: {cookies['csrftoken']}\r\n{kind}\r\nAccept-Encoding: gzip, deflate\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode()


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status and body of one HTTP/1.1 answer (Content-Length or chunked)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.lower().split(b": ", 1) for line in lines[1:] if line)
    if b"content-length" in headers:
        return status, await reader.readexactly(int(headers[b"content-length"]))
    body = b""
    while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
        body += (await reader.readexactly(size + 2))[:-2]
    await reader.readuntil(b"\r\n")
    return status, body


async def phone(
    port: int, cookies: dict[str, str], kind: str, stall: int, product: int, taps: int
) -> list[float]:
    """One phone tapping without pause over one kept-alive connection. A lean client (raw
    HTTP/1.1 on a socket, not httpx) so that the two cores go to the server."""
    latencies = []
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    # TCP_NODELAY: no waiting for the server's delayed ACK between a request's writes.
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    path, form = tap_of(kind, stall, product)
    for _ in range(taps):
        body = form % uuid.uuid4() if form else ""
        started = time.perf_counter()
        writer.write(tap_request(port, path, cookies, body))
        status, answer = await read_answer(reader)
        latencies.append(time.perf_counter() - started)
        if status != 200:
            sys.exit(f"A tap failed: {status} {answer[:200]!r}")
    writer.close()
    return latencies


async def drive(
    port: int, cookies: list[dict[str, str]], kind: str, stall: int, product: int, taps: int
) -> list[float]:
    per_phone = [taps // len(cookies) + (i < taps % len(cookies)) for i in range(len(cookies))]
    results = await asyncio.gather(
        *[phone(port, c, kind, stall, product, n) for c, n in zip(cookies, per_phone, strict=True)]
    )
    return [t for r in results for t in r]
