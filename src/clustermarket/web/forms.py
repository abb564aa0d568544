"""How handlers read HTML forms: URL-encoded posts, and multipart for photo uploads."""

from litestar.enums import RequestEncodingType
from litestar.params import Body

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
Multipart = Body(media_type=RequestEncodingType.MULTI_PART)

MB = 1024 * 1024
FORM_BODY_LIMIT = 10 * MB  # what any form may send
# Forms with a photo are read whole up to this, so a photo over the image limit (8 MB) is
# refused by the image pipeline with the form re-shown as typed, not by a bare 413.
UPLOAD_BODY_LIMIT = 40 * MB
TOO_BIG = (
    f"That was more than a form can send ({FORM_BODY_LIMIT // MB} MB; with a photo "
    f"{UPLOAD_BODY_LIMIT // MB} MB, and a photo itself at most 8 MB). Go back with your "
    "browser's Back button: what you typed is still in the form. Then choose a smaller photo "
    "or send less text."
)
