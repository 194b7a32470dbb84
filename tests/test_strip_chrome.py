"""Chrome stripping on text: whole-line rules, structure, protection, edits, profiles, corpus."""

from __future__ import annotations

import json
import re

import pytest

import filters
from filters.edits import apply_edits
from filters.textnorm import iter_lines

from .conftest import shared_path

BODY = (
    "The exchange said on Monday that spot trading volume rose 12% in the second quarter, "
    "helped by new listings and lower fees for market makers, according to its filing."
)
BODY_2 = (
    "Analysts at two brokerages said the increase was broadly in line with estimates, and "
    "that derivatives activity was likely to keep growing through the rest of the year."
)


def removed_lines(result: filters.Result, text: str) -> list[str]:
    spans = [(e.original_span.start, e.original_span.end) for e in result.edits]
    return [
        line.text
        for line in iter_lines(text)
        if line.text.strip() and any(s <= line.start and line.end <= e for s, e in spans)
    ]


def check(pipeline: filters.Pipeline, text: str, **kw: object) -> filters.Result:
    result = pipeline.check(text, content_type="text", **kw)  # type: ignore[arg-type]
    assert apply_edits(pipeline.load(text, "text").text, result.edits) == result.clean_text
    return result


# -- whole-line labels in the platforms' languages ----------------------------------------

LABELS = [
    "Share",
    "  • Comment",
    "Read more",
    "3h ago",
    "1.2K likes",
    "5 min read",
    "Tuesday, April 2, 2019",
    "分享",
    "3小时前",
    "首页 > 区块链 > 正文",
    "- ツイート",
    "この記事は有料記事です。",
    "공유하기",
    "3시간 전",
    "Compartir",
    "hace 3 horas",
    "Поделиться",
    "3 часа назад",
    "Chia sẻ",
    "3 giờ trước",
    "Paylaş",
    "3 saat önce",
]


@pytest.mark.parametrize("label", LABELS)
def test_label_line_is_removed(pipeline: filters.Pipeline, label: str) -> None:
    text = f"{BODY}\n{label}\n{BODY_2}\n"
    result = check(pipeline, text)
    assert removed_lines(result, text) == [label]
    assert BODY in result.clean_text and BODY_2 in result.clean_text


SENTENCES = [
    "Saylor's comment, posted amid the downturn, prompted a debate among his followers.",
    "The company is preparing a US share sale that could take place this year.",
    "That story, and others like it, had less to do with bitcoin than with crime.",
    "广报负责人对此不予评论，但表示公司将继续关注市场变化。",
    "広報担当者はコメントを控えた。",
    "거래소는 투자자들과 정보를 공유하기로 했다고 밝혔다.",
    "Los inversores decidieron compartir sus datos con el regulador esta semana.",
    "Аналитики решили поделиться прогнозом с клиентами банка.",
    "Các nhà đầu tư chia sẻ lo ngại về biến động giá trong tuần này.",
    "Yatırımcılar endişelerini analistlerle paylaştı ve yorum yapmadı.",
    "Read more about the company's plans in its annual report, the chief executive said.",
    "On April 2, 2019, the exchange halted withdrawals for six hours.",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_sentence_with_a_chrome_word_survives(pipeline: filters.Pipeline, sentence: str) -> None:
    text = f"{BODY}\n{sentence}\n{BODY_2}\n"
    result = check(pipeline, text)
    assert removed_lines(result, text) == []
    assert sentence in result.clean_text


# -- structure ------------------------------------------------------------------------------

BANNER = (
    "🎉 Example Square “Autumn Posting Challenge” is Live!\n"
    "Post daily, grow your audience, and share a 5,000 USDT pool!\n"
    "📅 Event Period: October 1 – 14\n"
    "1. Post an original market view with the topic tag.\n"
    "2. Keep your posts original; copied posts are disquali\n"
)
HEADLINE = "Ether Options Volume Hits a Record Ahead of Expiry"


def test_pinned_banner_runs_to_the_headline(pipeline: filters.Pipeline) -> None:
    text = f"{BANNER}{HEADLINE}\n{BODY}\n{BODY_2}\n"
    result = check(pipeline, text)
    assert result.clean_text.startswith(HEADLINE)
    assert {e.rule for e in result.edits} <= {"CHR-040", "CHR-000"}


def test_pinned_banner_ends_at_the_platform_cut(pipeline: filters.Pipeline) -> None:
    # Gate cuts its banner at 600 UTF-16 units: the line that ends there is the last one,
    # even when the article below starts with a short, headline-like line.
    banner = "🌟 Gate Square “Example Sprint” is Live!\n📌 How to Participate\n" + "\n".join(
        f"{n}️⃣ Step {n}: post an original chart with a short note on what it shows today"
        for n in range(1, 7)
    )
    cut_line = "Bonus: the first fifty creators who post three charts get an extra reward of up to"
    head = f"{banner}\n{cut_line}"
    units = len(head.encode("utf-16-le")) // 2
    head = head + "x" * (598 - units)
    text = f"{head}\nShort dek line\n{BODY}\n"
    result = check(pipeline, text, url="https://www.gate.com/post/status/1")
    assert result.clean_text.startswith("Short dek line")


def test_article_starting_with_an_emoji_is_not_a_banner(pipeline: filters.Pipeline) -> None:
    text = f"🚀 {BODY}\n{BODY_2}\n"
    assert check(pipeline, text).clean_text == text


def test_caption_repeated_next_to_itself_goes(pipeline: filters.Pipeline) -> None:
    caption = "A trader looks at screens in a dealing room in London."
    text = f"{HEADLINE}\n{caption}\n{caption} [Credit: Example Photos]\n{BODY}\n"
    result = check(pipeline, text)
    assert caption not in result.clean_text
    assert result.clean_text.startswith(HEADLINE)


def test_edge_label_above_chrome_goes_but_a_source_name_stays(
    pipeline: filters.Pipeline,
) -> None:
    text = f"{HEADLINE}\nOptions\nIllustration: Kim Lee\nBloomberg\n2 min read\n{BODY}\n"
    result = check(pipeline, text)
    assert removed_lines(result, text) == ["Options", "Illustration: Kim Lee", "2 min read"]
    assert "Bloomberg" in result.clean_text


def test_author_name_above_the_date_stays(pipeline: filters.Pipeline) -> None:
    text = f"{HEADLINE}\nJane Doe\nTuesday, April 2, 2019\n{BODY}\n"
    assert removed_lines(check(pipeline, text), text) == ["Tuesday, April 2, 2019"]


def test_section_heading_above_a_paragraph_stays(pipeline: filters.Pipeline) -> None:
    text = f"{HEADLINE}\nSubscribe\nWHAT TO WATCH\n{BODY}\n"
    result = check(pipeline, text)
    assert removed_lines(result, text) == ["Subscribe"]


def test_menu_above_the_article_goes(pipeline: filters.Pipeline) -> None:
    text = f"Markets\nCrypto\nSearch\nOpinion\n{HEADLINE}\n{BODY}\n"
    result = check(pipeline, text)
    assert result.clean_text.startswith(HEADLINE)


def test_related_headlines_go_and_the_article_resumes(pipeline: filters.Pipeline) -> None:
    text = (
        f"{HEADLINE}\n{BODY}\nRelated articles\nMiners sell reserves as fees fall\n"
        f"Five charts that explain the rally\n{BODY_2}\n"
    )
    result = check(pipeline, text)
    assert removed_lines(result, text) == [
        "Related articles",
        "Miners sell reserves as fees fall",
        "Five charts that explain the rally",
    ]


def test_summary_box_repeating_the_opening_goes(pipeline: filters.Pipeline) -> None:
    opening = "交易所本周下调现货手续费，以吸引更多做市商。"
    text = (
        "交易所下调手续费\n"
        f"导读: {opening}\n"
        f"{opening}\n"
        "周一，该交易所宣布将现货交易手续费下调至千分之一，并表示此举旨在吸引更多做市商，提升市场深度。\n"
    )
    result = check(pipeline, text)
    assert removed_lines(result, text) == [f"导读: {opening}"]
    assert result.clean_text.count(opening) == 1


def test_summary_that_is_not_repeated_stays(pipeline: filters.Pipeline) -> None:
    text = f"Summary: fees fell and volume rose, the filing shows.\n{BODY}\n{BODY_2}\n"
    assert check(pipeline, text).clean_text == text


def test_separator_line_goes(pipeline: filters.Pipeline) -> None:
    text = f"{BODY}\n·\n{BODY_2}\n"
    assert removed_lines(check(pipeline, text), text) == ["·"]


# -- protection ----------------------------------------------------------------------------


def test_protected_credit_in_a_chrome_looking_line_stays(pipeline: filters.Pipeline) -> None:
    # A metadata line is chrome, but this one carries a real credit (a strong attribution).
    body = "周一，该交易所宣布将现货交易手续费下调至千分之一，并表示此举旨在吸引更多做市商，提升市场深度。"
    text = f"交易所下调手续费\n来源：路透社 编辑：小王\n频道：快讯 点击量：12\n{body}\n"
    stage = pipeline.stage("strip_chrome")
    assert stage.line_rule("来源：路透社 编辑：小王") is not None  # it looks like chrome
    result = check(pipeline, text)
    assert "来源：路透社 编辑：小王" in result.clean_text
    assert "点击量" not in result.clean_text
    assert result.disclosures.attribution.source == "Reuters"


def test_chrome_line_that_only_mentions_a_source_goes(pipeline: filters.Pipeline) -> None:
    text = f"{BODY}\nRead more on reuters.com\n{BODY_2}\n"
    assert removed_lines(check(pipeline, text), text) == ["Read more on reuters.com"]


def test_approved_disclaimer_in_the_footer_stays(pipeline: filters.Pipeline) -> None:
    disclaimer = pipeline.rules.disclaimers[0].text
    text = f"{BODY}\nView Original\n{disclaimer}\n  • Reward\n  • Share\n"
    result = check(pipeline, text)
    assert disclaimer in result.clean_text
    assert removed_lines(result, text) == ["View Original", "  • Reward", "  • Share"]


# -- edits ---------------------------------------------------------------------------------


def test_every_removal_is_an_edit_with_the_removed_text(pipeline: filters.Pipeline) -> None:
    text = f"Share\n\n{BODY}\n\n3h ago\n\n{BODY_2}\n0/400\n"
    result = check(pipeline, text)
    for edit in result.edits:
        assert edit.kind == "remove"
        assert re.fullmatch(r"CHR-\d{3}", edit.rule)
        assert text[edit.original_span.start : edit.original_span.end] == edit.text
    assert result.clean_text == f"{BODY}\n\n{BODY_2}\n"


def test_language_findings_of_removed_chrome_are_dropped(pipeline: filters.Pipeline) -> None:
    text = f"{BODY}\n相关阅读：比特币矿工抛售储备以应对手续费下降\n{BODY_2}\n"
    result = check(pipeline, text)
    assert not [f for f in result.findings if f.rule == "LNG-002"]


# -- site profiles -------------------------------------------------------------------------


def _profile_cases(pipeline: filters.Pipeline) -> list[tuple[str, str, bool]]:
    cases = []
    for profile in pipeline.rules.profiles:
        for ex in profile.examples.must_match:
            cases.append((profile.id, ex if isinstance(ex, str) else ex.text, True))
        for ex in profile.examples.must_not_match:
            cases.append((profile.id, ex if isinstance(ex, str) else ex.text, False))
    return cases


def test_every_profile_has_examples(pipeline: filters.Pipeline) -> None:
    assert len(pipeline.rules.profiles) >= 20
    for profile in pipeline.rules.profiles:
        assert profile.examples.must_match, profile.id


def test_profiles_are_picked_from_url_or_content(pipeline: filters.Pipeline) -> None:
    stage = pipeline.stage("strip_chrome")
    for pid, example, expected in _profile_cases(pipeline):
        is_url = example.startswith("http")
        picked = stage.pick_profile(example if is_url else None, "" if is_url else example)
        assert (picked is not None and picked.id == pid) == expected, (pid, example)


# -- the development corpus (skipped where ../shared is absent) ---------------------------


def test_dev_pages_meet_the_chrome_targets(pipeline: filters.Pipeline) -> None:
    root = shared_path("corpus", "pages")
    fold = re.compile(r"\s+")
    chrome_total = chrome_hit = article_total = article_lost = 0
    for raw in (root / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(raw)
        text = (root / "pages" / f"{label['id']}.txt").read_text(encoding="utf-8")
        result = pipeline.check(text, url=label["url"], content_type="text")
        gone = {fold.sub(" ", x).strip() for x in removed_lines(result, text)}
        chrome = {fold.sub(" ", x).strip() for x in label["chrome_lines"]}
        optional = {fold.sub(" ", x).strip() for x in label["optional_lines"]}
        for line in text.split("\n"):
            key = fold.sub(" ", line).strip()
            if not key or key in optional:
                continue
            if key in chrome:
                chrome_total += 1
                chrome_hit += key in gone
            else:
                article_total += 1
                article_lost += key in gone
    assert chrome_hit / chrome_total >= 0.97
    assert article_lost / article_total <= 0.005
