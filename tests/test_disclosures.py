"""The approved-disclaimer registry: tolerant matching, altered copies, placement, --fix."""

from __future__ import annotations

import json

import pytest

import filters
from filters.check_disclosures import expected_disclaimer
from filters.rulepack import RulePackError, load_pack
from tests.conftest import disclosures_after_removal, shared_path

GATE = (
    "This page may contain third-party content, which is provided for information purposes "
    "only (not representations/warranties) and should not be considered as an endorsement of "
    "its views by Gate, nor as financial or professional advice. See Disclaimer for details."
)
GATE_ZH = (
    "本页面可能包含第三方内容，仅供参考（非陈述/保证），不应被视为 Gate 认可其观点表述，"
    "也不得被视为财务或专业建议。详见声明。"
)
BODY = (
    "The exchange said on Tuesday that spot volumes rose by a third in the quarter, "
    "helped by new listings and a return of retail traders in Asia, The Block reported.\n\n"
    "Derivatives volumes were flat, the exchange added in its quarterly update.\n\n"
)
BODY_ZH = (
    "据路透社报道，该交易所周二表示，第二季度现货交易量增长约三成，新上线的币种带动散户回流。\n\n"
)


def _codes(result: filters.Result) -> set[str]:
    return {f.rule for f in result.findings}


@pytest.mark.parametrize(
    "disclaimer",
    [
        GATE,
        GATE.upper(),
        GATE.replace(" ", "\n", 7).replace("(", "“").replace(")", "”"),
        "• " + GATE.replace("Gate,", "<b>Gate</b>,").replace("only", "only&nbsp;"),
        "Disclaimer: " + GATE.replace("representations/warranties", "representations / warranties"),
        GATE.replace(". See", ".\n\n- See"),
    ],
    ids=["verbatim", "upper-case", "line-breaks-quotes", "bullet-markup-entity", "label", "split"],
)
def test_approved_wording_matches_despite_formatting(
    disclaimer: str, pipeline: filters.Pipeline
) -> None:
    result = pipeline.check(BODY + disclaimer)
    d = result.disclosures.disclaimer
    assert d.present and d.matched == "gate-third-party@2024.1" and d.similarity == 1.0
    assert d.placement == "end" and d.language == "en" and d.certainty == "confirmed"
    assert not _codes(result) & {"DIS-001", "DIS-002", "DIS-003", "DIS-004"}


def test_chinese_wording_is_matched_and_reported_as_unconfirmed(
    pipeline: filters.Pipeline,
) -> None:
    d = pipeline.check(BODY_ZH + GATE_ZH.replace("，", ", ")).disclosures.disclaimer
    assert d.present and d.matched == "gate-third-party@2024.1-zh"
    assert d.language == "zh" and d.certainty == "unconfirmed"


def test_truncated_copy_is_altered_never_present(pipeline: filters.Pipeline) -> None:
    cut = GATE[: GATE.index("nor as")]
    result = pipeline.check(BODY + cut)
    d = result.disclosures.disclaimer
    assert not d.present and d.altered and d.matched == "gate-third-party@2024.1"
    assert 0.5 <= (d.similarity or 0) < 1
    finding = next(f for f in result.findings if f.rule == "DIS-002")
    assert "truncated" in finding.message and "gate-third-party@2024.1" in finding.message
    assert result.decision == "review"


def test_reworded_copy_is_altered(pipeline: filters.Pipeline) -> None:
    reworded = GATE.replace("should not be considered", "should be considered").replace(
        "nor as", "and as"
    )
    result = pipeline.check(BODY + reworded)
    d = result.disclosures.disclaimer
    assert not d.present and d.altered
    message = next(f.message for f in result.findings if f.rule == "DIS-002")
    assert "altered" in message and "%" in message


def test_disclaimer_in_the_middle_of_the_article_is_a_placement_finding(
    pipeline: filters.Pipeline,
) -> None:
    result = pipeline.check(GATE + "\n\n" + BODY)
    d = result.disclosures.disclaimer
    assert d.present and d.placement == "body"
    assert "DIS-003" in _codes(result)


def test_footer_lines_after_the_disclaimer_are_allowed(pipeline: filters.Pipeline) -> None:
    footer = (
        "\n© 2025 Harbor Ledger. All rights reserved. Reprinting of this article requires the "
        "written consent of the publisher and a link to the original page."
    )
    result = pipeline.check(BODY + GATE + footer)
    assert result.disclosures.disclaimer.placement == "end"
    assert "DIS-003" not in _codes(result)


def test_disclaimer_only_in_removed_chrome_is_a_placement_finding(
    pipeline: filters.Pipeline,
) -> None:
    text = BODY + GATE + "\n"
    ctx = disclosures_after_removal(
        pipeline, text, text.index(GATE), "test: removed as page chrome"
    )
    d = ctx.disclosures.disclaimer
    assert not d.present and d.placement == "chrome" and d.matched == "gate-third-party@2024.1"
    assert [f.rule for f in ctx.findings if f.category == "disclaimer"] == ["DIS-003"]


def test_generic_statement_is_recognised_but_not_enough(pipeline: filters.Pipeline) -> None:
    result = pipeline.check(BODY + "This article is not financial advice. Do your own research.")
    d = result.disclosures.disclaimer
    assert not d.present and len(d.generic) == 2
    assert {"DIS-004", "DIS-010"} <= _codes(result) and "DIS-001" not in _codes(result)


def test_generic_words_inside_the_approved_wording_are_not_reported(
    pipeline: filters.Pipeline,
) -> None:
    result = pipeline.check(BODY + GATE)
    assert result.disclosures.disclaimer.generic == []  # "for information purposes only"


def test_missing_disclaimer_names_the_expected_wording(pipeline: filters.Pipeline) -> None:
    result = pipeline.check(BODY)
    message = next(f.message for f in result.findings if f.rule == "DIS-001")
    assert "gate-third-party@2024.1" in message


@pytest.mark.parametrize(
    ("body", "language", "version"),
    [
        (BODY, "en", "2024.1"),
        (BODY_ZH, "zh", "2024.1-zh"),
        (
            "據路透社報道，該交易所週二表示，第二季度現貨交易量增長約三成，新上線的幣種帶動散戶回流。這是過去幾個月來最大的增長。\n",
            "zh-Hant",
            "2024.1-zh-Hant",
        ),
        (
            "ロイターによると、同取引所の第2四半期の現物取引高は約3割増えた。新規上場の銘柄が個人投資家を呼び戻したという。\n",
            "en",
            "2024.1",
        ),
    ],
    ids=["en", "zh", "zh-Hant", "ja-falls-back-to-en"],
)
def test_fix_appends_the_wording_for_the_article_language(
    body: str, language: str, version: str, pipeline: filters.Pipeline
) -> None:
    result = pipeline.check(body, fix=True)
    inserts = [e for e in result.edits if e.kind == "insert"]
    assert len(inserts) == 1 and inserts[0].rule == "DIS-001"
    assert f"gate-third-party@{version}" in inserts[0].reason
    d = result.disclosures.disclaimer
    assert d.present and d.placement == "inserted" and d.language == language
    assert result.clean_text.rstrip().endswith(inserts[0].text.strip())
    assert next(f for f in result.findings if f.rule == "DIS-001").fixed
    assert "fixed: DIS-001" in result.audit.decision_reasons or result.decision == "review"


def test_fix_decision_says_fixed(pipeline: filters.Pipeline) -> None:
    result = pipeline.check(BODY, fix=True)
    assert result.decision == "publish"
    assert result.audit.decision_reasons == ["fixed: DIS-001"]
    again = pipeline.check(result.clean_text)
    assert again.disclosures.disclaimer.present and again.decision == "publish"


def test_fix_leaves_an_altered_copy_for_review(pipeline: filters.Pipeline) -> None:
    result = pipeline.check(BODY + GATE[:150], fix=True)
    assert not [e for e in result.edits if e.kind == "insert"]
    assert result.decision == "review" and "DIS-002" in result.audit.decision_reasons


def test_expected_disclaimer_prefers_the_profile_and_language(
    pipeline: filters.Pipeline,
) -> None:
    entries = pipeline.rules.disclaimers
    gate = next(p for p in pipeline.rules.profiles if p.id == "gate")
    assert expected_disclaimer(entries, gate, "vi", "").version == "2024.1"  # type: ignore[union-attr]
    assert expected_disclaimer(entries, None, "zh", "这是简体中文").version == "2024.1-zh"  # type: ignore[union-attr]
    assert expected_disclaimer([], None, "en", "") is None


def test_registry_entries_say_where_the_wording_comes_from(pipeline: filters.Pipeline) -> None:
    for entry in pipeline.rules.disclaimers:
        assert entry.provenance and entry.certainty in ("confirmed", "unconfirmed")
    languages = {e.language for e in pipeline.rules.disclaimers if e.id == "gate-third-party"}
    assert {"en", "zh", "zh-Hant"} <= languages


def test_registry_rejects_a_duplicate_language_version(tmp_path: pytest.TempPathFactory) -> None:
    pack = tmp_path / "dup.toml"  # type: ignore[operator]
    entry = (
        '[[disclaimer]]\nid = "x"\nversion = "1"\nlanguage = "en"\nplatform = "p"\n'
        'provenance = "test"\ntext = "This wording is long enough to be a disclaimer."\n'
    )
    pack.write_text('[pack]\nname = "dup"\nversion = "1.0.0"\ndescription = "d"\n' + entry * 2)
    from filters.rulepack import load_rule_packs

    with pytest.raises(RulePackError, match="defined twice for language en"):
        load_rule_packs(pack)


def test_trigger_window_rules_cannot_use_end_anchor(tmp_path: pytest.TempPathFactory) -> None:
    pack = tmp_path / "bad.toml"  # type: ignore[operator]
    pack.write_text(
        '[pack]\nname = "bad"\nversion = "1.0.0"\ndescription = "d"\n'
        '[[rule]]\nid = "ATT-900"\nname = "x"\nkind = "attribution"\nseverity = "info"\n'
        'languages = ["*"]\nmessage = "m"\nrationale = "r"\ntriggers = ["via"]\nafter = 10\n'
        "regex = ['via (?P<source>\\\\w+)$']\n"
        '[rule.examples.en]\nmust_match = ["via Harbor"]\nmust_not_match = ["no"]\n'
    )
    with pytest.raises(RulePackError, match="needs after = 0"):
        load_pack(pack)


def test_examples_must_contain_a_trigger(tmp_path: pytest.TempPathFactory) -> None:
    pack = tmp_path / "bad.toml"  # type: ignore[operator]
    pack.write_text(
        '[pack]\nname = "bad"\nversion = "1.0.0"\ndescription = "d"\n'
        '[[rule]]\nid = "ATT-901"\nname = "x"\nkind = "attribution"\nseverity = "info"\n'
        'languages = ["*"]\nmessage = "m"\nrationale = "r"\ntriggers = ["via"]\n'
        "regex = ['from (?P<source>\\\\w+)']\n"
        '[rule.examples.en]\nmust_match = ["from Harbor"]\nmust_not_match = ["no"]\n'
    )
    with pytest.raises(RulePackError, match="none of the triggers"):
        load_pack(pack)


def test_protected_spans_cover_disclaimers_and_kept_credits(pipeline: filters.Pipeline) -> None:
    stage = pipeline.stage("check_disclosures")
    text = "Source: Harbor Ledger\n" + BODY + "Read more on theblock.co\n" + GATE
    spans = stage.protected(text)
    covered = [text[s.start : s.end] for s in spans]
    assert any(c.startswith("This page may contain") for c in covered)
    assert any("Harbor Ledger" in c for c in covered)
    assert not any("theblock.co" in c for c in covered)  # a read-more link may go as chrome


def test_scan_is_shared_between_chrome_stage_and_check(pipeline: filters.Pipeline) -> None:
    stage = pipeline.stage("check_disclosures")
    text = BODY + GATE + " unique-marker-for-cache"
    first = stage.scan(text)
    assert stage.scan(text) is first


def test_dev_pages_disclaimer_accuracy(pipeline: filters.Pipeline) -> None:
    corpus = shared_path("corpus", "pages")
    labels = [json.loads(line) for line in (corpus / "labels.jsonl").open(encoding="utf-8")]
    right = 0
    for lab in labels:
        text = (corpus / "pages" / f"{lab['id']}.txt").read_text(encoding="utf-8")
        got = pipeline.check(text, url=lab.get("url")).disclosures.disclaimer.present
        right += got == lab["disclaimer_present"]
    assert right / len(labels) >= 0.98
