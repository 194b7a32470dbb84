"""Line and column of a finding in the input file, for editors and code-review tools.

Findings carry ``original_span`` in the *document text*. For a text input that is the
file itself, so the line and column follow directly. For an HTML input the document text
is the page's visible text laid out as blocks, so :class:`SourceLocator` finds the same
text in the HTML source: it walks the source's text nodes with the standard library's
HTML tokenizer (the tokenizer html.parser builds on) and matches the finding's text
ignoring whitespace, taking the same occurrence as in the document. The region then
covers the text of the finding inside the markup. Text that cannot be found (it came
from markup the tokenizer reads differently) has no region; callers fall back to the
file as a whole.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from html.entities import name2codepoint
from html.parser import HTMLParser

from filters.load import Document, decode_bytes
from filters.models import Span

# The elements filters.html never turns into text; their contents are not searched.
_INVISIBLE = frozenset(
    "script style noscript template svg canvas iframe object embed head title meta link video "
    "audio source track map select option input textarea math".split()
)
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


@dataclass(frozen=True)
class Region:
    """A range in a text file: 1-based lines and columns, ``end_column`` exclusive (SARIF)."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int


class _Lines:
    """Offsets to 1-based line and column in one string, by binary search."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        pos = text.find("\n")
        while pos != -1:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def region(self, start: int, end: int) -> Region:
        sl, sc = self.at(start)
        el, ec = self.at(end)
        return Region(sl, sc, el, ec)


class _TextNodes(HTMLParser):
    """Visible characters of an HTML source, whitespace dropped, each with its source range."""

    def __init__(self, source: str, lines: _Lines) -> None:
        super().__init__(convert_charrefs=False)
        self.chars: list[str] = []
        self.ranges: list[tuple[int, int]] = []
        self._lines = lines
        self._hidden: list[str] = []
        self.feed(source)
        self.close()

    def _offset(self) -> int:
        line, col = self.getpos()  # 1-based line, 0-based column
        return self._lines.starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE and tag not in _VOID:
            self._hidden.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._hidden:
            while self._hidden and self._hidden.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        base = self._offset()
        for i, ch in enumerate(data):
            if not ch.isspace():
                self.chars.append(ch)
                self.ranges.append((base + i, base + i + 1))

    def _reference(self, text: str, raw_length: int) -> None:
        if self._hidden or not text or text.isspace():
            return
        base = self._offset()
        for ch in text:  # an unknown entity kept verbatim spreads over its characters
            self.chars.append(ch)
            self.ranges.append((base, base + raw_length))

    def handle_entityref(self, name: str) -> None:
        code = name2codepoint.get(name)
        self._reference(chr(code) if code else f"&{name};", len(name) + 2)

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in "xX" else int(name)
            text = chr(code)
        except (ValueError, OverflowError):
            text = ""
        self._reference(text, len(name) + 3)


def _squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, and the offset in ``text`` of each character kept."""
    kept = [(i, ch) for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(ch for _, ch in kept), [i for i, _ in kept]


class SourceLocator:
    """Maps document-text spans of one input to regions of the input file.

    Built from the raw input and a function that loads it the way the pipeline did; both
    are used only when a region is first asked for, so a clean article costs nothing.
    """

    def __init__(self, content: str | bytes, load: Callable[[], Document]) -> None:
        self._content = content
        self._load = load
        self._document: Document | None = None
        self._doc_lines: _Lines | None = None
        self._html: tuple[_Lines, str, list[tuple[int, int]], str, list[int]] | None = None

    @property
    def document(self) -> Document:
        """The input as the pipeline loaded it (loaded on first use)."""
        if self._document is None:
            self._document = self._load()
        return self._document

    def region(self, span: Span | None) -> Region | None:
        """Where ``span`` (document text) is in the input file, or None if it has no place."""
        if span is None:
            return None
        if self.document.content_type == "text":
            if self._doc_lines is None:
                self._doc_lines = _Lines(self.document.text)
            return self._doc_lines.region(span.start, span.end)
        return self._html_region(span)

    def _source_text(self) -> str:
        """The decoded input with newlines normalised as the loader does."""
        text = self._content if isinstance(self._content, str) else decode_bytes(self._content)[0]
        return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")

    def _html_index(self) -> tuple[_Lines, str, list[tuple[int, int]], str, list[int]]:
        if self._html is None:
            source = self._source_text()
            lines = _Lines(source)
            nodes = _TextNodes(source, lines)
            doc_squeezed, doc_offsets = _squeeze(self.document.text)
            self._html = (lines, "".join(nodes.chars), nodes.ranges, doc_squeezed, doc_offsets)
        return self._html

    def _html_region(self, span: Span) -> Region | None:
        lines, haystack, ranges, doc_squeezed, doc_offsets = self._html_index()
        needle, _ = _squeeze(self.document.text[span.start : span.end])
        if not needle:
            return None
        # Which occurrence of the needle in the document this span is, counted the same way
        # (non-overlapping, whitespace ignored) in the source's visible text.
        first = bisect.bisect_left(doc_offsets, span.start)
        occurrence = max(doc_squeezed.count(needle, 0, first + len(needle)) - 1, 0)
        pos = haystack.find(needle)
        for _ in range(occurrence):
            following = haystack.find(needle, pos + len(needle))
            if following == -1:
                break
            pos = following
        if pos == -1:
            return None
        return lines.region(ranges[pos][0], ranges[pos + len(needle) - 1][1])
