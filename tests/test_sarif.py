"""SARIF 2.1.0: valid against the essentials of the schema, and regions that point at the text."""

from __future__ import annotations

import gzip
import html
import io
import json
import re
import sys
from functools import partial
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import filters
from cli import main
from filters.locate import Region, SourceLocator, rebuild_document_text
from tests.conftest import shared_path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DATA = Path(__file__).resolve().parent / "data"
SCHEMA = json.loads((DATA / "sarif-2.1.0-subset.schema.json").read_text(encoding="utf-8"))
PROMO = FIXTURES / "gate_promo_with_advice.txt"
HTML_ARTICLE = DATA / "report_article.html"


def sarif(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", "--format", "sarif", *argv])
    log = json.loads(capsys.readouterr().out)
    jsonschema.validate(log, SCHEMA, format_checker=jsonschema.FormatChecker())
    return code, log


def region_text(path: Path, region: dict[str, int]) -> str:
    lines = path.read_text(encoding="utf-8").split("\n")
    sl, sc, el, ec = (region[k] for k in ("startLine", "startColumn", "endLine", "endColumn"))
    if sl == el:
        return lines[sl - 1][sc - 1 : ec - 1]
    middle = lines[sl : el - 1]
    return "\n".join([lines[sl - 1][sc - 1 :], *middle, lines[el - 1][: ec - 1]])


def test_one_run_with_rules_results_and_artifacts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # review tools want paths relative to the repository
    relative = [
        "fixtures/gate_promo_with_advice.txt",
        "fixtures/gate_reuters_chip_export.txt",
        "tests/data/report_article.html",
    ]
    code, log = sarif(capsys, *relative)
    assert code == 1 and log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert driver["name"] == "prepub" and driver["version"] == filters.__version__
    rules = filters.load_rule_packs()
    assert {r["id"] for r in driver["rules"]} == {r.id for r in rules.rules}
    for descriptor in driver["rules"]:
        rule = rules.by_id[descriptor["id"]]
        assert descriptor["fullDescription"]["text"] == rule.rationale
        assert descriptor["properties"]["citations"] == list(rule.citations)
        assert descriptor["properties"]["category"] == rule.category
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    assert uris == relative
    assert [a["properties"]["decision"] for a in run["artifacts"]] == [
        "review",
        "publish",
        "review",
    ]
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert run["artifacts"][location["index"]]["location"]["uri"] == location["uri"]
    levels = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["index"], r["ruleId"]): r[
            "level"
        ]
        for r in run["results"]
    }
    assert levels[0, "ADV-EN-001"] == "note"  # reported speech, info -> note
    assert levels[0, "ADV-EN-004"] == "warning"


def test_text_regions_are_the_finding_in_the_file(
    capsys: pytest.CaptureFixture[str], pipeline: filters.Pipeline
) -> None:
    _, log = sarif(capsys, str(PROMO), "--source", "Decrypt")
    results = log["runs"][0]["results"]
    result = pipeline.check(PROMO.read_bytes(), source="Decrypt")
    doc = pipeline.load(PROMO.read_bytes()).text
    assert len(results) == len(result.findings)
    for item, finding in zip(results, result.findings, strict=True):
        assert item["ruleId"] == finding.rule
        assert finding.original_span is not None
        region = item["locations"][0]["physicalLocation"]["region"]
        expected = doc[finding.original_span.start : finding.original_span.end]
        assert region_text(PROMO, region) == expected
    assert "speaker: Analysts at Harbor Digital" in results[0]["message"]["text"]


def test_html_regions_point_at_the_text_inside_the_markup(
    capsys: pytest.CaptureFixture[str], pipeline: filters.Pipeline
) -> None:
    _, log = sarif(capsys, str(HTML_ARTICLE))
    run = log["runs"][0]
    assert run["artifacts"][0]["mimeType"] == "text/html"
    assert run["artifacts"][0]["properties"]["mapping"] == "html-source-text"
    doc = pipeline.load(HTML_ARTICLE.read_bytes()).text
    placed = 0
    for item in run["results"]:
        physical = item["locations"][0]["physicalLocation"]
        span = item["properties"]["documentSpan"]
        if span is None:
            assert "region" not in physical  # a missing disclaimer is about the whole file
            continue
        source = region_text(HTML_ARTICLE, physical["region"])
        visible = html.unescape(re.sub(r"<[^>]*>", "", source))
        assert "".join(visible.split()) == "".join(doc[span[0] : span[1]].split())
        placed += 1
    assert placed >= 2  # the advice sentence across <em> and a line break, and the e-mail


def test_personal_data_stays_masked(capsys: pytest.CaptureFixture[str]) -> None:
    sarif(capsys, str(PROMO), str(HTML_ARTICLE))
    main(["check", "--format", "sarif", str(PROMO), str(HTML_ARTICLE)])
    out = capsys.readouterr().out
    assert "@quillfans-mail.com" not in out and "@lending-desk-example.com" not in out


def test_unreadable_inputs_become_notifications(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "gone.txt"
    code = main(["check", "--format", "sarif", str(PROMO), str(missing)])
    captured = capsys.readouterr()
    log = json.loads(captured.out)
    jsonschema.validate(log, SCHEMA)
    invocation = log["runs"][0]["invocations"][0]
    assert code == 2 and invocation["executionSuccessful"] is False
    note = invocation["toolExecutionNotifications"][0]
    assert "no such file" in note["message"]["text"] and note["level"] == "error"
    assert "no such file" in captured.err


def test_absolute_paths_are_file_uris(capsys: pytest.CaptureFixture[str]) -> None:
    _, log = sarif(capsys, str(PROMO))
    assert log["runs"][0]["artifacts"][0]["location"]["uri"] == PROMO.as_uri()


def test_stdin_has_no_uri(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PROMO.read_bytes())))
    _, log = sarif(capsys, "-")
    location = log["runs"][0]["artifacts"][0]["location"]
    assert "uri" not in location and location["description"]["text"] == "standard input"


def test_sarif_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "prepub.sarif"
    assert main(["check", "--format", "sarif", str(PROMO), "--out", str(out)]) == 1
    assert capsys.readouterr().out == ""
    jsonschema.validate(json.loads(out.read_text(encoding="utf-8")), SCHEMA)


def test_schema_subset_rejects_what_it_should() -> None:
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)  # a result needs a message
    region = {"startLine": 0}
    bad = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "x"}},
                "results": [
                    {
                        "message": {"text": "m"},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": "a"},
                                    "region": region,
                                }
                            }
                        ],
                    }
                ],
            }
        ],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)  # lines are 1-based


# --- the locator behind the regions -----------------------------------------------------


def visible(source: str) -> str:
    """Text of an HTML fragment as a browser shows it, whitespace dropped (for comparison)."""
    source = re.sub(r"<(script|style)\b.*?</\1\s*>", "", source, flags=re.S | re.I)
    return "".join(html.unescape(re.sub(r"<[^>]*>", "", source)).split())


def source_slice(lines: list[str], region: Region) -> str:
    if region.start_line == region.end_line:
        return lines[region.start_line - 1][region.start_column - 1 : region.end_column - 1]
    return "\n".join(
        [
            lines[region.start_line - 1][region.start_column - 1 :],
            *lines[region.start_line : region.end_line - 1],
            lines[region.end_line - 1][: region.end_column - 1],
        ]
    )


def test_rebuilt_document_text_is_the_loaded_one(pipeline: filters.Pipeline) -> None:
    paths = [*FIXTURES.glob("*.txt"), *FIXTURES.glob("*.html"), HTML_ARTICLE]
    paths += sorted((DATA / "hostile").iterdir())
    for path in paths:
        for fix in (False, True):
            result = pipeline.check(path.read_bytes(), fix=fix)
            doc = pipeline.load(path.read_bytes()).text
            rebuilt = rebuild_document_text(result.clean_text, result.edits)
            assert len(rebuilt) == len(doc), path.name
            # equal, except where removed text was masked (then filled with U+FFFD)
            assert all(a == b or a == "\ufffd" for a, b in zip(rebuilt, doc, strict=True))


def test_html_regions_on_real_pages(pipeline: filters.Pipeline) -> None:
    pages = sorted(shared_path("corpus", "html", "pages").glob("*.html.gz"))[:10]
    spans = placed = matching = 0
    for page in pages:
        content = gzip.decompress(page.read_bytes())
        result = pipeline.check(content)
        doc = pipeline.load(content).text
        locator = SourceLocator(content, result, partial(pipeline.load, content))
        lines = content.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")
        rebuilt = rebuild_document_text(result.clean_text, result.edits)
        edits = [e.original_span for e in result.edits]
        for span in [f.original_span for f in result.findings if f.original_span] + edits:
            needle = "".join(doc[span.start : span.end].split())
            if not needle or "\ufffd" in rebuilt[span.start : span.end]:
                continue  # nothing to place, or removed text recorded masked
            spans += 1
            region = locator.region(span)
            if region is None:
                continue
            placed += 1
            matching += visible(source_slice(lines, region)) == needle
    assert spans > 100
    assert placed / spans > 0.98 and matching / placed > 0.98, (spans, placed, matching)
