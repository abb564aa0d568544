"""Hostile and ordinary uploads through the one image pipeline."""

import io
import struct
import zlib

import pytest
from PIL import Image

from clustermarket.media.images import ImageRejected, clean_image
from tests.conftest import png_bytes


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (300, 200), "orange")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Ltd"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to be upright
    gps = {1: "N", 2: (52.0, 47.0, 30.0), 3: "E", 4: (1.0, 15.0, 10.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken behind the school")
    return out.getvalue()


def png_bomb(width: int = 60000, height: int = 60000) -> bytes:
    """A tiny PNG file whose header claims billions of pixels."""
    raw = png_bytes((1, 1))
    ihdr_data = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr_data
    ihdr = struct.pack(">I", len(ihdr_data)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return raw[:8] + ihdr + raw[8 + 25 :]


def test_a_photo_with_gps_is_cleaned_of_all_metadata_and_turned_upright() -> None:
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(0x8825)  # the GPS really is there to begin with
    clean = clean_image(jpeg_with_gps())
    for data in (clean.full, clean.thumb):
        stored = Image.open(io.BytesIO(data))
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert "exif" not in stored.info and "comment" not in stored.info
        assert "icc_profile" not in stored.info
        assert b"SpyCam" not in data and b"behind the school" not in data
    assert (clean.width, clean.height) == (200, 300)  # rotated by its orientation tag


def test_png_with_transparency_and_webp_are_accepted() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (40, 40), (255, 0, 0, 0)).save(out, format="PNG")
    assert clean_image(out.getvalue()).width == 40
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, format="WEBP")
    assert clean_image(out.getvalue()).height == 30


def test_large_photos_are_shrunk_and_get_a_thumbnail() -> None:
    clean = clean_image(png_bytes((3000, 2000)))
    assert max(clean.width, clean.height) == 1600
    assert max(Image.open(io.BytesIO(clean.thumb)).size) == 480


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"hello, I am a text file", "not a photo we can use"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "not a photo we can use",
        ),
        (b"GIF89a" + b"\x00" * 40, "not a photo we can use"),
        (png_bomb(), "too many pixels"),
        (png_bytes()[:60], "damaged or incomplete"),
        (b"\xff\xd8\xff" + b"\x00" * (9 * 1024 * 1024), "too big"),
    ],
    ids=["empty", "text", "svg", "gif", "png-bomb", "truncated", "too-many-bytes"],
)
def test_hostile_uploads_are_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(ImageRejected, match=message):
        clean_image(data)


def test_too_many_pixels_even_when_not_a_bomb() -> None:
    with pytest.raises(ImageRejected, match="too many pixels"):
        clean_image(png_bomb(6000, 5000))
