"""The weighted score (ADV-EN-010 and its Chinese twin): reading, voice and its gate.

Every sentence here was written for these tests. The holdout files under ``tests/data``
are batches written blind (scored before any tuning on them, see the README).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import filters
from filters.advice_index import clause_starts, opens_clause
from filters.advice_score import Scorer
from filters.flag_advice import FlagAdvice
from filters.segment import split_sentences

DATA = Path(__file__).parent / "data"
HOLDOUTS = sorted(DATA.glob("advice_holdout_*.jsonl"))
PRECISION = {"en": 0.90, "zh": 0.85}


def _stage(pipeline: filters.Pipeline) -> FlagAdvice:
    return pipeline.stage("flag_advice")


def _scorer(pipeline: filters.Pipeline, lang: str) -> Scorer:
    return _stage(pipeline)._scorers[lang][0]


def flagged(pipeline: filters.Pipeline, text: str, lang: str = "en") -> list[filters.Finding]:
    return [
        f
        for f in pipeline.check(text, language=lang).findings
        if f.category == "advice" and f.severity in ("warning", "error")
    ]


# -- reading ----------------------------------------------------------------------------


def test_a_counter_word_inside_a_promise_does_not_count(pipeline: filters.Pipeline) -> None:
    """'had' in 'never had a down month' is part of the promise, not a past event."""
    total, evidence = _scorer(pipeline, "en").score(
        "Our vault has never had a down month, and your balance only grows."
    )
    names = {e.name for e in evidence}
    assert "a promise of safety or certainty" in names
    assert "a past event" not in names
    assert total >= 4


def test_the_own_clause_after_a_report_is_scored_alone(pipeline: filters.Pipeline) -> None:
    text = "A trader I trust told me he is stacking this coin, so I'm in and you should be too."
    found = flagged(pipeline, text)
    assert found and all(f.speaker is None for f in found)


def test_a_report_without_an_own_clause_stays_reported(pipeline: filters.Pipeline) -> None:
    assert not flagged(pipeline, "A trader told reporters he is stacking the coin every week.")


def test_a_command_after_a_command_and_a_comma_opens_a_clause() -> None:
    command = "Don't let your bonus sit in a current account, put it into ETH."
    report = "The fund let its bonus pool sit in cash for a year, put simply."
    assert opens_clause(command, command.index("put"), "en")
    assert command.index("put") in clause_starts(command, "en")  # the gate agrees
    assert not opens_clause(report, report.index("put"), "en")


# -- Chinese voice ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "不少大V都在偷偷囤这个币，只是不肯说出来。",  # a negated speech frame reports no one
        "这个币拿到年底，五倍都是保守估计。",  # 估计 is a noun after a copula here
        "本平台承诺年化收益不低于12%，到期本息一次兑付。",  # the publisher's own promise
        "手头有闲钱的话，不如把存款取出来投资比特币。",  # 不如 is no negation
    ],
)
def test_chinese_own_voice_is_read_as_the_publishers(pipeline: filters.Pipeline, text: str) -> None:
    assert flagged(pipeline, text, "zh"), text


@pytest.mark.parametrize(
    "text",
    [
        "据分析师表示，这个币拿到年底至少翻五倍。",
        "警方通报，该平台曾承诺年化收益不低于12%。",
    ],
)
def test_chinese_reports_stay_reported(pipeline: filters.Pipeline, text: str) -> None:
    assert not flagged(pipeline, text, "zh"), text


# -- the gate is an optimisation, never a filter ----------------------------------------


def _rows() -> list[dict[str, str]]:
    rows = []
    for path in [DATA / "advice_sentences.jsonl", *HOLDOUTS]:
        rows += [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
    return rows


def test_the_gate_never_rejects_a_sentence_the_score_accepts(
    pipeline: filters.Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``could_reach`` bounds the score from above: with it switched off, nothing new fires.

    (By design the gate also asks for one sign of promotion, a ``marker`` signal: a
    sentence that scores without one is news about assets and prices, and is left alone.)
    """
    stage = _stage(pipeline)
    sentences = [(s.text, r["lang"]) for r in _rows() for s in split_sentences(r["text"]) if s.text]
    gated = {}
    for text, lang in sentences:
        for sc in stage._scorers[lang]:
            gated[(text, sc.rule.id)] = sc.score(text)[0] >= sc.threshold
    for scorers in stage._scorers.values():
        for sc in scorers:
            monkeypatch.setattr(sc, "could_reach", lambda *a, **k: True)
    for text, lang in sentences:
        for sc in stage._scorers[lang]:
            total, evidence = sc.score(text)
            marked = any(e.name in sc.markers for e in evidence if e.weight > 0)
            full = total >= sc.threshold and marked
            assert full <= gated[(text, sc.rule.id)], (text, sc.rule.id)


# -- the blind batches ------------------------------------------------------------------


@pytest.mark.parametrize("path", HOLDOUTS, ids=lambda p: p.stem)
def test_near_misses_of_the_holdout_batches_keep_precision(
    pipeline: filters.Pipeline, path: Path
) -> None:
    """Recall on a batch is measured by hand (benchmarks/bench_advice.py); precision is kept."""
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
    counts = {"en": [0, 0], "zh": [0, 0]}  # tp, fp
    for r in rows:
        hit = bool(flagged(pipeline, r["text"], r["lang"]))
        if hit:
            counts[r["lang"]][r["label"] != "advice"] += 1
    for lang, (tp, fp) in counts.items():
        if tp + fp:
            assert tp / (tp + fp) >= PRECISION[lang], (path.name, lang, tp, fp)
