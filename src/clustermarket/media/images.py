"""The one image pipeline: every upload is decoded and re-encoded, never stored as sent.

Only JPEG, PNG and WebP are accepted (by content, not by name); byte and pixel limits stop
decompression bombs before decoding; the picture is turned upright by its EXIF orientation
and then copied pixel by pixel into a fresh image, so no EXIF, GPS, comment or ICC data
survives; it is saved as JPEG with a thumbnail made once, here.

Memory: a JPEG is decoded at reduced size (1/2 to 1/8, still at least MAX_SIDE), so a large
phone photo costs little; a PNG or WebP must be decoded whole and may have at most
IMAGE_MAX_PIXELS pixels (checked from the header, before decoding). One decode then needs
at most about 8 bytes a pixel (the decoded picture and one working copy), and at most
IMAGE_DECODE_SLOTS decodes run at once, each in a worker thread (the event loop stays free).
"""

from __future__ import annotations

import asyncio
import io
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from clustermarket.settings import get_settings

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 12_000_000  # decoded: a 4000×3000 PNG; the IMAGE_MAX_PIXELS setting
MAX_JPEG_PIXELS = 64_000_000  # as sent: decoded at 1/4 or 1/8 of that, 4 or 1 million pixels
BYTES_PER_PIXEL = 8  # the most one decode holds at once (see clean_image)
MAX_SIDE = 1600
THUMB_SIDE = 480
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")


class ImageRejected(ValueError):
    """The upload is not a photo we can take; the message is for the pupil."""


@dataclass(frozen=True)
class CleanImage:
    full: bytes
    thumb: bytes
    width: int
    height: int


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _too_many_pixels() -> ImageRejected:
    return ImageRejected("That picture has too many pixels. Use a smaller photo.")


def _decode(data: bytes, max_pixels: int) -> Image.Image:
    """Decoded at the smallest size the format allows, after checking the pixel count."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            if source.format == "JPEG":
                if source.width * source.height > MAX_JPEG_PIXELS:
                    raise _too_many_pixels()
                source.draft(source.mode, (MAX_SIDE, MAX_SIDE))  # 1/2, 1/4 or 1/8 size
            if source.width * source.height > max_pixels:
                raise _too_many_pixels()
            source.load()
            return source
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise ImageRejected(
            "That file is not a photo we can use. Upload a JPEG, PNG or WebP picture."
        ) from None
    except (OSError, ValueError, SyntaxError):
        raise ImageRejected("That photo is damaged or incomplete. Try another one.") from None


def clean_image(data: bytes, max_pixels: int = MAX_PIXELS) -> CleanImage:
    if not data:
        raise ImageRejected("The file is empty. Choose a photo to upload.")
    if len(data) > MAX_BYTES:
        raise ImageRejected(
            f"That photo is too big ({len(data) // (1024 * 1024)} MB). "
            f"Use one under {MAX_BYTES // (1024 * 1024)} MB."
        )
    source = _decode(data, max_pixels)
    orientation = source.getexif().get(0x0112)
    if source.mode in ("RGBA", "LA", "P", "PA"):
        # Flattened onto white at full size: the decoded picture plus one RGB copy.
        upright = source if source.mode == "RGBA" else source.convert("RGBA")
        del source
        background = Image.new("RGB", upright.size, "white")
        background.paste(upright, mask=upright.getchannel("A"))
        upright = background
    else:
        upright = source if source.mode == "RGB" else source.convert("RGB")
        del source
    upright.thumbnail((MAX_SIDE, MAX_SIDE))  # shrink before any further copy
    if orientation in _UPRIGHT:
        upright = upright.transpose(_UPRIGHT[orientation])  # as ImageOps.exif_transpose does
    # A fresh image carries pixels only: no info dict, no EXIF, no ICC profile.
    fresh = Image.new("RGB", upright.size)
    fresh.paste(upright)
    thumb = fresh.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return CleanImage(_encode(fresh), _encode(thumb), fresh.width, fresh.height)


# Decodes run on their own few threads: at most IMAGE_DECODE_SLOTS at once, and always the
# same threads, so the memory a decode frees is reused by the next one (a new thread each
# time would keep its own malloc arena of freed pixel buffers).
_DECODERS: list[ThreadPoolExecutor] = []


def _decoders() -> ThreadPoolExecutor:
    if not _DECODERS:
        slots = get_settings().image_decode_slots
        _DECODERS.append(ThreadPoolExecutor(max_workers=slots, thread_name_prefix="image"))
    return _DECODERS[0]


async def clean_upload(data: bytes) -> CleanImage:
    """clean_image on a decode thread; the event loop goes on serving other requests."""
    max_pixels = get_settings().image_max_pixels
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_decoders(), clean_image, data, max_pixels)
