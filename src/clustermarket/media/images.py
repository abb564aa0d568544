"""The one image pipeline: every upload is decoded and re-encoded, never stored as sent.

Only JPEG, PNG and WebP are accepted (by content, not by name); byte and pixel limits stop
decompression bombs before decoding; the picture is turned upright by its EXIF orientation
and then copied pixel by pixel into a fresh image, so no EXIF, GPS, comment or ICC data
survives; it is saved as JPEG with a thumbnail made once, here.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 24_000_000  # a 6000×4000 phone photo; a "PNG bomb" claims far more
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


def clean_image(data: bytes) -> CleanImage:
    if not data:
        raise ImageRejected("The file is empty. Choose a photo to upload.")
    if len(data) > MAX_BYTES:
        raise ImageRejected(
            f"That photo is too big ({len(data) // (1024 * 1024)} MB). "
            f"Use one under {MAX_BYTES // (1024 * 1024)} MB."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            if source.width * source.height > MAX_PIXELS:
                raise ImageRejected("That picture has too many pixels. Use a smaller photo.")
            source.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("That picture has too many pixels. Use a smaller photo.") from None
    except UnidentifiedImageError:
        raise ImageRejected(
            "That file is not a photo we can use. Upload a JPEG, PNG or WebP picture."
        ) from None
    except (OSError, ValueError, SyntaxError):
        raise ImageRejected("That photo is damaged or incomplete. Try another one.") from None

    upright = ImageOps.exif_transpose(source)
    if upright.mode in ("RGBA", "LA", "P", "PA"):
        upright = upright.convert("RGBA")
        background = Image.new("RGB", upright.size, "white")
        background.paste(upright, mask=upright.getchannel("A"))
        upright = background
    else:
        upright = upright.convert("RGB")
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    # A fresh image carries pixels only: no info dict, no EXIF, no ICC profile.
    fresh = Image.new("RGB", upright.size)
    fresh.paste(upright)
    thumb = fresh.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return CleanImage(_encode(fresh), _encode(thumb), fresh.width, fresh.height)
