"""Static files in front of the app (web/static.py), and compressed pages.

A browser gets each file under a content-hashed name it may keep for a year, compressed, with
the security headers, and a 304 when it asks again with what it has; the plain name still
answers (the till's service worker keeps it) but is always revalidated."""

from __future__ import annotations

import re

from clustermarket.settings import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"


def loaded_from(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page)


async def test_a_page_loads_its_files_under_hashed_names_kept_for_a_year(client) -> None:
    page = await client.get("/")
    urls = loaded_from(page.text)
    css = next(u for u in urls if u.startswith("/static/css/site."))
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{10}\.css", css)
    assert any(
        re.fullmatch(r"/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]{10}\.js", u) for u in urls
    )
    for url in urls:
        answer = await client.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable", url
        assert answer.headers["etag"] and answer.headers["last-modified"], url
    # The same bytes as the file on disk, whatever the encoding asked for.
    on_disk = (STATIC / "css" / "site.css").read_bytes()
    plain = await client.get(css, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == on_disk
    zipped = await client.get(css, headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(on_disk) / 3
    assert zipped.headers["vary"] == "accept-encoding"
    squeezed = await client.get(css, headers={"accept-encoding": "gzip, deflate, br"})
    assert squeezed.headers["content-encoding"] == "br"
    assert squeezed.content == on_disk  # decoded by httpx (brotli is installed)
    refused = await client.get(css, headers={"accept-encoding": "br;q=0, gzip"})
    assert refused.headers["content-encoding"] == "gzip"
    assert refused.content == on_disk


async def test_a_revalidation_is_answered_304_without_a_body(client) -> None:
    page = await client.get("/")
    htmx = next(u for u in loaded_from(page.text) if "htmx" in u)
    first = await client.get(htmx, headers={"accept-encoding": "gzip"})
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for url in (htmx, "/static/vendor/htmx-2.0.11.min.js"):
        again = await client.get(url, headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b"", url
        assert again.headers["etag"]
        weak = await client.get(url, headers={"if-none-match": f"W/{etag}"})
        assert weak.status_code == 304, url
        dated = await client.get(url, headers={"if-modified-since": modified})
        assert dated.status_code == 304, url
        other = await client.get(url, headers={"if-none-match": '"something-else"'})
        assert other.status_code == 200 and b"htmx" in other.content, url
    # An If-None-Match that does not match wins over a date that would.
    both = await client.get(htmx, headers={"if-none-match": '"old"', "if-modified-since": modified})
    assert both.status_code == 200
    older = await client.get(htmx, headers={"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert older.status_code == 200


async def test_plain_names_still_answer_and_are_always_revalidated(client) -> None:
    for name in ("till/sw.js", "till/till.js", "till/queue.js", "css/site.css"):
        answer = await client.get(f"/static/{name}")
        assert answer.status_code == 200, name
        assert answer.content == (STATIC / name).read_bytes(), name
        assert answer.headers["cache-control"] == "no-cache", name
    assert (await client.get("/static/till/icon-192.png")).headers["content-type"] == "image/png"
    # The till's service worker is still served where its scope covers every till.
    worker = await client.get("/stalls/sw.js")
    assert worker.status_code == 200 and worker.text == (STATIC / "till/sw.js").read_text()


async def test_static_answers_carry_the_security_headers_and_no_cookie(client) -> None:
    answer = await client.get("/static/css/site.css")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"
    assert "set-cookie" not in answer.headers  # no session, no CSRF token minted


async def test_head_unknown_files_and_other_methods(client) -> None:
    head = await client.head("/static/css/site.css", headers={"accept-encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == (STATIC / "css" / "site.css").stat().st_size
    missing = await client.get("/static/css/nothing-here.css")
    assert missing.status_code == 404 and "We could not find that page" in missing.text
    assert (await client.get("/static/../pyproject.toml")).status_code == 404
    assert (await client.post("/static/css/site.css")).status_code in (403, 404, 405)


async def test_pages_are_compressed_when_the_browser_accepts_it(client) -> None:
    plain = await client.get("/products", headers={"accept-encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    zipped = await client.get("/products", headers={"accept-encoding": "gzip, br"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped.headers["vary"].lower()
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2
    assert "<h1" in zipped.text and zipped.text.count("<li") == plain.text.count("<li")
