"""Sentence segmentation for English and Chinese news text, with offsets.

The advice check judges one sentence at a time, so a wrong split changes a verdict: a quote
cut from its "he said" loses its speaker, and a price cut at its decimal point reads as two
fragments. The splitter therefore breaks at

* ``.`` ``!`` ``?`` ``…`` (with any closing quotes or brackets) followed by white space;
* ``。`` ``！`` ``？`` (and ``!`` ``?`` after a Han character), no space needed;
* every line break, because headlines and list items carry no full stop;

and does not break

* inside decimals, prices and tickers (``$9.5``, ``0.1320``, ``META.US``): no space follows;
* after abbreviations and initials (``Inc.``, ``e.g.``, ``U.S.``, ``J.P. Morgan``, ``Mt. Gox``);
* before a lower-case continuation (``"Buy now," he said`` / ``... it fell. and then``);
* inside an open double quotation mark on the same line (“…”, "…", 「…」), so a quoted
  passage of several sentences stays with its speaker;
* between a quotation and the short attribution that follows it
  (``“…。”该公司董事长表示。``, ``"…." Smith said.``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_ABBREV = frozenset(
    """mr mrs ms dr prof sr jr st inc corp co ltd plc llc vs etc no nos fig approx est jan feb
    mar apr jun jul aug sep sept oct nov dec gov sen rep gen col lt capt mt ft dept univ assn
    bros messrs cf al ca vol op pp ed eds rev hon gov't esp incl excl avg min max mln bln tn
    bn pct ave blvd rd sq""".split()
)
# Abbreviations that are almost never the last word of a sentence: no split even before a
# capital ("Mr. Smith", "Mt. Gox", "St. Louis", "No. 1").
_ALWAYS_BEFORE_NAME = frozenset("mr mrs ms dr prof st mt no vs gen sen rep gov capt col lt".split())

# Quotation marks: opening, closing, and the ASCII double quote that does both.
_OPEN = "“「『"
_CLOSE = "”」』"
_QUOTES = frozenset('"“”「」『』')
_CLOSERS = "\"'”’)\\]」』）"
# Every alternative starts with a plain character class, so the engine skips quickly.
_TOKEN = re.compile(
    r"""(?P<nl>\n)"""
    r"""|(?P<b>[.!?…]+[\"'”’)\]」』]*(?=\s|$)|[。！？]+[”’"」』）)]*|[!?]+[”’"」』）)]*(?=[\u4e00-\u9fff]))"""
    r"""|(?P<q>["“”「」『』])"""
)
_BOUNDARY = re.compile(r"[.!?…]++[\"'”’)\]」』]*(?:\s|$)|[。！？\n]|[!?](?=[\u4e00-\u9fff])")
_INITIALISM = re.compile(r"(?:^|[\s(])(?:[A-Za-z]\.){1,4}[A-Za-z]?$")
_MAX_QUOTE = 600
_REPORTING_TAIL = re.compile(
    r"""\s{0,2}(?:[^\n.!?。！？]{0,40}?\b(?:said|says|told|wrote|writes|added|asked|noted|"""
    r"""explained|argued|tweeted|posted)\b"""
    r"""|[^\n。！？“”]{0,30}?(?:表示|称|说|指出|透露|强调|写道|认为|坦言|介绍|回应|补充))""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sentence:
    """A sentence and its offsets in the text it came from."""

    start: int
    end: int
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends an abbreviation or initial, not a sentence."""
    if dot == 0 or not text[dot - 1].isalpha():
        return False  # "$9.", "2024." and "...)" end sentences
    space = max(text.rfind(" ", max(0, dot - 12), dot), text.rfind("(", max(0, dot - 12), dot))
    word = text[space + 1 : dot]
    if word == "I":
        return False
    if "." in word or len(word) == 1:  # U.S. / e.g. / J.P. / a single initial "J."
        return bool(_INITIALISM.search(text[max(0, dot - 12) : dot + 1]))
    low = word.lower()
    if low not in _ABBREV:
        return False
    if low in _ALWAYS_BEFORE_NAME:
        return True
    # "Inc." at a true sentence end is followed by a capital; in the middle of a sentence
    # usually by a lower-case word, a number or punctuation.
    nxt = text[dot + 1 : dot + 4].lstrip()
    return not nxt[:1].isupper()


def split_sentences(text: str, base: int = 0) -> Iterator[Sentence]:
    """Sentences of ``text``; offsets are shifted by ``base``."""
    if _BOUNDARY.search(text) is None:  # a headline, a list item, a one-sentence line
        yield from _emit(text, 0, len(text), base)
        return
    quoted = not _QUOTES.isdisjoint(text)
    start = 0
    depth = 0  # open curly / CJK quotes on this line
    ascii_open = False  # an ASCII " is open on this line
    opened_at = -1
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        pos = m.start()
        if kind == "nl":
            yield from _emit(text, start, pos, base)
            start, depth, ascii_open, opened_at = m.end(), 0, False, -1
            continue
        if kind == "q":
            ch = m.group()
            was_open = depth > 0 or ascii_open
            if ch in _OPEN:
                depth += 1
            elif ch in _CLOSE:
                depth = max(0, depth - 1)
            else:
                ascii_open = not ascii_open
            if not was_open and (depth > 0 or ascii_open):
                opened_at = pos
            continue
        token = m.group()
        closes = False
        if quoted:
            inside = depth > 0 or ascii_open
            for ch in token:
                if ch in _CLOSE and depth:
                    depth -= 1
                    closes = True
                elif ch == '"' and ascii_open:
                    ascii_open = False
                    closes = True
            if inside and not closes:
                if pos - opened_at < _MAX_QUOTE:
                    continue  # a full stop inside a quotation
                depth, ascii_open = 0, False
        end = m.end()
        first = token[0]
        if first == "." and token.rstrip(_CLOSERS) == "." and _is_abbreviation(text, pos):
            continue
        if first in ".!?…":
            nxt = text[end : end + 3].lstrip(" \t")[:1]
            if nxt.islower() or nxt in (",", ";", ":"):
                continue  # "Buy now," he said / "... fell. and then"
        if closes and _REPORTING_TAIL.match(text, end):
            continue  # “…。”该公司董事长表示。 / "…." Smith said.
        yield from _emit(text, start, end, base)
        start = end
    yield from _emit(text, start, len(text), base)


def _emit(text: str, start: int, end: int, base: int) -> Iterator[Sentence]:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        s = start + len(chunk) - len(chunk.lstrip())
        yield Sentence(base + s, base + s + len(stripped), stripped)
