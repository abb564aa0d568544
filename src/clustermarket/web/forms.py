"""How handlers read HTML forms: URL-encoded posts, and multipart for photo uploads.

Every form's text passes `refuse_control_characters` (a `before_request` hook) first: a NUL
byte was refused by PostgreSQL with a wrong message and stored by SQLite, so it and the other
control characters (all but tab and newline) are refused here, the same on both engines.
So are the invisible bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069):
they make "gnp.exe" read as "exe.png" and hide words in a pupil's post from the teacher who
moderates it. Zero-width joiners stay (emoji are built with them)."""

import re

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException
from litestar.params import Body

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
Multipart = Body(media_type=RequestEncodingType.MULTI_PART)

FORM_TYPES = {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}
# keeps \t \n \r; refuses C0, DEL, C1 and the bidirectional overrides and isolates
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONTROL_CHARACTER_MESSAGE = (
    "The text you sent contains a control character (such as a NUL byte, or an invisible "
    "character that turns text right-to-left) that cannot be stored. Please remove it, or "
    "retype the text, and send it again."
)


def has_control_characters(text: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(text))


async def refuse_control_characters(request: Request) -> None:
    """400 with a clear message if a form field or query parameter holds a control character."""
    values = []
    if request.scope.get("query_string"):  # most posts have none: no parsing of nothing
        values = [v for _, v in request.query_params.multi_items()]
    if request.content_type[0] in FORM_TYPES:
        values += [v for _, v in (await request.form()).multi_items()]
    if any(isinstance(v, str) and has_control_characters(v) for v in values):
        raise ClientException(CONTROL_CHARACTER_MESSAGE)


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
