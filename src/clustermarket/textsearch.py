"""The one way a search box becomes a case-insensitive condition on a column."""

from piccolo.columns import Column
from piccolo.columns.combination import Where

from clustermarket.settings import get_settings


def like_pattern(text: str) -> str:
    """Wildcards typed by users are dropped: their text is matched literally."""
    return "%" + text.strip().replace("%", "").replace("_", "")[:60] + "%"


def text_matches(column: Column, text: str) -> Where:
    # SQLite's LIKE already ignores case (and Piccolo warns on ILIKE there).
    pattern = like_pattern(text)
    return column.ilike(pattern) if get_settings().is_postgres else column.like(pattern)
