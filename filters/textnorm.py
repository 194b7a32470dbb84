"""Text normalisation shared by the stages: tolerant matching and line iteration.

``normalise_plain`` keeps only word characters, lower-cased, so that whitespace, line
breaks, quotes, punctuation, bullets and leftover markup do not matter when comparing
wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Bullets and list markers a scraper leaves in front of a UI label.
BULLET = re.compile(r"^[\s\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2043\u2219\-\*\u2013\u2014>|]+")


_NON_WORD = re.compile(r"[\W_]+")
# The same characters for ASCII text, deleted by bytes.translate (a table lookup per
# byte rather than a Unicode category test per character).
_ASCII_NON_WORD = bytes(b for b in range(128) if not chr(b).isalnum())
_ASCII_NON_WORD_BUT_NEWLINE = _ASCII_NON_WORD.replace(b"\n", b"")


def normalise_plain(text: str) -> str:
    """Just the normalised string, for registry entries and comparisons."""
    if text.isascii():
        return text.encode("ascii").translate(None, _ASCII_NON_WORD).decode("ascii").lower()
    return _NON_WORD.sub("", text).lower()


def normalise_lines(text: str) -> list[str]:
    """:func:`normalise_plain` of every line of ``text`` (an ASCII text in one pass)."""
    if text.isascii():
        kept = text.encode("ascii").translate(None, _ASCII_NON_WORD_BUT_NEWLINE)
        return kept.decode("ascii").lower().split("\n")
    return [normalise_plain(line) for line in text.split("\n")]  # most lines are ASCII


@dataclass(frozen=True)
class Line:
    """One line of a text: its content offsets and the offset after its newline."""

    start: int
    end: int  # end of content, before the newline
    stop: int  # after the newline (== end at the end of the text)
    text: str


def iter_lines(text: str) -> Iterator[Line]:
    """Every line with offsets; the last line may lack a newline."""
    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        if nl == -1:
            yield Line(pos, n, n, text[pos:])
            return
        yield Line(pos, nl, nl + 1, text[pos:nl])
        pos = nl + 1


def label_of(line: str) -> str:
    """A line as a UI label: bullets, surrounding whitespace and zero-width marks removed."""
    line = line.replace("\u200b", "").replace("\ufeff", "")
    return BULLET.sub("", line).strip()
