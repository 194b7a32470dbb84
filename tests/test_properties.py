"""Property-based: no input makes the pipeline raise, and its offsets are always valid."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import filters
from filters.edits import apply_edits

_PIPELINE = filters.Pipeline()
_CHROME = st.sampled_from(
    ["Reward", "  • Comment", "0/400", "Share", "View Original", "打赏", "3h ago", ""]
)
_WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
_ARTICLE = st.lists(st.one_of(_CHROME, _WORDS), max_size=20).map("\n".join)


def _check_invariants(content: str | bytes, content_type: str = "auto") -> None:
    try:
        result = _PIPELINE.check(content, content_type=content_type, fix=True)  # type: ignore[arg-type]
    except filters.InputError:
        return
    doc = _PIPELINE.load(content, content_type)  # type: ignore[arg-type]
    assert apply_edits(doc.text, result.edits) == result.clean_text
    n_doc, n_clean = len(doc.text), len(result.clean_text)
    for f in result.findings:
        if f.original_span:
            assert 0 <= f.original_span.start <= f.original_span.end <= n_doc
        if f.span:
            assert 0 <= f.span.start <= f.span.end <= n_clean


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ARTICLE)
def test_text_articles(text: str) -> None:
    _check_invariants(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    _check_invariants(data)


_TAGS = st.sampled_from(
    ["p", "div", "nav", "footer", "span", "a", "li", "script", "table", "td", "br"]
)


@st.composite
def _html(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 15))):
        tag = draw(_TAGS)
        parts.append(
            f"<{tag}>{draw(_WORDS)}</{tag}>" if draw(st.booleans()) else f"<{tag}>{draw(_WORDS)}"
        )
    return "<html><body>" + "".join(parts)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_html())
def test_html_articles(html: str) -> None:
    _check_invariants(html, "html")
