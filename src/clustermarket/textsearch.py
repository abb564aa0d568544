"""The one way a search box becomes a LIKE pattern (wildcards typed by users are dropped)."""


def like_pattern(text: str) -> str:
    return "%" + text.strip().replace("%", "").replace("_", "")[:60] + "%"
