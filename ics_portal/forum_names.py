"""Forum names as people write them, matched to forums (issue 16, ADR 0020).

Papers name the same forum many ways: "System Partnership Board Meeting in Public", "SPB",
"Quality, Performance and Finance Committee" for the "ICB Performance, Quality and Finance
Committee". A forum is found by its name, its abbreviation or one of its aliases, compared
after `normalise_forum_name`; a text that matches nothing is kept as written and listed for
governance, never guessed. Pure functions over plain values, so that migrations can use them.
"""

import re
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")

# Words that say which sitting of a forum is meant, not which forum.
_SITTING = re.compile(
    r"\b(?:(?:meeting\s+)?in\s+(?:public|private)|part\s+[ab]|meeting|extraordinary)\b"
)
_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def normalise_forum_name(text: str) -> str:
    """The form names are compared in: case folded, "&" read as "and", punctuation and the
    words naming a sitting ("meeting", "in public", "part B") left out, spaces collapsed.

    >>> normalise_forum_name("System Partnership Board Meeting in Public")
    'system partnership board'
    >>> normalise_forum_name("Remuneration & Terms of Service Committee")
    'remuneration and terms of service committee'
    """
    text = (text or "").casefold().replace("&", " and ")
    text = _NOT_WORD.sub(" ", text)
    text = _SITTING.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def says_in_public(text: str) -> bool | None:
    """Whether the words say the meeting is held in public (True), in private (False), or do
    not say (None)."""
    folded = (text or "").casefold()
    if "in public" in folded:
        return True
    if "in private" in folded or re.search(r"\bpart\s+b\b", folded):
        return False
    return None


def match(text: str, forums: Iterable[tuple[T, Iterable[str]]]) -> T | None:
    """The one forum whose name, abbreviation or alias reads as `text` does, or None when no
    forum or more than one does (an ambiguous name is listed for governance like an unknown
    one). `forums` gives each forum with the names it answers to."""
    wanted = normalise_forum_name(text)
    if not wanted:
        return None
    found = [
        forum
        for forum, names in forums
        if any(normalise_forum_name(name) == wanted for name in names if name)
    ]
    return found[0] if len(found) == 1 else None
