"""Which blocks of an HTML page are the article: a main-content extractor as the signal.

Telling an article body from the page around it (teasers, author boxes, related links,
footers) takes more than tag and class names. trafilatura does this well (article-body F1
0.95-0.96 on the public extraction benchmark, against 0.67 for plain ``get_text()``), so
its extraction is used as evidence: every block of the page whose words it kept is article
text, every other block is page furniture for the chrome stage to remove with an edit.
prepub's own blocks and offsets stay the record of what was removed; trafilatura only
votes. When it is not installed or extracts nothing, the DOM hints alone decide.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

# trafilatura logs at ERROR for pages it cannot use; that is not the caller's problem.
logging.getLogger("trafilatura").addHandler(logging.NullHandler())

_TOKEN = re.compile(r"\w+")
_DOCUMENT = re.compile(r"<html[\s>]|<body[\s>]", re.I)
MIN_COVERAGE = 0.5  # share of a block's word trigrams the extractor must have kept
_SHORT = 3  # blocks with fewer tokens are judged by whole-line matches and their neighbours


def extract_main_text(html: str) -> str | None:
    """The article text trafilatura finds in ``html`` (precision-oriented), or None."""
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - a declared dependency, absent only in odd installs
        return None
    if not _DOCUMENT.search(html[:4096]):
        html = f"<html><body>{html}</body></html>"  # trafilatura expects a whole page
    try:
        text = trafilatura.extract(
            html,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            favor_precision=True,
            with_metadata=False,
        )
    except Exception:  # a signal, never a reason to fail the article  # noqa: BLE001
        return None
    return text if text and text.strip() else None


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def mark_main_blocks(block_texts: Sequence[str], main_text: str) -> list[bool]:
    """For each block, whether the extracted main text contains it.

    A block of three words or more is article text when at least half of its word
    trigrams occur in the extraction. A shorter block (a heading, a list item, a table
    cell) must match a whole extracted line, or sit inside an extracted line next to a
    block that is article text.
    """
    tokens = _tokens(main_text)
    trigrams = {tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)}
    lines = [" ".join(_tokens(line)) for line in main_text.split("\n")]
    line_set = set(lines)
    padded = " " + " \n ".join(lines) + " "
    out: list[bool | None] = []
    for text in block_texts:
        toks = _tokens(text)
        if not toks:
            out.append(False)
        elif len(toks) >= _SHORT:
            grams = [tuple(toks[i : i + 3]) for i in range(len(toks) - 2)]
            hit = sum(g in trigrams for g in grams)
            out.append(hit / len(grams) >= MIN_COVERAGE)
        else:
            key = " ".join(toks)
            out.append(True if key in line_set else (None if f" {key} " in padded else False))
    # Short blocks found inside a longer extracted line (table cells, list items) count
    # when the run of such blocks they belong to touches a block that counts.
    final = [bool(v) for v in out]
    i = 0
    while i < len(out):
        if out[i] is not None:
            i += 1
            continue
        j = i
        while j < len(out) and out[j] is None:
            j += 1
        touches = (i > 0 and out[i - 1] is True) or (j < len(out) and out[j] is True)
        for k in range(i, j):
            final[k] = touches
        i = j
    return final
