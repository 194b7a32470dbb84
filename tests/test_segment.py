"""Sentence segmentation: the unit the advice check judges."""

from __future__ import annotations

import pytest

from filters.segment import split_sentences


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Apple Inc. said it would buy back shares. The stock rose.",
            ["Apple Inc. said it would buy back shares.", "The stock rose."],
        ),
        (
            "Analysts at J.P. Morgan said the U.S. market is strong. Buy now!",
            ["Analysts at J.P. Morgan said the U.S. market is strong.", "Buy now!"],
        ),
        (
            "Mt. Gox creditors may sell. Prices fell.",
            ["Mt. Gox creditors may sell.", "Prices fell."],
        ),
        (
            "Shares of META.US rose 3.5% to $512.40. Volume doubled.",
            ["Shares of META.US rose 3.5% to $512.40.", "Volume doubled."],
        ),
        ("The stop sits at 0.1320. Move it up.", ["The stop sits at 0.1320.", "Move it up."]),
        ("The fund is run by Acme Inc. The end", ["The fund is run by Acme Inc.", "The end"]),
        ("Neither do I. But he did.", ["Neither do I.", "But he did."]),
        ("Sell in May? No.", ["Sell in May?", "No."]),
    ],
)
def test_abbreviations_tickers_prices_and_decimals_do_not_split(
    text: str, expected: list[str]
) -> None:
    assert texts(text) == expected


def test_headlines_without_full_stops_end_at_the_line_break() -> None:
    assert texts("Ether jumps 8% on ETF news\nThe move came late. Traders cheered.") == [
        "Ether jumps 8% on ETF news",
        "The move came late.",
        "Traders cheered.",
    ]


def test_a_quoted_passage_stays_with_its_speaker() -> None:
    text = "“Bitcoin is going to $1 million. Buy it now,” the fund manager said. Then he left."
    assert texts(text) == [
        "“Bitcoin is going to $1 million. Buy it now,” the fund manager said.",
        "Then he left.",
    ]


def test_a_quotation_and_the_attribution_after_it_are_one_sentence() -> None:
    assert texts('He paused. "It will moon." Smith said. Nobody laughed.') == [
        "He paused.",
        '"It will moon." Smith said.',
        "Nobody laughed.",
    ]


def test_chinese_punctuation_and_quoted_speech() -> None:
    text = "“我们会继续买入比特币。”该公司董事长在股东大会上表示。比特币还能涨吗？现在就该满仓以太坊，别再犹豫了。"
    assert texts(text) == [
        "“我们会继续买入比特币。”该公司董事长在股东大会上表示。",
        "比特币还能涨吗？",
        "现在就该满仓以太坊，别再犹豫了。",
    ]


def test_ascii_question_mark_after_han_characters_splits() -> None:
    assert texts("比特币还能涨吗?现在就该满仓") == ["比特币还能涨吗?", "现在就该满仓"]


def test_lower_case_continuation_is_not_a_new_sentence() -> None:
    assert texts('"Buy now," he said. Then nothing.') == ['"Buy now," he said.', "Then nothing."]


def test_offsets_point_at_the_sentence_in_the_text() -> None:
    text = "  First one.  Second “quoted. still” here!\n\n第三句。第四句？"
    for sent in split_sentences(text, base=10):
        assert text[sent.start - 10 : sent.end - 10] == sent.text


def test_an_unclosed_quote_does_not_swallow_the_rest_of_the_line() -> None:
    text = 'He said "this is long. ' + "Word. " * 150
    found = texts(text)
    assert len(found[0]) < 650  # the quotation is given up after ~600 characters
    assert found[-1] == "Word." and len(found) > 40
