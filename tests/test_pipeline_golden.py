"""Whole articles: each fixture against its expected result (golden files).

Regenerate with ``pytest --regen-golden`` after a deliberate change, and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import filters
from filters.edits import apply_edits

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ARTICLES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".txt", ".html"))
# Arguments a fixture is checked with (what an ingest pipeline would declare).
ARGS: dict[str, dict[str, Any]] = {
    "gate_reuters_chip_export": {"source": "Reuters"},
    "gate_promo_with_advice": {"source": "Decrypt"},
}


def summarise(result: filters.Result) -> dict[str, Any]:
    return {
        "_generated": "do not edit; run pytest --regen-golden",
        "decision": result.decision,
        "decision_reasons": result.audit.decision_reasons,
        "language": result.language,
        "disclosures": result.disclosures.model_dump(mode="json"),
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "span": [f.span.start, f.span.end] if f.span else None,
                "excerpt": f.excerpt,
                "speaker": f.speaker,
            }
            for f in result.findings
        ],
        "edits": [
            [e.kind, e.rule, e.original_span.start, e.original_span.end] for e in result.edits
        ],
        "clean_text": result.clean_text,
    }


@pytest.mark.parametrize("article", ARTICLES, ids=[p.name for p in ARTICLES])
def test_fixture_matches_golden(article: Path, pipeline: filters.Pipeline, regen: bool) -> None:
    result = pipeline.check(article.read_bytes(), **ARGS.get(article.stem, {}))
    got = summarise(result)
    golden = article.with_suffix(".expected.json")
    if regen or not golden.exists():
        golden.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("article", ARTICLES, ids=[p.name for p in ARTICLES])
def test_clean_text_is_reproducible_from_input_and_edits(
    article: Path, pipeline: filters.Pipeline
) -> None:
    content = article.read_bytes()
    result = pipeline.check(content, fix=True, **ARGS.get(article.stem, {}))
    document = pipeline.load(content)
    assert apply_edits(document.text, result.edits) == result.clean_text


@pytest.mark.parametrize("article", ARTICLES, ids=[p.name for p in ARTICLES])
def test_finding_spans_point_at_their_excerpt(article: Path, pipeline: filters.Pipeline) -> None:
    result = pipeline.check(article.read_bytes(), **ARGS.get(article.stem, {}))
    for f in result.findings:
        if f.span is None or f.category in ("pii", "language"):
            continue
        quoted = result.clean_text[f.span.start : f.span.end]
        assert f.excerpt is None or quoted.startswith(f.excerpt[:20]), (f.rule, quoted, f.excerpt)


def test_chrome_words_inside_sentences_survive(pipeline: filters.Pipeline) -> None:
    text = (FIXTURES / "gate_reuters_chip_export.txt").read_text(encoding="utf-8")
    clean = pipeline.check(text).clean_text
    assert "said in a comment to staff" in clean
    for label in ("Reward", "Repost", "0/400", "No comments", "View Original", "robot"):
        assert f"\n{label}\n" not in f"\n{clean}\n"
