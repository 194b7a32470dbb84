"""The learned-wording advice rule (ADV-EN-011): what it reads, what it leaves, how it explains."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

import filters
from filters.advice_model import AdviceModel, features
from filters.errors import RulePackError
from filters.rulepack import load_rule_packs

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "rules" / "advice_model_en.toml"


def _model(pipeline: filters.Pipeline) -> AdviceModel:
    rule = next(r for r in pipeline.rules.of_kind("advice") if r.model is not None)
    return AdviceModel(rule)


def _advice(pipeline: filters.Pipeline, text: str) -> list[filters.Finding]:
    result = pipeline.check(text, language="en")
    return [f for f in result.findings if f.category == "advice"]


def test_features_are_words_pairs_and_the_opening_word() -> None:
    got = features("Stack 250 sats daily, friends.")
    assert {"stack", "0", "sats", "stack 0", "0 sats", "^stack"} <= got
    assert "250" not in got  # numbers are one token


def test_a_sentence_without_an_asset_or_market_is_not_read(pipeline: filters.Pipeline) -> None:
    model = _model(pipeline)
    assert not model.about_topic("Grab the new headphones today before the sale ends.")
    assert model.about_topic("Grab some $LINK today before the listing.")
    assert model.about_topic("Index funds beat most pickers over ten years.")


@pytest.mark.parametrize(
    "sentence",
    [
        "Honestly, the smart play this month is to keep stacking ether every single payday.",
        "Mark my words: this little token will be the best performer of the quarter.",
    ],
)
def test_fresh_promotional_wording_is_flagged_with_its_reasons(
    pipeline: filters.Pipeline, sentence: str
) -> None:
    found = _advice(pipeline, sentence)
    assert found and found[0].severity in ("warning", "error")
    names = [s.name for f in found for s in f.signals]
    # whichever rule caught it, the reasons are listed; the model names its words
    assert names
    if found[0].rule == "ADV-EN-011":
        assert any(n.startswith("ADV-EN-011:signal learned") for n in names)
        assert "learned model" in found[0].message


@pytest.mark.parametrize(
    "sentence",
    [
        "The exchange said trading volumes in ether fell by a fifth in the month to June.",
        "Bitcoin rose 3% on Tuesday as traders weighed the latest inflation figures.",
        '"Keep stacking ether every payday," the influencer told his followers.',
        "Should you keep stacking ether every payday?",
    ],
)
def test_news_quotes_and_questions_are_left_to_the_cue_rules(
    pipeline: filters.Pipeline, sentence: str
) -> None:
    assert not [f for f in _advice(pipeline, sentence) if f.rule == "ADV-EN-011"]


def test_the_model_names_a_category_and_its_reasons(pipeline: filters.Pipeline) -> None:
    model = _model(pipeline)
    verdict = model.read(
        "Honestly, the smart play this month is to keep stacking ether every single payday."
    )
    assert verdict.probability >= model.threshold
    assert verdict.category in model.classes[1:]
    assert verdict.top and all(w > 0 for _, w in verdict.top)
    plain = model.read("The central bank left its main rate unchanged on Thursday.")
    assert plain.probability < model.threshold and plain.top == ()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_pack_was_fitted_on_the_data_in_the_tree(language: str) -> None:
    """Editing the labelled sentences without re-running the training script fails here."""
    pack = ROOT / "rules" / f"advice_model_{language}.toml"
    header = pack.read_text(encoding="utf-8").split("[pack]")[0]
    names = re.findall(r'"(advice_[\w]+\.jsonl)"', header)
    assert names
    files = [ROOT / "tests" / "data" / n for n in names]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]
    assert digest in header, (
        f"re-run: python benchmarks/train_advice_model.py --language {language}"
    )
    on_disk = sorted(p.name for p in (ROOT / "tests" / "data").glob("advice_*.jsonl"))
    assert sorted(names) == on_disk


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ('["x", 0.1, 12, 0.5]', "bad class index"),
        ('["x", 0.1, "1", 0.5]', "is no integer"),
        ('["x", "0.1", 1, 0.5]', "gate weight is no number"),
        ("[3, 0.1, 1, 0.5]", "bad weights row"),
    ],
)
def test_a_broken_model_table_names_the_problem(tmp_path: Path, broken: str, message: str) -> None:
    text = PACK.read_text(encoding="utf-8")
    start = text.index("weights = [\n") + len("weights = [\n")
    pack = tmp_path / "advice_model_en.toml"
    pack.write_text(text[:start] + f"  {broken},\n" + text[start:], encoding="utf-8")
    with pytest.raises(RulePackError, match=message) as info:
        load_rule_packs(pack)
    assert "ADV-EN-011" in str(info.value)


def test_chinese_is_read_by_character_ngrams(pipeline: filters.Pipeline) -> None:
    rule = next(
        r for r in pipeline.rules.of_kind("advice") if r.model is not None and r.languages == ["zh"]
    )
    model = AdviceModel(rule)
    assert {"早点", "进场的"} <= features("早点进场的人", "zh")
    assert model.about_topic("这个币还能买吗")
    assert not model.about_topic("今天天气很好，适合出门散步。")
    found = _advice(pipeline, "央行周四宣布维持基准利率不变。")
    assert not [f for f in found if f.rule == "ADV-ZH-011"]
