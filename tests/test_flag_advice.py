"""The advice stage reads like a reviewer: voice, form, category, evidence, speed machinery.

Every sentence here was written for these tests. The decision rules R1-R10 are those of
the advice taxonomy (see the module docstring of ``filters/flag_advice.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import filters
from filters.advice_index import clause_starts, opens_clause, required_literals
from filters.flag_advice import FlagAdvice
from filters.segment import split_sentences
from tests.conftest import shared_path

OWN_SENTENCES = Path(__file__).parent / "data" / "advice_sentences.jsonl"
TARGETS = {"en": (0.90, 0.85), "zh": (0.85, 0.80)}  # precision, recall


def advice(pipeline: filters.Pipeline, text: str, lang: str = "en") -> list[filters.Finding]:
    return [f for f in pipeline.check(text, language=lang).findings if f.category == "advice"]


def flagged(pipeline: filters.Pipeline, text: str, lang: str = "en") -> list[filters.Finding]:
    return [f for f in advice(pipeline, text, lang) if f.severity in ("warning", "error")]


# -- voice (R1) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, speaker",
    [
        (
            "Analysts at Harbor Digital said investors should buy the token.",
            "Analysts at Harbor Digital",
        ),
        ("According to the CEO, the coin will hit $10 by June.", "the CEO"),
        ("'Buy every dip,' the fund manager told clients on Tuesday.", "the fund manager"),
        ("Bitcoin will reach $200,000 next year, Standard Chartered said.", "Standard Chartered"),
    ],
)
def test_reported_speech_is_recorded_at_info_with_its_speaker(
    pipeline: filters.Pipeline, text: str, speaker: str
) -> None:
    found = advice(pipeline, text)
    assert found and all(f.severity == "info" for f in found)
    assert speaker in (found[0].speaker or "")
    assert speaker in found[0].explanation


@pytest.mark.parametrize(
    "text",
    [
        "据彭博社报道，分析师建议投资者逢低买入比特币。",
        "某交易所创始人称，以太坊年底必破一万美元。",
    ],
)
def test_chinese_reported_speech_is_not_the_publishers_voice(
    pipeline: filters.Pipeline, text: str
) -> None:
    found = advice(pipeline, text, "zh")
    assert found and all(f.severity == "info" and f.speaker for f in found)


def test_the_publishers_own_voice_is_flagged_with_speaker_none(pipeline: filters.Pipeline) -> None:
    found = flagged(pipeline, "Grab some AVAX while it is still under $30.")
    assert len(found) == 1
    assert found[0].speaker is None
    assert found[0].severity == "warning"


def test_adopting_a_reported_view_makes_it_advice(pipeline: filters.Pipeline) -> None:
    assert not flagged(pipeline, "Analysts think the token will hit $5 next month.")
    assert flagged(
        pipeline, "Analysts think the token will hit $5 next month, and they're right, so get in."
    )


def test_an_own_clause_after_a_report_is_flagged_r8(pipeline: filters.Pipeline) -> None:
    text = "Bernstein expects ether to outperform this quarter, so load up on ETH now."
    found = flagged(pipeline, text)
    assert found and found[0].speaker is None


def test_advice_appended_to_a_fact_is_flagged_r8(pipeline: filters.Pipeline) -> None:
    assert flagged(
        pipeline, "Solana fell 6% on Monday, which is a gift for anyone building a position."
    )


# -- form (R3-R7, R9) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "We are not telling readers to sell their ether.",  # R4 negation
        "This is not a recommendation to buy or sell any asset.",
        "Should you buy bitcoin before the halving?",  # R5 neutral question
        "Will XRP reach $5 this year?",
        "Someone who bought bitcoin in 2015 would be sitting on a huge gain today.",  # R6
        "When you stake ETH, you lock it up and earn rewards in return.",  # R7
        "The regulator fined the app for promising guaranteed returns.",  # R9
        "Police said the scammers told victims they could not lose money.",
        "Don't invest unless you're prepared to lose all the money you invest.",  # prescribed
        "This is a high-risk investment and you should not expect to be protected if something goes wrong.",
        "Past performance is not a reliable indicator of future results.",
        "Retail FOMO drove the late rally, according to two trading desks.",  # phenomenon
    ],
)
def test_near_misses_are_not_flagged(pipeline: filters.Pipeline, text: str) -> None:
    assert not flagged(pipeline, text), text


@pytest.mark.parametrize(
    "text",
    [
        "Not financial advice, but buy LINK before Friday.",  # R3: a disclaimer does not cure
        "It's never a bad time to put money into ether.",  # R4: rhetorical double negation
        "Why wouldn't you own bitcoin at these prices?",  # R5: rhetorical question
        "It did 40x last cycle and it'll do it again.",  # R6: recurrence
        "Park $2k here and you'll be retiring early.",
    ],
)
def test_forms_that_still_push_the_reader_are_flagged(
    pipeline: filters.Pipeline, text: str
) -> None:
    assert flagged(pipeline, text), text


def test_a_negated_call_to_sell_is_still_a_call_to_hold(pipeline: filters.Pipeline) -> None:
    assert flagged(pipeline, "Don't sell your bitcoin below six figures.")


@pytest.mark.parametrize(
    "text",
    [
        "比特币还能涨吗？",
        "本文不构成任何投资建议，投资者据此操作，风险自担。",
        "警方提醒，承诺“稳赚不赔”的项目都是诈骗。",
    ],
)
def test_chinese_near_misses(pipeline: filters.Pipeline, text: str) -> None:
    assert not flagged(pipeline, text, "zh"), text


@pytest.mark.parametrize(
    "text",
    ["牛市末班车就要开了，你还在观望吗？", "稳赚不赔，本金100%保障。", "现价附近可以分批建仓。"],
)
def test_chinese_advice(pipeline: filters.Pipeline, text: str) -> None:
    assert flagged(pipeline, text, "zh"), text


# -- the finding (R10 and evidence) -----------------------------------------------------


def test_most_specific_category_wins_and_every_signal_is_listed(pipeline: filters.Pipeline) -> None:
    text = "Buy SOL now: it's a guaranteed 30% return."
    found = flagged(pipeline, text)
    assert len(found) == 1
    f = found[0]
    assert f.name == "advice.guaranteed_returns"
    assert f.severity == "error"
    names = {s.name.split(":")[1] for s in f.signals if s.name.startswith("ADV-")}
    assert {"guaranteed_returns", "direct_recommendation"} <= names
    assert "also: " in f.message and f.citations
    assert "Basis:" in f.explanation


def test_the_span_is_the_sentence_in_the_clean_text(pipeline: filters.Pipeline) -> None:
    text = "Market wrap\n\nBitcoin rose 2%. We recommend readers accumulate Chainlink on any dip. Volumes were thin."
    result = pipeline.check(text, language="en")
    (f,) = [x for x in result.findings if x.category == "advice"]
    assert f.span is not None
    assert result.clean_text[f.span.start : f.span.end] == (
        "We recommend readers accumulate Chainlink on any dip."
    )


# -- the article as a whole -------------------------------------------------------------


def test_an_article_full_of_calls_and_no_risk_wording_is_a_finding(
    pipeline: filters.Pipeline,
) -> None:
    text = "Grab ether now.\nBitcoin will hit $150,000 soon.\nThe bottom is in for solana.\nLoad up on LINK today."
    assert any(f.rule == "ADV-000" for f in advice(pipeline, text))
    balanced = text + "\nCrypto prices are volatile and you could lose all of your money."
    assert not any(f.rule == "ADV-000" for f in advice(pipeline, balanced))


def test_risk_wording_inside_the_advice_itself_does_not_balance_it(
    pipeline: filters.Pipeline,
) -> None:
    text = "Grab ether now.\nBitcoin will hit $150,000 soon.\nForget the risk warnings and load up on LINK today."
    assert any(f.rule == "ADV-000" for f in advice(pipeline, text))


def test_chinese_article_without_risk_wording(pipeline: filters.Pipeline) -> None:
    text = "现在就该满仓以太坊。\n比特币年底必破15万美元。\n回调就是最好的上车机会。"
    assert any(f.rule == "ADV-ZH-000" for f in advice(pipeline, text, "zh"))
    text += "\n风险提示：加密货币价格波动剧烈，投资需谨慎。"
    assert not any(f.rule == "ADV-ZH-000" for f in advice(pipeline, text, "zh"))


# -- labelled sentences -----------------------------------------------------------------


def _score(pipeline: filters.Pipeline, rows: list[dict]) -> dict[str, tuple[float, float]]:
    counts: dict[str, list[int]] = {}
    for row in rows:
        c = counts.setdefault(row["lang"], [0, 0, 0])
        gold = row["label"] == "advice"
        pred = bool(flagged(pipeline, row["text"], row["lang"]))
        c[0] += gold and pred
        c[1] += pred and not gold
        c[2] += gold and not pred
    return {
        lang: (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
        for lang, (tp, fp, fn) in counts.items()
    }


def test_sentences_written_for_this_project_meet_the_targets(pipeline: filters.Pipeline) -> None:
    rows = [json.loads(x) for x in OWN_SENTENCES.read_text(encoding="utf-8").splitlines() if x]
    for lang, (precision, recall) in _score(pipeline, rows).items():
        want_p, want_r = TARGETS[lang]
        assert precision >= want_p and recall >= want_r, (lang, precision, recall)


def test_development_sentences_meet_the_targets(pipeline: filters.Pipeline) -> None:
    path = shared_path("corpus", "advice", "dev.jsonl")
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
    for lang, (precision, recall) in _score(pipeline, rows).items():
        want_p, want_r = TARGETS[lang]
        assert precision >= want_p and recall >= want_r, (lang, precision, recall)


# -- the machinery that makes it fast ---------------------------------------------------


def _stage(pipeline: filters.Pipeline) -> FlagAdvice:
    return pipeline.stage("flag_advice")


def test_every_cue_pattern_is_reachable_from_a_literal(pipeline: filters.Pipeline) -> None:
    stage = _stage(pipeline)
    for index in stage._index.values():
        assert not index.always, [index.cuers[i].rule.id for i in index.always]


def test_gated_matching_finds_exactly_what_a_full_scan_finds(pipeline: filters.Pipeline) -> None:
    """The literal gate and the anchored ``match`` calls are an optimisation, never a filter."""
    stage = _stage(pipeline)
    rows = [json.loads(x) for x in OWN_SENTENCES.read_text(encoding="utf-8").splitlines() if x]
    examples = [(r["text"], r["lang"]) for r in rows]
    for rule in pipeline.rules.of_kind("advice"):
        for lang, ex in rule.examples.items():
            examples += [(t if isinstance(t, str) else t.text, lang) for t in ex.must_match]
    for text, lang in examples:
        index = stage._index[lang]
        for sent in split_sentences(text):
            fast = {(c.rule.id, c.start, c.text) for c in stage.cues(sent.text, lang)}
            slow = set()
            combos: set[str] = set()
            for cuer in index.cuers:
                if not all(part.search(sent.text) for part, _ in cuer.others):
                    continue  # a combination needs all its parts in the sentence
                for m in cuer.pattern.finditer(sent.text):
                    s = m.start()
                    while s < m.end() and sent.text[s].isspace():
                        s += 1
                    if cuer.clause_start and not opens_clause(sent.text, s, lang):
                        continue
                    if cuer.others:  # a combination's span runs over its parts
                        combos.add(cuer.rule.id)
                        continue
                    slow.add((cuer.rule.id, s, sent.text[s : m.end()]))
            assert combos <= {x[0] for x in fast}, (text, combos)
            assert {x[:2] for x in slow} <= {x[:2] for x in fast} | _blocked(
                stage, sent.text, lang
            ), (
                text,
                slow - fast,
            )


def _blocked(stage: FlagAdvice, sentence: str, lang: str) -> set[tuple[str, int]]:
    """Full-scan hits that an exception phrase removes (e.g. 'buy back')."""
    out = set()
    for rule in stage.rules:
        exc = rule.compiled_exceptions
        if exc is None or not rule.applies_to(lang):
            continue
        spans = [(m.start(), m.end()) for m in exc.finditer(sentence)]
        for pat in rule.compiled:
            for m in pat.finditer(sentence):
                if any(s < m.end() and m.start() < e for s, e in spans):
                    out.add((rule.id, m.start()))
    return out


def test_required_literals_are_whole_words() -> None:
    import re

    assert required_literals(re.compile(r"\bguaranteed\s+(?:returns?|profits?)\b", re.I)) in (
        frozenset({"guaranteed"}),
        frozenset({"return", "returns", "profit", "profits"}),
    )
    assert required_literals(re.compile(r"\b(?:buy|sell)(?:ing)?\s+\w+", re.I)) == frozenset(
        {"buy", "buying", "sell", "selling"}
    )
    assert required_literals(re.compile(r"\d+x", re.I)) is None


def test_clause_starts_follow_breaks_and_openers() -> None:
    sentence = "Honestly, buy now; the chart is clean, so load up."
    starts = {sentence[i : i + 4] for i in clause_starts(sentence, "en")}
    assert {"buy ", "load"} <= starts
    assert opens_clause(sentence, sentence.index("buy"), "en")
    assert not opens_clause("The fund will buy Nvidia.", 14, "en")


def test_a_pack_with_an_unknown_lexicon_word_fails_at_load(tmp_path: Path) -> None:
    pack = tmp_path / "advice_x.toml"
    pack.write_text(
        """[pack]
name = "advice-x"
version = "0.1.0"
description = "test"

[lexicon]
coin = ['bitcoin|ether']

[[rule]]
id = "ADV-XX-001"
name = "advice.x"
kind = "advice"
advice_category = "direct_recommendation"
severity = "warning"
languages = ["en"]
message = "m"
rationale = "r"
imperative = ['{start}buy\\s+{coni}']
[rule.examples.en]
must_match = ["Buy bitcoin."]
must_not_match = ["Sold bitcoin."]
""",
        encoding="utf-8",
    )
    with pytest.raises(filters.RulePackError) as info:
        filters.load_rule_packs(pack)
    message = str(info.value)
    assert "ADV-XX-001" in message and "imperative[0]" in message and "{coni}" in message
