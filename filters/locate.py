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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.entities import name2codepoint
from html.parser import HTMLParser

from filters.edits import replacement_of, sorted_edits
from filters.html import INVISIBLE  # never turned into text, so never searched
from filters.load import Document, decode_bytes
from filters.models import Edit, Result, Span

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
    """Visible text of an HTML source, whitespace dropped, in chunks that know their source.

    ``text`` is every visible non-space character in order; chunk ``i`` starts at
    ``starts[i]`` in it and came from ``chunks[i]``: the source offset, the raw text, and
    for a character reference the length of the reference in the source.
    """

    def __init__(self, source: str, lines: _Lines) -> None:
        super().__init__(convert_charrefs=False)
        self._lines = lines
        self._hidden: list[str] = []
        self._parts: list[str] = []
        self._length = 0
        self.starts: list[int] = []
        self.chunks: list[tuple[int, str, int | None]] = []
        self.feed(source)
        self.close()
        self.text = "".join(self._parts)

    def _offset(self) -> int:
        line, col = self.getpos()  # 1-based line, 0-based column
        return self._lines.starts[line - 1] + col

    def _add(self, raw: str, reference_length: int | None) -> None:
        squeezed = "".join(raw.split())
        if self._hidden or not squeezed:
            return
        self.starts.append(self._length)
        self.chunks.append((self._offset(), raw, reference_length))
        self._parts.append(squeezed)
        self._length += len(squeezed)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in INVISIBLE and tag not in _VOID:
            self._hidden.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._hidden:
            while self._hidden and self._hidden.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self._add(data, None)

    def handle_entityref(self, name: str) -> None:
        code = name2codepoint.get(name)
        self._add(chr(code) if code else f"&{name};", len(name) + 2)

    def handle_charref(self, name: str) -> None:
        try:
            text = chr(int(name[1:], 16) if name[:1] in "xX" else int(name))
        except (ValueError, OverflowError):
            return
        self._add(text, len(name) + 3)

    def source_range(self, index: int) -> tuple[int, int]:
        """Source offsets ``[start, end)`` of the ``index``-th visible character."""
        i = bisect.bisect_right(self.starts, index) - 1
        base, raw, reference_length = self.chunks[i]
        if reference_length is not None:
            return base, base + reference_length
        wanted = index - self.starts[i]
        for offset, ch in enumerate(raw):
            if not ch.isspace():
                if wanted == 0:
                    return base + offset, base + offset + 1
                wanted -= 1
        raise IndexError(index)  # pragma: no cover - starts and chunks agree by construction


def _squeezed(text: str) -> str:
    return "".join(text.split())


def rebuild_document_text(clean_text: str, edits: Sequence[Edit]) -> str:
    """The document text from a result: the clean text with every edit undone.

    Removed text is recorded masked; where masking changed its length the removed range is
    filled with U+FFFD, so every offset stays exact and masked text never matches anything.
    """
    out: list[str] = []
    pos = shift = 0
    for edit in sorted_edits(edits):
        start, end = edit.original_span.start, edit.original_span.end
        at = start + shift
        out.append(clean_text[pos:at])
        if edit.kind != "insert":
            removed = edit.text if len(edit.text) == end - start else "\ufffd" * (end - start)
            out.append(removed)
        added = len(replacement_of(edit))
        pos = at + added
        shift += added - (end - start)
    out.append(clean_text[pos:])
    return "".join(out)


class SourceLocator:
    """Maps document-text spans of one checked input to regions of the input file.

    Built from the raw input and its result; nothing is computed until a region is first
    asked for, so a clean article costs nothing. A text input's document text is loaded
    again (decoding only, exact); an HTML input's is rebuilt from the result (see
    :func:`rebuild_document_text`) instead of parsing the page a second time.
    """

    def __init__(self, content: str | bytes, result: Result, load: Callable[[], Document]) -> None:
        self._content = content
        self._result = result
        self._load = load
        self._text: str | None = None
        self._doc_lines: _Lines | None = None
        self._html: tuple[_Lines, _TextNodes, str] | None = None
        self._cursor = (0, 0)  # (document offset, non-space characters before it)

    @property
    def content_type(self) -> str:
        """``text`` or ``html``, as the pipeline read the input."""
        return self._result.audit.input.content_type

    @property
    def document_text(self) -> str:
        """The text the result's ``original_span`` offsets index."""
        if self._text is None:
            if self.content_type == "text":
                self._text = self._load().text
            else:
                self._text = rebuild_document_text(self._result.clean_text, self._result.edits)
        return self._text

    def region(self, span: Span | None) -> Region | None:
        """Where ``span`` (document text) is in the input file, or None if it has no place."""
        if span is None:
            return None
        if self.content_type == "text":
            if self._doc_lines is None:
                self._doc_lines = _Lines(self.document_text)
            return self._doc_lines.region(span.start, span.end)
        return self._html_region(span)

    def _source_text(self) -> str:
        """The decoded input with newlines normalised as the loader does."""
        text = self._content if isinstance(self._content, str) else decode_bytes(self._content)[0]
        return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")

    def _kept_before(self, offset: int) -> int:
        """Non-space characters before ``offset``; spans come mostly in order, so resume."""
        at, kept = self._cursor if offset >= self._cursor[0] else (0, 0)
        kept += len(_squeezed(self.document_text[at:offset]))
        self._cursor = (offset, kept)
        return kept

    def _html_region(self, span: Span) -> Region | None:
        if self._html is None:
            source = self._source_text()
            lines = _Lines(source)
            self._html = (lines, _TextNodes(source, lines), _squeezed(self.document_text))
        lines, nodes, doc_squeezed = self._html
        doc = self.document_text
        needle = _squeezed(doc[span.start : span.end])
        if not needle:
            return None
        # Which occurrence of the needle in the document this span is, counted the same way
        # (non-overlapping, whitespace ignored) in the source's visible text.
        first = self._kept_before(span.start)
        occurrence = max(doc_squeezed.count(needle, 0, first + len(needle)) - 1, 0)
        pos = nodes.text.find(needle)
        for _ in range(occurrence):
            following = nodes.text.find(needle, pos + len(needle))
            if following == -1:
                break
            pos = following
        if pos == -1:
            return None
        start = nodes.source_range(pos)[0]
        end = nodes.source_range(pos + len(needle) - 1)[1]
        return lines.region(start, end)
