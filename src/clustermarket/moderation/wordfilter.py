"""Pupil text is checked with glin-profanity (a maintained word filter, with leetspeak and
look-alike letters) before it reaches the teacher's queue.

The filter's answer depends on the text alone, and the same texts are checked again and
again: an edit form checks the saved text on every view to say what to change, and a
sending-back shows the same words. Its normalising (full-width letters, look-alikes,
leetspeak) costs about 1 ms of CPU for a product's name and description, a third of an edit
page (issue 17, target 3), so the answers for the last `CHECKED_TEXTS` texts are kept."""

from __future__ import annotations

from functools import lru_cache

from glin_profanity import Filter

CHECKED_TEXTS = 1024  # texts of up to a few KB each: a few MB at most


@lru_cache(maxsize=1)
def _filter() -> Filter:
    return Filter({"languages": ["english"], "detect_leetspeak": True})


@lru_cache(maxsize=CHECKED_TEXTS)
def words_to_change(text: str) -> tuple[str, ...]:
    """The words of `text` that cannot go on the website."""
    if not text.strip():
        return ()
    result = _filter().check_profanity(text)
    if not result.get("contains_profanity"):
        return ()
    words = result.get("profane_words") or []
    return tuple(sorted({w for w in words if w.lower() in text.lower()} or set(words)))


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
