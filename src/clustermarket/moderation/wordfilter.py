"""Pupil text is checked with glin-profanity (a maintained word filter, with leetspeak and
look-alike letters) before it reaches the teacher's queue."""

from __future__ import annotations

from functools import lru_cache

from glin_profanity import Filter


@lru_cache(maxsize=1)
def _filter() -> Filter:
    return Filter({"languages": ["english"], "detect_leetspeak": True})


def words_to_change(text: str) -> list[str]:
    if not text.strip():
        return []
    result = _filter().check_profanity(text)
    if not result.get("contains_profanity"):
        return []
    words = result.get("profane_words") or []
    return sorted({w for w in words if w.lower() in text.lower()} or set(words))


def problems_in(fields: dict[str, str]) -> list[str]:
    """Plain messages, one per field: what to change and where."""
    problems = []
    for field, text in fields.items():
        words = words_to_change(text)
        if words:
            quoted = ", ".join(f"“{w}”" for w in words)
            problems.append(
                f"Please change {quoted} in the {field}: words like that cannot go on the website."
            )
    return problems
