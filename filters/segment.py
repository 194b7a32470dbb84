"""Sentence segmentation for English and Chinese news text, with offsets.

Splits at sentence-final punctuation followed by space (English) or at 。！？ (Chinese), and
at line breaks (headlines carry no full stop). It does not split inside decimals and
prices (``$9.5``), tickers (``META.US``), initials and common abbreviations (``U.S.``,
``Inc.``, ``e.g.``), or before a closing quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "inc",
    "corp",
    "co",
    "ltd",
    "plc",
    "llc",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "u.s",
    "u.k",
    "u.n",
    "e.u",
    "no",
    "nos",
    "fig",
    "approx",
    "est",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "gov",
    "sen",
    "rep",
    "gen",
    "col",
    "lt",
    "capt",
    "mt",
    "ft",
    "dept",
    "univ",
    "assn",
    "bros",
    "messrs",
    "a.m",
    "p.m",
    "ph.d",
    "cf",
    "al",
    "ca",
    "vol",
    "op",
}
# Candidate boundaries: English terminal punctuation (+ closing quotes) then space, CJK
# terminal punctuation (+ closing quotes), or a newline.
_BOUNDARY = re.compile(
    r"""(?:[.!?…]+["'”’)\]]*(?=\s))|(?:[。！？!?；]+[”’」』）)]*)|\n""",
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]{0,7})\.$")


@dataclass(frozen=True)
class Sentence:
    """A sentence and its offsets in the text it came from."""

    start: int
    end: int
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends an abbreviation or initial, not a sentence."""
    m = _WORD_BEFORE.search(text[max(0, dot - 9) : dot + 1])
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    if word in _ABBREV:
        # "Inc." at a true sentence end is followed by a capital; abbreviations in the middle
        # of a sentence usually by a lower-case word or a number.
        nxt = text[dot + 1 : dot + 3].strip()
        return not nxt[:1].isupper() or word in {
            "mr",
            "mrs",
            "ms",
            "dr",
            "prof",
            "st",
            "u.s",
            "u.k",
            "e.g",
            "i.e",
            "no",
            "vs",
        }
    if len(word) == 1 and word.isalpha():  # an initial: "J. Smith"
        return True
    return False


def split_sentences(text: str, base: int = 0) -> Iterator[Sentence]:
    """Sentences of ``text``; offsets are shifted by ``base``."""
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        token = m.group()
        if (
            token[0] == "."
            and len(token.rstrip("\"'”’)]")) == 1
            and _is_abbreviation(text, m.start())
        ):
            continue
        if token[0] in ".!?…" and "\n" not in token:
            # A lower-case continuation means the stop did not end the sentence.
            rest = text[end : end + 3].lstrip()
            if rest[:1].islower():
                continue
        yield from _emit(text, start, end, base)
        start = end
    yield from _emit(text, start, len(text), base)


def _emit(text: str, start: int, end: int, base: int) -> Iterator[Sentence]:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    s = start + lead
    e = s + len(stripped)
    yield Sentence(base + s, base + e, stripped)
