"""At least thirty hostile or awkward uploads, made here with Pillow and bytes.

Each is (name, file name, content type, bytes, accepted?): an accepted one must be stored
re-encoded as a plain JPEG with no metadata; a refused one must be answered with a message."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

from PIL import Image, ImageCms, PngImagePlugin

ACCEPT, REFUSE = True, False
SCRIPT = b"<script>alert(1)</script>"


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def _photo(mode: str = "RGB", size: tuple[int, int] = (64, 48)) -> Image.Image:
    return Image.new(mode, size, "orange" if mode in ("RGB", "RGBA") else 120)


def _exif_with_gps(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010E] = "A" * 60_000  # an ImageDescription near the 64 KB APP1 limit
    exif[0x8825] = {1: "N", 2: (52.0, 47.0, 30.0), 3: "E", 4: (1.0, 15.0, 0.0)}
    return exif.tobytes()


def _png_chunks(data: bytes, width: int, height: int) -> bytes:
    """The PNG with its IHDR claiming another size (CRC fixed): a bomb by dimensions."""
    ihdr = struct.pack(">II", width, height) + data[24:29]
    chunk = b"IHDR" + ihdr
    return (
        data[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + data[33:]
    )


def _jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(_save(_photo(), "JPEG"))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _png_text(key: str, text: str, compressed: bool = False) -> bytes:
    info = PngImagePlugin.PngInfo()
    if compressed:
        info.add_itxt(key, text, zip=True)
    else:
        info.add_text(key, text)
    return _save(_photo(), "PNG", pnginfo=info)


def _animated(fmt: str) -> bytes:
    frames = [_photo("RGB", (40, 40)), Image.new("RGB", (40, 40), "blue")]
    return _save(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


def _with_icc() -> bytes:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return _save(_photo(), "JPEG", icc_profile=profile)


def _broken_crc() -> bytes:
    data = bytearray(_save(_photo(), "PNG"))
    data[29] ^= 0xFF  # IHDR's CRC
    return bytes(data)


MAKERS: list[tuple[str, str, str, Callable[[], bytes], bool]] = [
    (
        "JPEG with huge EXIF and GPS",
        "gps.jpg",
        "image/jpeg",
        lambda: _save(_photo(), "JPEG", exif=_exif_with_gps()),
        ACCEPT,
    ),
    (
        "JPEG turned by EXIF orientation",
        "turned.jpg",
        "image/jpeg",
        lambda: _save(_photo(size=(80, 40)), "JPEG", exif=_exif_with_gps(6)),
        ACCEPT,
    ),
    ("JPEG with an ICC profile", "icc.jpg", "image/jpeg", _with_icc, ACCEPT),
    ("CMYK JPEG", "cmyk.jpg", "image/jpeg", lambda: _save(_photo("CMYK"), "JPEG"), ACCEPT),
    ("16-bit PNG", "deep.png", "image/png", lambda: _save(_photo("I;16"), "PNG"), ACCEPT),
    ("1-bit PNG", "bits.png", "image/png", lambda: _save(_photo("1"), "PNG"), ACCEPT),
    (
        "palette PNG with transparency",
        "pal.png",
        "image/png",
        lambda: _save(_photo("RGBA").convert("P"), "PNG", transparency=0),
        ACCEPT,
    ),
    ("grey PNG with alpha", "la.png", "image/png", lambda: _save(_photo("LA"), "PNG"), ACCEPT),
    (
        "HTML in a PNG text chunk",
        "comment.png",
        "image/png",
        lambda: _png_text("Comment", SCRIPT.decode()),
        ACCEPT,
    ),
    (
        "HTML in a compressed PNG iTXt chunk",
        "itxt.png",
        "image/png",
        lambda: _png_text("Description", SCRIPT.decode() * 50, compressed=True),
        ACCEPT,
    ),
    (
        "HTML in a JPEG comment",
        "com.jpg",
        "image/jpeg",
        lambda: _save(_photo(), "JPEG", comment=SCRIPT),
        ACCEPT,
    ),
    ("animated PNG", "anim.png", "image/png", lambda: _animated("PNG"), ACCEPT),
    ("animated WebP", "anim.webp", "image/webp", lambda: _animated("WEBP"), ACCEPT),
    (
        "WebP with EXIF",
        "exif.webp",
        "image/webp",
        lambda: _save(_photo(), "WEBP", exif=_exif_with_gps()),
        ACCEPT,
    ),
    (
        "JPEG with HTML and a zip appended (polyglot)",
        "poly.jpg",
        "image/jpeg",
        lambda: _save(_photo(), "JPEG") + b"<html>" + SCRIPT + b"PK\x05\x06" + b"\0" * 18,
        ACCEPT,
    ),
    (
        "JPEG named .png and sent as image/png",
        "wrong.png",
        "image/png",
        lambda: _save(_photo(), "JPEG"),
        ACCEPT,
    ),
    (
        "path-traversal file name",
        "../../etc/passwd.jpg",
        "image/jpeg",
        lambda: _save(_photo(), "JPEG"),
        ACCEPT,
    ),
    (
        "right-to-left override in the file name",
        "photo\u202egpj.exe",
        "image/jpeg",
        lambda: _save(_photo(), "JPEG"),
        ACCEPT,
    ),
    ("one pixel", "dot.png", "image/png", lambda: _save(_photo(size=(1, 1)), "PNG"), ACCEPT),
    (
        "very wide strip",
        "strip.png",
        "image/png",
        lambda: _save(_photo(size=(6000, 4)), "PNG"),
        ACCEPT,
    ),
    ("GIF", "anim.gif", "image/gif", lambda: _animated("GIF"), REFUSE),
    (
        "SVG with a script",
        "evil.svg",
        "image/svg+xml",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        REFUSE,
    ),
    (
        "SVG named .png",
        "evil.png",
        "image/png",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        REFUSE,
    ),
    ("text file named .jpg", "notes.jpg", "image/jpeg", lambda: b"just some text\n" * 20, REFUSE),
    (
        "HTML page named .png",
        "page.png",
        "image/png",
        lambda: b"<!doctype html><html><body>" + SCRIPT + b"</body></html>",
        REFUSE,
    ),
    ("zero bytes", "empty.jpg", "image/jpeg", lambda: b"", REFUSE),
    (
        "truncated JPEG",
        "half.jpg",
        "image/jpeg",
        lambda: _save(_photo(size=(400, 300)), "JPEG")[:300],
        REFUSE,
    ),
    (
        "truncated PNG",
        "half.png",
        "image/png",
        lambda: _save(_photo(size=(400, 300)), "PNG")[:60],
        REFUSE,
    ),
    ("PNG with a broken checksum", "crc.png", "image/png", _broken_crc, REFUSE),
    (
        "PNG claiming 60000 × 60000 pixels (bomb)",
        "bomb.png",
        "image/png",
        lambda: _png_chunks(_save(_photo(), "PNG"), 60_000, 60_000),
        REFUSE,
    ),
    (
        "PNG claiming 100000 × 300 pixels",
        "wide.png",
        "image/png",
        lambda: _png_chunks(_save(_photo(), "PNG"), 100_000, 300),
        REFUSE,
    ),
    (
        "JPEG claiming 65000 × 65000 pixels (bomb)",
        "bomb.jpg",
        "image/jpeg",
        lambda: _jpeg_claiming(65_000, 65_000),
        REFUSE,
    ),
    ("BMP named .jpg", "bitmap.jpg", "image/jpeg", lambda: _save(_photo(), "BMP"), REFUSE),
    ("TIFF", "scan.tiff", "image/tiff", lambda: _save(_photo(), "TIFF"), REFUSE),
    ("ICO", "favicon.ico", "image/x-icon", lambda: _save(_photo(size=(32, 32)), "ICO"), REFUSE),
    ("PDF named .jpg", "doc.jpg", "image/jpeg", lambda: b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", REFUSE),
    (
        "over the 8 MB photo limit",
        "huge.jpg",
        "image/jpeg",
        lambda: _save(_photo(), "JPEG") + b"\0" * (9 * 1024 * 1024),
        REFUSE,
    ),
]
