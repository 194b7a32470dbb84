"""Applying edits to the document text and mapping offsets between it and the clean text.

Every transform records its changes as :class:`~filters.models.Edit` objects in
document-text coordinates. ``apply_edits(document_text, edits)`` rebuilds the clean text,
which is how a reviewer (and a test) proves that nothing was removed silently.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from filters.models import Edit, Span


def sorted_edits(edits: Sequence[Edit]) -> list[Edit]:
    """Edits in document order; inserts at a position go after removals ending there."""
    return sorted(
        edits, key=lambda e: (e.original_span.start, e.kind != "insert", e.original_span.end)
    )


def check_edits(text_length: int, edits: Sequence[Edit]) -> None:
    """Raise ``ValueError`` if edits overlap or fall outside the text."""
    last_end = 0
    for edit in sorted_edits(edits):
        s, e = edit.original_span.start, edit.original_span.end
        if not 0 <= s <= e <= text_length:
            raise ValueError(f"edit {edit.rule} span {s}-{e} outside text of length {text_length}")
        if s < last_end:
            raise ValueError(
                f"edit {edit.rule} at {s} overlaps an earlier edit ending at {last_end}"
            )
        if edit.kind == "insert" and s != e:
            raise ValueError(f"insert edit {edit.rule} must have an empty span")
        last_end = max(last_end, e)


def replacement_of(edit: Edit) -> str:
    """The text an edit puts into the clean text (none for a removal)."""
    if edit.kind == "insert":
        return edit.text
    if edit.kind == "redact":
        return edit.replacement
    return ""


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Return ``text`` with every edit applied."""
    out: list[str] = []
    pos = 0
    for edit in sorted_edits(edits):
        s, e = edit.original_span.start, edit.original_span.end
        out.append(text[pos:s])
        out.append(replacement_of(edit))
        pos = max(pos, e)
    out.append(text[pos:])
    return "".join(out)


class OffsetMap:
    """Maps document-text offsets to clean-text offsets (and back) through a set of edits."""

    def __init__(self, edits: Sequence[Edit]) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._before: list[int] = []  # clean offset of the edit's start
        self._repl: list[int] = []
        shift = 0
        for edit in sorted_edits(edits):
            s, e = edit.original_span.start, edit.original_span.end
            rep = len(replacement_of(edit))
            self._starts.append(s)
            self._ends.append(e)
            self._before.append(s + shift)
            self._repl.append(rep)
            shift += rep - (e - s)

    def to_clean(self, offset: int, *, side: str = "left") -> int:
        """Clean-text offset for a document offset; inside a removed range it snaps to its edge."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if side == "right":
            # An end offset equal to an edit's start belongs before that edit.
            i = bisect.bisect_left(self._starts, offset) - 1
        if i < 0:
            return offset
        e, before, rep = self._ends[i], self._before[i], self._repl[i]
        if offset < e:  # inside the edited range
            return before + (rep if side == "right" else 0)
        return before + rep + (offset - e)

    def span_to_clean(self, span: Span) -> Span:
        """Map a document span into the clean text."""
        start = self.to_clean(span.start)
        end = max(start, self.to_clean(span.end, side="right"))
        return Span(start=start, end=end)

    def to_original(self, offset: int, *, side: str = "left") -> int:
        """Document offset for a clean-text offset (the inverse of :meth:`to_clean`).

        A start (``side="left"``) at a removal point lands after the removed text; an end
        (``side="right"``) lands before it.
        """
        if side == "right":
            i = bisect.bisect_left(self._before, offset) - 1
        else:
            i = bisect.bisect_right(self._before, offset) - 1
        if i < 0:
            return offset
        before, rep, s, e = self._before[i], self._repl[i], self._starts[i], self._ends[i]
        if offset < before + rep or (side == "right" and offset == before + rep and rep):
            return e if side == "right" else s
        return e + (offset - before - rep)

    def span_to_original(self, span: Span) -> Span:
        """Map a clean-text span back to the document."""
        start = self.to_original(span.start)
        end = max(start, self.to_original(span.end, side="right"))
        return Span(start=start, end=end)
