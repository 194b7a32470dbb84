"""Text normalisation shared by the stages: tolerant matching and line iteration.

``normalise`` keeps only word characters, lower-cased, so that whitespace, line breaks,
quotes, punctuation, bullets and leftover markup do not matter when comparing wording,
and it keeps a map back to the original offsets.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

_WORD = re.compile(r"[^\W_]+")
# Bullets and list markers a scraper leaves in front of a UI label.
BULLET = re.compile(r"^[\s\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2043\u2219\-\*\u2013\u2014>|]+")


class Normalised:
    """Lower-cased word characters of a text, with a map back to original offsets.

    The map is built on first use: most texts are searched and never matched.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        stripped = _NON_WORD.sub("", source)
        lowered = stripped.lower()
        # lower() changes the length of a few characters ('İ'); keep those tokens as they are.
        self.text = lowered if len(lowered) == len(stripped) else self._tokens_text()

    def _tokens_text(self) -> str:
        return "".join(self._map[2])

    @cached_property
    def _map(self) -> tuple[list[int], list[int], list[str]]:
        spans = [m.span() for m in _WORD.finditer(self.source)]
        tokens = [self.source[s:e].lower() for s, e in spans]
        norm_starts: list[int] = []
        pos = 0
        for k, (s, e) in enumerate(spans):
            if len(tokens[k]) != e - s:  # lower() changed the length ('İ'): keep it as is
                tokens[k] = self.source[s:e]
            norm_starts.append(pos)
            pos += len(tokens[k])
        return norm_starts, [s for s, _ in spans], tokens

    def to_original(self, index: int) -> int:
        """Original offset of the normalised character at ``index``."""
        norm_starts, orig_starts, _ = self._map
        if not norm_starts:
            return 0
        i = bisect.bisect_right(norm_starts, index) - 1
        i = max(i, 0)
        return orig_starts[i] + (index - norm_starts[i])

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` for a normalised range (end is exclusive)."""
        if end <= start:
            s = self.to_original(start)
            return s, s
        return self.to_original(start), self.to_original(end - 1) + 1


def normalise(text: str) -> Normalised:
    """Build the :class:`Normalised` form of ``text``."""
    return Normalised(text)


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
