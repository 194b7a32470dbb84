"""Property-based: no input makes the pipeline raise, and its offsets are always valid.

For every generated input the pipeline either returns a result or raises
:class:`filters.InputError`, and then: the clean text is exactly the document text with the
edits applied; edits lie inside the document and do not overlap; every finding's spans lie
inside their texts; the result serialises to JSON. Inputs mix scripts (Latin, CJK, Arabic
and Hebrew, Cyrillic, Devanagari), combining marks, emoji ZWJ sequences, bidi and
zero-width controls, NUL and other control characters, lone surrogates, CRLF and CR line
ends, very long lines, chrome labels, advice wording, credit lines and personal data; HTML
adds unclosed and misnested tags, comments, CDATA, entities and scripts; bytes come raw or
in a dozen encodings. The number of examples per test is in ``@settings``; the README
totals them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import filters
from filters.edits import apply_edits, check_edits

_PIPELINE = filters.Pipeline()
_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}

# -- text --------------------------------------------------------------------------------

_CHROME = st.sampled_from(
    ["Reward", "  • Comment", "0/400", "Share", "View Original", "打赏", "3h ago", "", "Like 12"]
)
_PHRASES = st.sampled_from(
    [
        "Buy this coin now before it doubles.",
        "Analysts at a bank said investors should buy the stock.",
        "Guaranteed returns of 20% a year.",
        "This is not investment advice.",
        "Source: Reuters",
        "By Jane Example",
        "据路透社报道，比特币价格上涨。",
        "Write to help@example.org or call +1 212 555 0100.",
        "Send 1 ETH to 0x52908400098527886E0F7030069857D2E4169EE7 today.",
        "IBAN GB33BUKB20201555555555 was used.",
        "Next stop: $100,000.",
        "Author: **Example Research**",
        "The bottom is in.",
        "Don't miss out!",
    ]
)
_SCRIPTS = st.sampled_from(
    [
        "Shares rose 3% on Monday.",
        "比特币周一上涨。",
        "سعر البيتكوين ارتفع اليوم",  # Arabic, right to left
        "המניה עלתה היום",  # Hebrew
        "Цена выросла.",
        "कीमत बढ़ी।",  # Devanagari with combining vowel signs
        "e\u0301e\u0301 cafe\u0301 n\u0303",  # combining accents
        "👩\u200d👩\u200d👧\u200d👦 🏳\ufe0f\u200d🌈 👍🏽",  # emoji ZWJ sequences, skin tone
        "\u202eevil\u202c \u200f\u200e",  # bidi overrides and marks
        "zero\u200bwidth\u2060join\ufeffer",
        "\x00\x01\x07\x1b[31m\x7f\x9f",  # NUL, controls, an ANSI code, DEL, C1
        "\r\n\r\n\r",  # Windows and old Mac line ends
        "\u2028\u2029\x85\x0b\x0c",  # other line breaks
        "\ud800 lone \udfff surrogates",  # only valid in str input
        "１２３ ＡＢＣ　全角",  # fullwidth forms and ideographic space
    ]
)
_WORDS = st.text(alphabet=st.characters(), max_size=200)  # every code point, surrogates too
_LONG = st.builds(
    lambda s, n: s * n, st.sampled_from(["a", " ", "A ", "x.", "\n", "价"]), st.integers(1000, 8000)
)
_PIECE = st.one_of(_CHROME, _PHRASES, _SCRIPTS, _WORDS, _LONG)
_ARTICLE = st.lists(_PIECE, max_size=20).flatmap(
    lambda parts: st.sampled_from(["\n", " ", "\r\n", "\n\n", ""]).map(lambda sep: sep.join(parts))
)

TEXT_EXAMPLES = 200
HTML_EXAMPLES = 200
BYTES_EXAMPLES = 150
ENCODED_EXAMPLES = 100


def _check_invariants(content: str | bytes, content_type: str = "auto") -> None:
    try:
        result = _PIPELINE.check(content, content_type=content_type, fix=True)  # type: ignore[arg-type]
    except filters.InputError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    doc = _PIPELINE.load(content, content_type)  # type: ignore[arg-type]
    check_edits(len(doc.text), result.edits)  # inside the document, no overlaps
    assert apply_edits(doc.text, result.edits) == result.clean_text
    n_doc, n_clean = len(doc.text), len(result.clean_text)
    for f in result.findings:
        if f.original_span:
            assert 0 <= f.original_span.start <= f.original_span.end <= n_doc
        if f.span:
            assert 0 <= f.span.start <= f.span.end <= n_clean
    assert not re.search("[\ud800-\udfff\x00]", result.clean_text)
    json.loads(result.model_dump_json())  # serialisable, surrogate-free


@settings(max_examples=TEXT_EXAMPLES, **_SETTINGS)  # type: ignore[arg-type]
@given(_ARTICLE)
def test_text_articles(text: str) -> None:
    _check_invariants(text)


@settings(max_examples=BYTES_EXAMPLES, **_SETTINGS)  # type: ignore[arg-type]
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    _check_invariants(data)


_ENCODINGS = st.sampled_from(
    [
        "utf-8",
        "utf-8-sig",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "utf-32",
        "gb18030",
        "big5",
        "shift_jis",
        "euc_kr",
        "cp1252",
        "cp1251",
        "latin-1",
    ]
)


@settings(max_examples=ENCODED_EXAMPLES, **_SETTINGS)  # type: ignore[arg-type]
@given(_ARTICLE, _ENCODINGS, st.integers(0, 3))
def test_encoded_articles(text: str, encoding: str, damage: int) -> None:
    data = text.encode(encoding, "ignore")
    if damage and data:  # flip a few bytes: invalid sequences must not crash anything
        step = max(len(data) // damage, 1)
        data = bytes(b ^ 0x80 if i % step == 0 else b for i, b in enumerate(data))
    _check_invariants(data)


# -- HTML ----------------------------------------------------------------------------------

_TAGS = st.sampled_from(
    [
        "p",
        "div",
        "nav",
        "footer",
        "span",
        "a",
        "li",
        "ul",
        "script",
        "style",
        "table",
        "td",
        "tr",
        "br",
        "b",
        "i",
        "article",
        "aside",
        "header",
        "h1",
        "pre",
        "template",
        "svg",
        "noscript",
    ]
)
_ATTRS = st.sampled_from(
    [
        "",
        ' class="share-bar"',
        ' class="article-body"',
        ' id="comments"',
        " hidden",
        ' style="display:none"',
        ' href="https://example.org/original"',
        " role=navigation",
        ' class="a" class="b"',
        " data-x='\"'",
        ' title="<p>not a tag</p>"',
        " aria-hidden=true",
    ]
)
_ODDITIES = st.sampled_from(
    [
        "<!-- a comment -->",
        "<!-- unclosed comment",
        "<![CDATA[ raw <p> text ]]>",
        "&amp; &lt;p&gt; &#x41; &#65; &#99999999; &#xD800; &bogus; &nbsp;",
        "<!DOCTYPE html>",
        "<?xml version='1.0'?>",
        "</p></div></span>",
        "<p<p>>",
        "< p>",
        "<a href='x'>View Original</a>",
        "<br/><br /><hr>",
        "<meta charset='gbk'>",
        "<script>document.write('<p>x</p>')</script>",
        "<style>p{color:red}</style>",
        "<",
        ">",
        '<p class="unterminated',
    ]
)


# Long runs in HTML only cost parse time; one long line per page at most is enough.
_HTML_PIECE = st.one_of(_CHROME, _PHRASES, _SCRIPTS, _WORDS)


@st.composite
def _html(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 25))):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            parts.append(draw(_ODDITIES))
            continue
        tag, attrs, body = draw(_TAGS), draw(_ATTRS), draw(_HTML_PIECE)
        if choice == 1:
            parts.append(f"<{tag}{attrs}>{body}</{tag}>")
        elif choice == 2:  # unclosed
            parts.append(f"<{tag}{attrs}>{body}")
        else:  # misnested
            other = draw(_TAGS)
            parts.append(f"<{tag}><{other}>{body}</{tag}></{other}>")
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), f"<p>{draw(_LONG)}</p>")
    prefix = draw(
        st.sampled_from(
            ["<html><body>", "", "<!DOCTYPE html><html><head><title>t</title></head><body>"]
        )
    )
    return prefix + "".join(parts)


@settings(max_examples=HTML_EXAMPLES, **_SETTINGS)  # type: ignore[arg-type]
@given(_html())
def test_html_articles(html: str) -> None:
    _check_invariants(html, "html")


@settings(max_examples=50, **_SETTINGS)  # type: ignore[arg-type]
@given(_html())
def test_html_sniffed_or_as_bytes(html: str) -> None:
    _check_invariants(html.encode("utf-8", "surrogatepass"))


_SHORT_ARTICLE = st.lists(st.one_of(_CHROME, _PHRASES, _SCRIPTS, _WORDS), max_size=12).map(
    "\n".join
)


@settings(max_examples=25, **_SETTINGS)  # type: ignore[arg-type]
@given(_SHORT_ARTICLE)
def test_same_input_same_result(text: str) -> None:
    try:
        first = _PIPELINE.check(text)
    except filters.InputError:
        return
    second = _PIPELINE.check(text)
    skip = {"audit"}
    assert first.model_dump(exclude=skip) == second.model_dump(exclude=skip)


# -- bounding a regex changes nothing it matches ---------------------------------------------

_BOUNDED_PATTERNS = [
    r"next\s+stop\s*[:,]?\s*\$",
    r"\d+\.?\d*",
    r"a\s*;?\s*(?:b|c)",
    r"\s*\s*x",
    r"(?:来源|source)\s*[:：]?\s*(?P<s>[^\s:：]{2,30})",
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(_BOUNDED_PATTERNS),
    st.text(alphabet=" \t\n:;,$.0123456789abcxnextstopsourc来源：", max_size=60),
)
def test_bounded_patterns_match_exactly_like_the_originals(pattern: str, text: str) -> None:
    from filters.regex_safety import analyse
    from filters.rulepack import REGEX_FLAGS

    checked = analyse(pattern, REGEX_FLAGS)
    assert checked.bounded
    plain = re.compile(pattern, REGEX_FLAGS)
    got = [(m.span(), m.groups()) for m in checked.compiled.finditer(text)]
    assert got == [(m.span(), m.groups()) for m in plain.finditer(text)]


# -- the audit chain detects any damage -------------------------------------------------------

_AUDIT_TEXTS = [
    "Shares rose 3% on Monday, Reuters reported.",
    "Buy this coin now before it doubles.\nThis is not investment advice.",
    "比特币周一上涨。据路透社报道。",
    "Write to help@example.org for details.",
]
_RECORDS = [_PIPELINE.check(t).audit for t in _AUDIT_TEXTS]
_LOG: dict[str, bytes] = {}  # the intact log and its head file, written once (appends sync)


def _write_log(path: Path) -> bytes:
    from filters.audit import head_path

    if not _LOG:
        for record in _RECORDS:
            filters.append_record(path, record)
        _LOG.update(log=path.read_bytes(), head=head_path(path).read_bytes())
    else:
        path.write_bytes(_LOG["log"])
        head_path(path).write_bytes(_LOG["head"])
    return _LOG["log"]


_DAMAGE = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**9), st.integers(1, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 10**9), st.just(0)),
    st.tuples(st.just("swap"), st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.just("drop"), st.integers(0, 3), st.just(0)),
    st.tuples(st.just("duplicate"), st.integers(0, 3), st.integers(0, 4)),
)


@settings(max_examples=150, deadline=None)
@given(_DAMAGE)
def test_audit_verify_detects_any_damage(damage: tuple[str, int, int]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "audit.jsonl"
        data = _write_log(log)
        assert filters.verify_log(log).ok
        kind, a, b = damage
        lines = data.splitlines(keepends=True)
        if kind == "flip":
            i = a % len(data)
            damaged = data[:i] + bytes([data[i] ^ b]) + data[i + 1 :]
        elif kind == "truncate":
            damaged = data[: a % len(data)]
        elif kind == "swap":
            if a == b:
                b = (a + 1) % len(lines)
            lines[a], lines[b] = lines[b], lines[a]
            damaged = b"".join(lines)
        elif kind == "drop":
            damaged = b"".join(lines[:a] + lines[a + 1 :])
        else:
            damaged = b"".join(lines[:b] + [lines[a]] + lines[b:])
        log.write_bytes(damaged)
        assert not filters.verify_log(log).ok, damage


def test_a_killed_append_leaves_a_detectable_partial_line(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    data = _write_log(log)
    last = data.splitlines(keepends=True)[-1]
    log.write_bytes(data[: len(data) - len(last) // 2])  # the process died mid-write
    problems = " ".join(filters.verify_log(log).problems)
    assert "truncated" in problems
