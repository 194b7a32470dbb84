"""Edits rebuild the clean text from the document text, and offsets map both ways."""

from __future__ import annotations

import pytest

from filters.edits import OffsetMap, apply_edits, check_edits
from filters.models import Edit, Span


def _remove(s: int, e: int, text: str) -> Edit:
    return Edit(
        kind="remove",
        rule="CHR-010",
        original_span=Span(start=s, end=e),
        text=text[s:e],
        reason="t",
    )


TEXT = "Head\nReward\nBody one.\nShare\nBody two."


def test_apply_removals_and_insert() -> None:
    edits = [
        _remove(5, 12, TEXT),
        _remove(22, 28, TEXT),
        Edit(
            kind="insert",
            rule="DIS-001",
            original_span=Span(start=len(TEXT), end=len(TEXT)),
            text="\nDisclaimer.",
            reason="t",
        ),
    ]
    assert apply_edits(TEXT, edits) == "Head\nBody one.\nBody two.\nDisclaimer."


def test_redact_uses_replacement_not_masked_text() -> None:
    text = "mail a@b.io now"
    edit = Edit(
        kind="redact",
        rule="PII-001",
        original_span=Span(start=5, end=11),
        text="a***@b***.io",
        replacement="[EMAIL_ADDRESS]",
        reason="t",
    )
    assert apply_edits(text, [edit]) == "mail [EMAIL_ADDRESS] now"


def test_offsets_map_to_clean_and_back() -> None:
    edits = [_remove(5, 12, TEXT), _remove(22, 28, TEXT)]
    clean = apply_edits(TEXT, edits)
    m = OffsetMap(edits)
    start = TEXT.index("Body two")
    span = m.span_to_clean(Span(start=start, end=start + 8))
    assert clean[span.start : span.end] == "Body two"
    back = m.span_to_original(span)
    assert TEXT[back.start : back.end] == "Body two"


@pytest.mark.parametrize(
    "spans",
    [
        [(0, 5), (3, 8)],  # overlap
        [(0, 99)],  # outside
    ],
)
def test_invalid_edits_are_rejected(spans: list[tuple[int, int]]) -> None:
    edits = [
        _remove(s, min(e, len(TEXT)), TEXT)
        if e <= len(TEXT)
        else Edit(kind="remove", rule="X", original_span=Span(start=s, end=e), text="", reason="t")
        for s, e in spans
    ]
    with pytest.raises(ValueError):
        check_edits(len(TEXT), edits)
