"""HTML input: furniture removed, article kept in reading order, disclosures survive."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from bs4 import FeatureNotFound

import filters
from filters import html as html_module
from filters.context import Context, Options
from filters.edits import apply_edits
from filters.load import load_document
from filters.main_content import mark_main_blocks

from .conftest import shared_path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "html_portal_table_footer.html"


@pytest.fixture(scope="module")
def page(pipeline: filters.Pipeline) -> filters.Result:
    return pipeline.check(FIXTURE.read_bytes())


def test_article_parts_are_kept_in_reading_order(page: filters.Result) -> None:
    clean = page.clean_text
    parts = [
        "Miners sell more coins as hash price slides",  # headline
        "Publicly listed bitcoin miners sold",  # paragraph
        "Mining machines at a facility in Texas.",  # figure caption
        "Northgrid Mining | 712 | 540",  # table row, numbers included
        "higher power prices during an early heat wave",  # list item
        '"We would rather hold',  # blockquote
        "Analysts expect selling to ease",  # last paragraph
    ]
    positions = [clean.find(p) for p in parts]
    assert all(p >= 0 for p in positions), dict(zip(parts, positions, strict=True))
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "furniture",
    [
        "We use cookies",  # consent banner
        "Opinion",  # navigation
        "Mining\n",  # breadcrumb tail
        "Tweet",  # share bar
        "312",  # like counter
        "Morning Coin newsletter",  # newsletter box
        "Exchange halts withdrawals",  # trending list
        "Be the first to comment",  # comment widget
        "Download the app",  # app box
        "All rights reserved",  # footer
        "Privacy",  # footer links
        "View Original",  # the label goes, its target stays (next test)
    ],
)
def test_furniture_is_removed(page: filters.Result, furniture: str) -> None:
    assert furniture not in page.clean_text


def test_footer_disclaimer_and_view_original_target_survive(
    page: filters.Result, pipeline: filters.Pipeline
) -> None:
    disclaimer = pipeline.rules.disclaimers[0].text
    assert disclaimer in page.clean_text
    assert page.disclosures.disclaimer.present
    links = page.disclosures.attribution.links
    assert "https://www.example-wire.test/mining/may-sales" in links
    assert "https://markets.example-portal.test/crypto/miners-sell-more-coins" in links


def test_removals_are_edits_that_rebuild_the_clean_text(
    page: filters.Result, pipeline: filters.Pipeline
) -> None:
    doc = pipeline.load(FIXTURE.read_bytes())
    assert apply_edits(doc.text, page.edits) == page.clean_text
    assert {e.rule for e in page.edits} <= {"CHR-000", "CHR-001"} | {
        r.id for r in pipeline.rules.of_kind("strip")
    }


def test_numbers_in_table_cells_are_content(pipeline: filters.Pipeline) -> None:
    html = (
        "<html><body><p>Quarterly volumes by venue, in billions of dollars, were as follows "
        "according to the exchanges' own reports.</p><table><tr><td>42</td></tr>"
        "<tr><td>1.2K</td></tr></table></body></html>"
    )
    result = pipeline.check(html, content_type="html")
    assert "42" in result.clean_text and "1.2K" in result.clean_text


def test_hidden_and_script_text_never_reach_the_article(pipeline: filters.Pipeline) -> None:
    html = (
        "<html><body><article><h1>Exchange reopens deposits</h1><p>The exchange reopened "
        "deposits on Friday after a two-day pause for a wallet upgrade, it said.</p>"
        '<div style="display:none">Hidden promo text that must not be published</div>'
        "<script>var x = 'script text';</script></article></body></html>"
    )
    clean = pipeline.check(html, content_type="html").clean_text
    assert "Hidden promo" not in clean and "script text" not in clean
    assert "reopened deposits" in clean


def test_html_parser_fallback_without_lxml(monkeypatch: pytest.MonkeyPatch) -> None:
    real = html_module.BeautifulSoup

    def no_lxml(markup: str, features: str) -> object:
        if features == "lxml":
            raise FeatureNotFound("lxml")
        return real(markup, features)

    monkeypatch.setattr(html_module, "BeautifulSoup", no_lxml)
    doc = load_document("<html><body><p>First para.</p><nav>Home</nav></body></html>")
    assert [doc.text[b.start : b.end] for b in doc.blocks] == ["First para.", "Home"]


def test_main_content_vote_maps_onto_blocks() -> None:
    main = "Bitcoin fell 5% on Monday after the report.\n| Venue | Volume |\n| Alpha | 42 |"
    blocks = [
        "Home",
        "Bitcoin fell 5% on Monday after the report.",
        "Venue | Volume",
        "Alpha | 42",
        "Related stories you may like",
    ]
    assert mark_main_blocks(blocks, main) == [False, True, True, True, False]


# -- the development corpus (skipped where ../shared is absent) ---------------------------


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text)
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(0, len(tokens) - 3)))


def test_dev_html_article_body_f1(pipeline: filters.Pipeline) -> None:
    root = shared_path("corpus", "html")
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    stage = pipeline.stage("strip_chrome")
    precisions, recalls = [], []
    for page_id, item in truth.items():
        raw = gzip.decompress((root / "pages" / f"{page_id}.html.gz").read_bytes())
        ctx = Context(doc=pipeline.load(raw, "html"), rules=pipeline.rules, options=Options())
        stage.run(ctx)  # load and strip only: the checks do not change the text
        clean = ctx.text
        head, sep, rest = clean.partition("\n\n")  # the ground truth has no headline
        if sep and "\n" not in head and len(head) <= 200:
            clean = rest
        got, want = _shingles(clean), _shingles(item["articleBody"])
        overlap = sum((got & want).values())
        if got:
            precisions.append(overlap / sum(got.values()))
        recalls.append(overlap / sum(want.values()) if want else 1.0)
    p = sum(precisions) / len(precisions)
    r = sum(recalls) / len(recalls)
    assert 2 * p * r / (p + r) >= 0.95
