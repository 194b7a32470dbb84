"""HTML reports: what a reviewer sees, that it is safe with hostile articles, and how it looks.

The static tests parse the page; the browser tests open it in headless Chromium (skipped
with a message when Chromium is not installed) to prove that nothing in a hostile article
runs, that the Content-Security-Policy blocks script even if escaping ever failed, and
that the page renders as designed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import partial
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

import filters
from cli import main
from filters.locate import SourceLocator
from filters.report_html import article_pieces, diff_pieces, render_article_html, render_batch_html
from tests import browser

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
PROMO = FIXTURES / "gate_promo_with_advice.txt"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HOSTILE_SOURCE = '"><script>document.documentElement.setAttribute("data-pwned","source")</script>'
HOSTILE_URL = "javascript:document.documentElement.setAttribute('data-pwned','url')"
HOSTILE_LABEL = "<img src=x onerror=\"document.title='PWNED'\">.txt"
# Everything the report is allowed to contain; anything else came from an article.
ALLOWED_TAGS = set(
    "html head meta title style body main footer header section article div p span ul li code "
    "strong i br h1 h2 h3 table thead tbody tr th td mark a details summary dl dt dd del ins "
    "figure figcaption svg g text rect".split()
)


def page_for(pipeline: filters.Pipeline, path: Path, label: str | None = None, **kw: object) -> str:
    content = path.read_bytes()
    content_type = str(kw.pop("content_type", "auto"))
    result = pipeline.check(content, content_type=content_type, **kw)  # type: ignore[arg-type]
    locator = SourceLocator(content, result, partial(pipeline.load, content, content_type))
    return render_article_html(result, label or str(path), locate=locator.region)


def hostile_pages(pipeline: filters.Pipeline) -> dict[str, str]:
    text = page_for(
        pipeline,
        HOSTILE / "hostile_article.txt",
        HOSTILE_LABEL,
        content_type="text",
        source=HOSTILE_SOURCE,
        url=HOSTILE_URL,
    )
    html = page_for(pipeline, HOSTILE / "hostile_page.html", HOSTILE_LABEL)
    records = []
    for i, path in enumerate(sorted(HOSTILE.iterdir())):
        result = pipeline.check(
            path.read_bytes(), source=HOSTILE_SOURCE, url=HOSTILE_URL, record_id=HOSTILE_LABEL
        )
        records.append((i + 1, result.audit))
    batch = render_batch_html(
        records, title=f"batch {HOSTILE_LABEL}", problems=[f"line 9: {HOSTILE_SOURCE}"]
    )
    return {"text": text, "html": html, "batch": batch}


def soup_of(page: str) -> BeautifulSoup:
    return BeautifulSoup(page, "html.parser")


# --- what a reviewer sees -------------------------------------------------------------


@pytest.fixture(scope="module")
def promo(pipeline: filters.Pipeline) -> tuple[filters.Result, str]:
    result = pipeline.check(PROMO.read_bytes(), source="Decrypt")
    return result, page_for(pipeline, PROMO, source="Decrypt")


def test_decision_and_reasons_come_first(promo: tuple[filters.Result, str]) -> None:
    result, page = promo
    body = soup_of(page).body
    assert body is not None
    header = body.find("header")
    assert isinstance(header, Tag) and "decision-review" in header["class"]
    assert header.find(class_="badge").get_text() == "REVIEW"  # type: ignore[union-attr]
    reasons = header.get_text(" ", strip=True)
    for code in result.audit.decision_reasons:
        assert code in reasons
    advice = next(f for f in result.findings if f.rule == "ADV-EN-004")
    assert advice.message in reasons  # the message behind the code, not just the code


def test_checklist_names_disclaimer_version_source_language_and_pii(
    promo: tuple[filters.Result, str],
) -> None:
    _, page = promo
    table = soup_of(page).find("table", class_="checklist")
    assert isinstance(table, Tag)
    rows = {
        tr.th.get_text(strip=True): tr.get_text(" ", strip=True)  # type: ignore[union-attr]
        for tr in table.find_all("tr")
    }
    assert set(rows) == {"Disclaimer", "Attribution", "Language", "Personal data"}
    assert "gate-third-party@2024.1" in rows["Disclaimer"]
    assert "Decrypt" in rows["Attribution"]
    assert "en" in rows["Language"]
    assert "1 found" in rows["Personal data"]


def test_findings_are_highlighted_in_place_by_category(promo: tuple[filters.Result, str]) -> None:
    result, page = promo
    text = soup_of(page).find("div", class_="text")
    assert isinstance(text, Tag)
    marks = text.find_all("mark")
    by_category = {tuple(m["class"]) for m in marks}
    assert ("cat-advice", "sev-warning") in by_category and (
        "cat-pii",
        "sev-warning",
    ) in by_category
    advice = next(f for f in result.findings if f.rule == "ADV-EN-004")
    assert advice.span is not None
    marked = "".join(m.get_text() for m in marks if "cat-advice" in m["class"])
    assert result.clean_text[advice.span.start : advice.span.end] in marked
    # every finding in the text links to its row in the findings table
    refs = {a["href"] for a in text.find_all("a", class_="ref")}
    rows = {f"#{tr['id']}" for tr in soup_of(page).select("table.findings tbody tr")}
    assert refs and refs <= rows


def test_findings_table_has_rule_severity_and_input_position(
    promo: tuple[filters.Result, str],
) -> None:
    result, page = promo
    rows = soup_of(page).select("table.findings tbody tr")
    assert len(rows) == len(result.findings)
    cells = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in rows]
    assert [c[1].split()[0] for c in cells] == [f.rule for f in result.findings]
    assert [c[3].split()[0] for c in cells] == [f.severity for f in result.findings]
    lines = PROMO.read_text(encoding="utf-8").split("\n")
    for cell, finding in zip(cells, result.findings, strict=True):
        line, col = map(int, cell[4].split(":"))
        assert finding.excerpt is not None
        if finding.category != "pii":
            assert lines[line - 1][col - 1 :].startswith(finding.excerpt[:20])
    details = rows[0].find("details")
    assert details is not None and "Investment Advisers Act" in details.get_text()
    assert "Analysts at Harbor Digital" in details.get_text()  # the speaker is at hand


def test_removed_chrome_shows_in_original_against_clean(promo: tuple[filters.Result, str]) -> None:
    result, page = promo
    columns = soup_of(page).find("div", class_="columns")
    assert isinstance(columns, Tag)
    original, clean = columns.find_all("div", class_="text")
    removed = [d.get_text() for d in original.find_all("del")]
    assert removed == [e.text for e in sorted(result.edits, key=lambda e: e.original_span.start)]
    assert not clean.find_all("del")
    assert "View Original" not in clean.get_text()


def test_diff_rebuilds_the_document_from_clean_text_and_edits(pipeline: filters.Pipeline) -> None:
    # With no personal data the rebuilt original is exactly the document text.
    for path in (FIXTURES / "html_exchange_outage.html", FIXTURES / "zh_bitcoin_etf_flows.txt"):
        result = pipeline.check(path.read_bytes())
        doc = pipeline.load(path.read_bytes()).text
        pieces = diff_pieces(result.clean_text, result.edits, result.findings)
        assert "".join(p.text for p in pieces if p.kind != "inserted") == doc
        assert "".join(p.text for p in pieces if p.kind != "removed") == result.clean_text


def test_fix_shows_insertions_and_redactions(pipeline: filters.Pipeline) -> None:
    result = pipeline.check((FIXTURES / "gate_stablecoin_no_disclaimer.txt").read_bytes(), fix=True)
    pieces = diff_pieces(result.clean_text, result.edits, result.findings)
    assert any(p.kind == "inserted" for p in pieces)
    assert "".join(p.text for p in pieces if p.kind != "removed") == result.clean_text


@pytest.mark.parametrize("fix", [False, True])
def test_personal_data_is_masked_everywhere(pipeline: filters.Pipeline, fix: bool) -> None:
    raw = EMAIL.findall(PROMO.read_text(encoding="utf-8"))
    assert raw
    page = page_for(pipeline, PROMO, source="Decrypt", fix=fix)
    for address in raw:
        assert address not in page
    assert "d***@q***.com" in page


def test_overlapping_findings_split_cleanly() -> None:
    text = "Buy now at mail me@example.org today."
    advice = filters.Finding(
        rule="ADV-EN-001",
        name="a",
        category="advice",
        severity="warning",
        message="m",
        span=filters.Span(start=0, end=30),
    )
    pii = filters.Finding(
        rule="PII-001",
        name="p",
        category="pii",
        severity="warning",
        message="e",
        span=filters.Span(start=16, end=30),
        excerpt="m***@e***.org",
    )
    pieces = article_pieces(text, [advice, pii])
    shown = "".join(p.text for p in pieces)
    assert shown == "Buy now at mail m***@e***.org today."
    assert [p.markers for p in pieces if p.markers] == [(1, 2)]
    masked = [p for p in pieces if p.masked]
    assert len(masked) == 1 and masked[0].numbers == (1, 2)


# --- safety with hostile articles ----------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(pipeline: filters.Pipeline) -> dict[str, str]:
    return hostile_pages(pipeline)


@pytest.mark.parametrize("kind", ["text", "html", "batch"])
def test_hostile_article_is_inert_text(hostile: dict[str, str], kind: str) -> None:
    page = hostile[kind]
    soup = soup_of(page)
    tags = {t.name for t in soup.find_all(True)}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    assert not soup.find_all("script")
    for tag in soup.find_all(True):
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), (tag.name, attr)
            assert attr != "style", tag.name  # no inline style: CSS comes from our sheet only
            assert attr != "src", tag.name
            if attr == "href":
                assert value.startswith("#"), value  # only links within the report
    assert len(soup.find_all("style")) == 1
    assert "PWNED" in soup.get_text()  # the hostile text is shown, as text
    if kind == "text":
        assert "<script>document.title='PWNED'</script>" in soup.get_text()
        assert "{{ 7 * 7 }}" in soup.get_text()  # article text is data, never a template
        assert "</textarea><script>" in soup.get_text()
    if kind in ("text", "batch"):
        assert HOSTILE_SOURCE in soup.get_text()
        assert HOSTILE_URL in soup.get_text()


def test_csp_allows_no_script_and_only_our_stylesheet(hostile: dict[str, str]) -> None:
    soup = soup_of(hostile["text"])
    head = soup.head
    assert head is not None
    metas = head.find_all("meta")
    assert metas[0].get("charset") == "utf-8"
    assert metas[1]["http-equiv"] == "Content-Security-Policy"  # before any content
    policy = dict((part.split()[0], part.split()[1:]) for part in metas[1]["content"].split("; "))
    assert policy["default-src"] == ["'none'"] and policy["script-src"] == ["'none'"]
    style = soup.find("style")
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.get_text().encode()).digest()).decode()
    assert policy["style-src"] == [f"'sha256-{digest}'"]


# --- the batch report -------------------------------------------------------------------


@pytest.fixture(scope="module")
def audit_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("batch")
    blocked = tmp / "blocked.txt"
    blocked.write_text(
        "Lock in 18% a year on your stablecoins with zero risk, guaranteed returns for everyone.\n",
        encoding="utf-8",
    )
    log = tmp / "audit.jsonl"
    paths = [
        FIXTURES / "gate_reuters_chip_export.txt",
        PROMO,
        blocked,
        FIXTURES / "zh_bitcoin_etf_flows.txt",
    ]
    for path in paths:
        main(
            [
                "check",
                str(path),
                "--audit-log",
                str(log),
                "--format",
                "json",
                "--out",
                str(tmp / "o"),
            ]
        )
    return log


def test_batch_report_counts_charts_and_queue(
    audit_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    assert main(["report", str(audit_log), "--html", str(out)]) == 0
    soup = soup_of(out.read_text(encoding="utf-8"))
    totals = soup.find(class_="totals")
    assert totals is not None
    assert "4 articles" in totals.get_text(" ", strip=True)
    assert "intact, 4 records" in soup.get_text()
    charts = soup.find_all("svg")
    captions = [f.figcaption.get_text(" ", strip=True) for f in soup.find_all("figure")]
    assert len(charts) == 5
    for word in ("Decisions", "category", "rule", "source", "language"):
        assert any(word in c for c in captions), word
    decisions = charts[0].find_all("title")
    assert [t.get_text() for t in decisions] == ["block: 1", "review: 2", "publish: 1"]
    queue = soup.select("table.queue tbody tr")
    order = [tr.find(class_="badge").get_text() for tr in queue]
    assert order == ["block", "review", "review", "publish"]
    for tr in queue:
        target = tr.find("a")["href"]
        assert soup.find(id=target[1:]) is not None  # each links to its detail
    assert not soup.find_all("script")


def test_batch_report_lists_unreadable_lines(
    audit_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = tmp_path / "damaged.jsonl"
    lines = audit_log.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["decision"] = "maybe"
    damaged.write_text(
        "\n".join([lines[0], json.dumps(record), "{not json", *lines[2:]]) + "\n", encoding="utf-8"
    )
    out = tmp_path / "report.html"
    assert main(["report", str(damaged), "--html", str(out)]) == 0
    err = capsys.readouterr().err
    assert "line 2: not an audit record" in err and "line 3: not a JSON object" in err
    page = out.read_text(encoding="utf-8")
    assert "Records that could not be read" in page and "NOT intact" in page


@pytest.mark.parametrize(
    "content, message", [(None, "no such audit log"), ("", "no audit records"), ("x\n", "no audit")]
)
def test_report_input_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    log = tmp_path / "audit.jsonl"
    if content is not None:
        log.write_text(content, encoding="utf-8")
    assert main(["report", str(log), "--html", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("prepub: error:") and message in err and err.count("\n") == 1


# --- check --format html ---------------------------------------------------------------


def test_check_html_to_stdout_and_to_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(PROMO), "--format", "html", "--source", "Decrypt"]) == 1
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
    clean = FIXTURES / "gate_reuters_chip_export.txt"
    assert main(["check", str(PROMO), str(clean), "--format", "html"]) == 2
    assert "needs --out" in capsys.readouterr().err
    out = tmp_path / "pages"
    assert main(["check", str(PROMO), str(clean), "--format", "html", "--out", str(out)]) == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "gate_promo_with_advice.html",
        "gate_reuters_chip_export.html",
    ]


# --- in a real browser -----------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> str:
    return browser.probe(tmp_path_factory.mktemp("chromium"))


def _root_attrs(dom: str) -> dict[str, str]:
    html = soup_of(dom).html
    assert html is not None
    return {k: str(v) for k, v in html.attrs.items()}


def test_nothing_in_a_hostile_article_runs(
    chromium: str, hostile: dict[str, str], tmp_path: Path
) -> None:
    for kind, page in hostile.items():
        path = tmp_path / f"{kind}.html"
        path.write_text(page, encoding="utf-8")
        run = browser.dump_dom(chromium, path)
        assert "data-pwned" not in _root_attrs(run.stdout), kind
        title = soup_of(run.stdout).title
        assert title is not None and title.get_text() == soup_of(page).title.get_text()  # type: ignore[union-attr]
        assert "PWNED" != title.get_text()
        # Nothing even tried: escaped text triggers no policy violation, and nothing loads.
        assert "Content Security Policy" not in run.log, kind
        assert "attacker.invalid" not in run.log and "tracker.invalid" not in run.log


def test_csp_blocks_script_even_if_escaping_failed(
    chromium: str, hostile: dict[str, str], tmp_path: Path
) -> None:
    injected = (
        "<script>document.documentElement.setAttribute('data-pwned','script')</script>"
        "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','onerror')\">"
    )
    tampered = hostile["text"].replace("<main>", "<main>" + injected, 1)
    path = tmp_path / "tampered.html"
    path.write_text(tampered, encoding="utf-8")
    run = browser.dump_dom(chromium, path)
    assert "data-pwned" not in _root_attrs(run.stdout)
    assert "Content Security Policy" in run.log and "blocked" in run.log
    # Control: without the policy the same injection runs, so the check above can fail.
    unprotected = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", tampered)
    path.write_text(unprotected, encoding="utf-8")
    assert "data-pwned" in _root_attrs(browser.dump_dom(chromium, path).stdout)


def test_report_screenshot(
    chromium: str, promo: tuple[filters.Result, str], tmp_path: Path
) -> None:
    from PIL import Image

    page = tmp_path / "report.html"
    page.write_text(promo[1], encoding="utf-8")
    png = tmp_path / "report.png"
    run = browser.screenshot(chromium, page, png, 1200, 1600)
    assert "Content Security Policy" not in run.log  # our own stylesheet is allowed
    with Image.open(png) as shot:
        assert shot.size == (1200, 1600)
        rgb = shot.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 200, "the page looks blank"
    counts = {colour: n for n, colour in colours}
    background = max(counts, key=lambda c: counts[c])
    assert counts[background] < 0.9 * 1200 * 1600

    def near(target: tuple[int, int, int]) -> int:
        return sum(
            n
            for c, n in counts.items()
            if sum(abs(a - b) for a, b in zip(c, target, strict=True)) < 12
        )

    assert near((0xA8, 0x64, 0x00)) > 2000, "the REVIEW badge is not drawn: stylesheet blocked?"
    assert near((0xFF, 0xE2, 0xA8)) > 2000, "the advice highlight is not drawn"
