"""Where a `back` or `next` parameter may send someone: a path on this site, nothing else."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Browsers drop tabs and newlines inside a URL and read "\" as "/", so "/\t/evil.example"
# or "/\\evil.example" would leave the site: any of them makes the target unusable.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def local_path(target: object, default: str = "/") -> str:
    """`target` if it is a path on this site (starting with one "/"), otherwise `default`."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return default
    if _UNSAFE.search(target):
        return default
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else default
