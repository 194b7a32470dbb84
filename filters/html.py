"""HTML to document text: visible text blocks in reading order, with DOM evidence.

Scripts, styles and other non-rendered elements are never text. Every other visible
block (navigation and footers included) becomes part of the document text, so that the
chrome stage removes it with an :class:`~filters.models.Edit` and the removal is
accounted for. A table row is one block, its cells separated by `` | ``.

Each block carries its evidence: the tag, classes, ids and links, a ``chrome_hint`` when
it sits in furniture (navigation, sidebar, share bar, hidden element ...), and ``main``,
the main-content extractor's vote on whether it is article text (see
:mod:`filters.main_content`); the headline and the article's figure captions are voted in.

Parsing uses lxml through beautifulsoup4 when available and html.parser otherwise. The
walk is iterative: a page nested tens of thousands of levels deep cannot raise
``RecursionError``.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import replace

from bs4 import BeautifulSoup, FeatureNotFound, XMLParsedAsHTMLWarning
from bs4.element import Comment, NavigableString, Tag

from filters.errors import InputError
from filters.load import Block, Document
from filters.main_content import extract_main_text, mark_main_blocks

# Never rendered as article text (filters.locate skips them too).
INVISIBLE = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "canvas",
        "iframe",
        "object",
        "embed",
        "head",
        "title",
        "meta",
        "link",
        "video",
        "audio",
        "source",
        "track",
        "map",
        "select",
        "option",
        "input",
        "textarea",
        "math",
    }
)
# Elements that start a new text block.
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "caption",
    "form",
    "fieldset",
    "legend",
    "address",
    "details",
    "summary",
    "hr",
    "br",
    "body",
    "html",
    "button",
    "label",
    "menu",
    "dialog",
}
# Elements whose whole subtree is page furniture rather than article.
_CHROME_TAGS = {
    "nav": "navigation",
    "aside": "sidebar",
    "form": "form",
    "button": "button",
    "menu": "menu",
    "dialog": "dialog",
}
_CHROME_CLASS = re.compile(
    r"(?:^|[-_\s])(?:share|sharing|social|reward|tip|comment|comments|disqus|reply|related|"
    r"recommend|trending|popular|most-read|newsletter|subscribe|signup|sign-up|cookie|consent|"
    r"gdpr|banner|advert|ads?|sponsor|promo|breadcrumbs?|menu|navbar|nav|sidebar|widget|"
    r"toolbar|footer|header|masthead|follow|author-card|app-download|download-app|paywall|"
    r"modal|popup|pagination|tags?|byline-share|like|likes|repost|counter)(?:$|[-_\s])",
    re.I,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_ATTRIBUTION_LINK = re.compile(
    r"view\s+original|original\s+(?:article|post|link)|原文|source|来源|出典|원문", re.I
)
_WORDS = re.compile(r"\w+")
# Block.path keeps the last this many characters of an element's tag path ("/html/body/
# article/p"): enough for the nearest enclosing article or table, bounded on deep pages.
PATH_TAIL = 200
_WS = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


def _chrome_reason(tag: Tag, in_article: bool) -> str | None:
    name = tag.name or ""
    if name in _CHROME_TAGS:
        return _CHROME_TAGS[name]
    if name in ("header", "footer") and not in_article:
        return name
    attrs = tag.attrs or {}
    if attrs.get("hidden") is not None or attrs.get("aria-hidden") == "true":
        return "hidden"
    style = attrs.get("style")
    if isinstance(style, str) and _HIDDEN_STYLE.search(style):
        return "hidden"
    role = attrs.get("role")
    if role in ("navigation", "banner", "contentinfo", "complementary", "search", "dialog"):
        return f"role={role}"
    classes: list[str] = list(attrs.get("class") or [])
    ident = attrs.get("id") or ""
    label = " ".join(classes) + " " + (ident if isinstance(ident, str) else "")
    m = _CHROME_CLASS.search(label)
    if m and name not in ("body", "html", "main", "article"):
        return f"class/id '{m.group(0).strip(' -_')}'"
    return None


def parse_html(html: str) -> BeautifulSoup:
    """The page as a BeautifulSoup tree: lxml's parser when installed (fast), else html.parser."""
    try:
        with warnings.catch_warnings():
            # content sniffed as HTML is read as HTML, even when it opens with an XML prolog
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            return BeautifulSoup(html, "lxml")
    except FeatureNotFound:  # pragma: no cover - lxml comes with trafilatura
        pass
    except Exception as exc:  # a parser crash on hostile input is an input error
        raise InputError(f"cannot parse HTML: {type(exc).__name__}: {exc}") from None
    try:
        return BeautifulSoup(html, "html.parser")
    except Exception as exc:  # html.parser rarely raises, but a crash must be an input error
        raise InputError(f"cannot parse HTML: {type(exc).__name__}: {exc}") from None


def _page_titles(soup: BeautifulSoup) -> list[str]:
    """The page's own idea of its headline: og:title, twitter:title and <title>."""
    titles = []
    for meta in soup.find_all("meta"):
        key = meta.get("property") or meta.get("name")
        if key in ("og:title", "twitter:title") and isinstance(meta.get("content"), str):
            titles.append(str(meta["content"]))
    if soup.title is not None and soup.title.string:
        titles.append(str(soup.title.string))
    return [_fold(t) for t in titles if t.strip()]


def _fold(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def _headline_index(blocks: list[Block], text: str, titles: list[str]) -> int | None:
    """The block holding the headline: an h1/h2 the page title repeats, else the first h1."""
    first_h1 = None
    for i, block in enumerate(blocks):
        if block.tag not in ("h1", "h2") or block.chrome_hint:
            continue
        folded = _fold(text[block.start : block.end])
        if len(folded) >= 8 and any(folded in t or t in folded for t in titles):
            return i
        if first_h1 is None and block.tag == "h1":
            first_h1 = i
    return first_h1


def _vote_main(blocks: list[Block], text: str, html: str, soup: BeautifulSoup) -> str | None:
    """Fill ``Block.main`` from the main-content extractor; returns its name, or None."""
    main_text = extract_main_text(html)
    if main_text is None or not blocks:
        return None
    votes = mark_main_blocks([text[b.start : b.end] for b in blocks], main_text)
    headline = _headline_index(blocks, text, _page_titles(soup))
    if headline is not None:
        votes[headline] = True
    for i, block in enumerate(blocks):  # captions of the article's own figures
        if block.tag == "figcaption" and "/article/" in block.path and not block.chrome_hint:
            votes[i] = True
    if headline is not None:  # copies of the headline (in a header bar, a teaser) go
        title = _fold(text[blocks[headline].start : blocks[headline].end])
        for i, block in enumerate(blocks):
            if i != headline and votes[i] and _fold(text[block.start : block.end]) == title:
                votes[i] = False
    for i, vote in enumerate(votes):
        blocks[i] = replace(blocks[i], main=vote)
    return "trafilatura"


def html_to_document(html: str, *, encoding: str, raw_sha256: str, raw_bytes: int) -> Document:
    """Parse HTML with beautifulsoup4 and lay its visible blocks out as document text."""
    soup = parse_html(html)

    canonical = None
    link = soup.find("link", rel="canonical")
    if isinstance(link, Tag) and isinstance(link.get("href"), str):
        canonical = str(link["href"])

    parts: list[str] = []
    blocks: list[Block] = []
    links: list[tuple[str, str]] = []
    pos = 0
    current: list[str] = []
    current_hrefs: list[str] = []
    Owner = tuple[str, tuple[str, ...], tuple[str, ...], str, str | None]
    owners: list[Owner] = [("body", (), (), "", None)]

    def flush() -> None:
        nonlocal pos, current, current_hrefs
        text = _WS.sub(" ", "".join(current)).strip()
        text = re.sub(r" *\n *", "\n", text)
        text = re.sub(r"\n{2,}", "\n", text)
        if text:
            if parts:
                parts.append("\n\n")
                pos += 2
            tag, classes, ids, path, hint = owners[-1]
            blocks.append(
                Block(pos, pos + len(text), tag, classes, ids, path, tuple(current_hrefs), hint)
            )
            parts.append(text)
            pos += len(text)
        current = []
        current_hrefs = []

    # Iterative depth-first walk with explicit enter/exit events. Each entry carries the
    # inherited chrome hint, whether an <article> encloses it, and the tail of its path
    # (at most PATH_TAIL characters: a full path per open element would cost memory and
    # time quadratic in the nesting depth).
    stack: list[tuple[object, bool, str | None, bool, str]] = [(soup, False, None, False, "")]
    while stack:
        node, leaving, hint, in_article, path = stack.pop()
        if isinstance(node, Comment):
            continue
        if isinstance(node, NavigableString):
            if node.__class__.__name__ in (
                "Doctype",
                "Declaration",
                "ProcessingInstruction",
                "CData",
            ):
                continue
            current.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name or ""
        if leaving:
            if name in _BLOCK:
                flush()
                if len(owners) > 1:
                    owners.pop()
            continue
        if name in INVISIBLE:
            continue
        if name == "br":
            current.append("\n")
            continue
        if name in ("td", "th") and "".join(current).strip():
            current.append(" | ")  # one line per table row, cells separated
        own_hint = _chrome_reason(node, in_article) if name not in ("[document]",) else None
        hint_here = hint or own_hint
        sub_path = f"{path}/{name}"[-PATH_TAIL:] if name != "[document]" else ""
        if name in _BLOCK:
            flush()
            classes = tuple(node.get("class") or ())
            ident = node.get("id")
            owners.append(
                (
                    name,
                    classes,
                    (ident,) if isinstance(ident, str) else (),
                    sub_path,
                    hint_here,
                )
            )
        if name == "a":
            href = node.get("href")
            if isinstance(href, str) and href.strip():
                label = node.get_text(" ", strip=True)[:200]
                current_hrefs.append(href.strip())
                if _ATTRIBUTION_LINK.search(label) or node.get("rel") == ["canonical"]:
                    links.append((label, href.strip()))
        stack.append((node, True, hint, in_article, path))
        child_in_article = in_article or name == "article"
        for child in reversed(list(node.children)):
            stack.append((child, False, hint_here, child_in_article, sub_path))
    flush()
    text = "".join(parts)
    if not text.strip():
        raise InputError("HTML has no visible text")
    extractor = _vote_main(blocks, text, html, soup)
    return Document(
        text=text,
        content_type="html",
        encoding=encoding,
        raw_sha256=raw_sha256,
        raw_bytes=raw_bytes,
        blocks=tuple(blocks),
        links=tuple(links),
        canonical_url=canonical,
        extractor=extractor,
    )
