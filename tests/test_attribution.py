"""Attribution: credits in six languages, known sources, non-credits, and the cross-checks."""

from __future__ import annotations

import json

import pytest

import filters
from filters.check_disclosures import SourceIndex
from tests.conftest import disclosures_after_removal, shared_path

CREDITED = [
    ("By Sarah Lin\n\nThe lender cut its forecast on Tuesday, citing weaker demand.", "Sarah Lin"),
    (
        "The lender cut its forecast.\n\n(Reporting by Ann Lee in Oslo; Editing by Tom Park)",
        "Ann Lee",
    ),
    ("The lender cut its forecast.\n\nThis story was originally published by Fortune.", "Fortune"),
    ("The lender cut its forecast.\n\nSource: Reuters", "Reuters"),
    ("The lender cut its forecast.\n— Reuters", "Reuters"),
    ("The lender cut its forecast.\n\n© 2024 Bloomberg L.P. All rights reserved.", "Bloomberg"),
    ("The token fell 4%. The article first appeared on CoinDesk.", "CoinDesk"),
    ("The token fell 4%.\nRead the original article on Business Insider", "Business Insider"),
    ("The token fell 4%, The Block reported, citing people familiar with the matter.", "The Block"),
    ("The token fell 4%, according to a report from Decrypt.", "Decrypt"),
    ("The token fell 4%, Harbor Crypto News reported on Monday.", "Harbor Crypto News"),
    ("The token fell 4%, the crypto news site Harborline said.", "Harborline"),
    ("Bloomberg News has learned that the fund is closing.", "Bloomberg"),
    (
        "A spokesperson said in a statement to Harbor Ledger that the outage was fixed.",
        "Harbor Ledger",
    ),
    ("The post Bitcoin holds its range appeared first on Harbor Ledger.", "Harbor Ledger"),
    ("OSLO, Feb 3 (Reuters) - The bank cut rates.", "Reuters"),
    ("Bitcoin rose 10% in early trade. [Yahoo Finance UK]", "Yahoo Finance"),
    ("Odaily Planet Daily News: the exchange listed a new token.", "Odaily"),
    ("Golden Finance reported that the exchange listed a new token.", "Jinse"),
    (
        "This article is reprinted from [Harbor Ledger]. All copyrights belong to the original author.",
        "Harbor Ledger",
    ),
    ("本文来源：金色财经\n比特币周一下跌4%。", "Jinse"),
    ("【来源：财联社】比特币周一下跌4%。", "Cailian"),
    ("财联社5月1日电，比特币周一下跌4%。", "Cailian"),
    ("据海港日报报道，比特币周一下跌4%。", "海港日报"),
    ("华尔街曰报称该行计划裁员。", "Wall Street Journal"),  # one character off
    ("比特币周一下跌4%。\n\n原文链接：https://www.coindesk.com/markets/2024/01/01/x", "CoinDesk"),
    ("比特币周一下跌4%。\n\n编译：海港研究", "海港研究"),
    ("本文为海港资本合伙人李明，在区块链论坛上的演讲内容。", "李明"),
    ("［東京 12日 ロイター］ - 日経平均は反落した。", "Reuters"),
    ("日経平均は反落した。日本経済新聞が報じた。", "Nikkei"),
    ("日経平均は反落した。\n出典：ハーバーニュース", "ハーバーニュース"),
    ("[서울=뉴시스] 김민수 기자 = 비트코인이 올랐다.", "Newsis"),
    ("비트코인이 올랐다고 블룸버그통신이 보도했다.", "Bloomberg"),
    ("ⓒ 하버경제신문, 무단전재 및 재배포 금지", "하버경제신문"),
    ("Биткоин подорожал на 4%, сообщает ТАСС.", "TASS"),
    ("Биткоин подорожал на 4%.\nИсточник: РБК", "RBC"),
    ("Giá bitcoin tăng 4%.\n\n(Theo VnExpress)", "VnExpress"),
    ("Giá bitcoin tăng 4%, theo Reuters.", "Reuters"),
    ("Giá bitcoin tăng 4%.\nNguồn: CafeF", "CafeF"),
]

NOT_CREDITED = [
    "Bitcoin fell 5%, according to CoinGecko data.",
    "The company said in a statement that it would cut staff.",
    "Analysts at JPMorgan wrote in a report that the stock was cheap.",
    "The chart below shows volumes.\nSource: company filings",
    "The chart below shows volumes.\nSource: TradingView",
    "Photo: Getty Images\nThe token fell 4%.",
    "The token fell 4%.\nImage source: Shutterstock",
    "A dog on a sofa. (Unsplash, modified by Harbor Ledger)",
    "By the end of the year the fund had doubled.",
    "Twitter, the social network, changed its logo.",
    "The New York Stock Exchange reported record volumes.",
    "Bloomberg Intelligence analyst Jane Doe wrote that flows slowed.",
    "Economists polled by Bloomberg expect a cut.",
    "Data from Glassnode shows outflows.",
    "Glassnode, an analytics firm, reported a spike in transfers.",
    "Posted by admin",
    "Elon Musk told CNBC that he still holds bitcoin.",
    "Reports of the hack were shared by X account Newsbot.",
    "He said the deal would close soon, according to people familiar with the matter.",
    "The price fell below support (resistance) - a bearish sign.",
    "Legal action will be taken due to copyright infringement.",
    "据了解，该交易所将上线新币。",
    "该公司称将裁员。业内人士称市场仍在观望。",
    "来源：网络\n比特币价格周一上涨。",
    "图片来源：视觉素材库\n比特币价格周一上涨。",
    "関係者によると、交渉は続いている。",
    "データサイト「コインゲッコー」によると、取引量は減った。",
    "거래소 업비트에 따르면 거래량이 늘었다.",
    "기자회견에서 발표했다.",
    "По данным Glassnode, приток вырос.",
    "Сделка закрыта, сообщил Иван Петров.",
    "Theo các chuyên gia, giá sẽ còn biến động.",
]


@pytest.mark.parametrize(("text", "name"), CREDITED, ids=[c[1] for c in CREDITED])
def test_credit_is_found_and_named(text: str, name: str, pipeline: filters.Pipeline) -> None:
    a = pipeline.check(text).disclosures.attribution
    assert a.present, text
    assert any(name.lower() in n.lower() for n in a.sources), (name, a.sources)
    assert a.credits and a.credits[0].evidence and a.credits[0].rule.startswith("ATT-")


@pytest.mark.parametrize("text", NOT_CREDITED)
def test_not_a_credit(text: str, pipeline: filters.Pipeline) -> None:
    a = pipeline.check(text).disclosures.attribution
    assert not a.present, (a.sources, a.evidence)
    assert any(f.rule == "ATT-001" for f in pipeline.check(text).findings)


def test_several_sources_are_all_reported_publishers_first(pipeline: filters.Pipeline) -> None:
    text = (
        "By Jane Doe\n\nThe exchange cut fees, Reuters reported. The Block first reported the "
        "plan last week, according to Bloomberg.\n\n© 2025 Harbor Ledger"
    )
    a = pipeline.check(text).disclosures.attribution
    assert a.sources[:3] == ["Reuters", "The Block", "Bloomberg"]
    assert set(a.sources[3:]) == {"Jane Doe", "Harbor Ledger"}
    assert a.source == "Reuters"
    assert [c.known for c in a.credits][:3] == [True, True, True]
    assert a.credits[0].kind == "wire"


def test_declared_source_mismatch_names_both(pipeline: filters.Pipeline) -> None:
    result = pipeline.check("Oil prices slipped on Monday, Reuters reported.", source="Bloomberg")
    finding = next(f for f in result.findings if f.rule == "ATT-002")
    assert "Bloomberg" in finding.message and "Reuters" in finding.message
    a = result.disclosures.attribution
    assert a.declared == "Bloomberg" and a.declared_matches is False


def test_declared_source_by_alias_matches(pipeline: filters.Pipeline) -> None:
    result = pipeline.check("据彭博社报道，油价周一小幅下跌。", source="Bloomberg News")
    assert result.disclosures.attribution.declared_matches is True
    assert not {"ATT-001", "ATT-002"} & {f.rule for f in result.findings}


def test_url_of_another_outlet_names_both(pipeline: filters.Pipeline) -> None:
    result = pipeline.check(
        "Oil prices slipped on Monday, Reuters reported.",
        url="https://www.bloomberg.com/news/articles/2024-01-01/oil",
    )
    finding = next(f for f in result.findings if f.rule == "ATT-003")
    assert "bloomberg.com" in finding.message and "Reuters" in finding.message
    a = result.disclosures.attribution
    assert a.url_source == "Bloomberg" and a.url_matches is False


def test_url_against_declared_source_without_credit(pipeline: filters.Pipeline) -> None:
    result = pipeline.check(
        "Oil prices slipped on Monday.", source="Bloomberg", url="https://www.reuters.com/x"
    )
    messages = {f.rule: f.message for f in result.findings}
    assert "Bloomberg" in messages["ATT-001"] and "Reuters" in messages["ATT-001"]
    assert "reuters.com" in messages["ATT-003"] and "Bloomberg" in messages["ATT-003"]


def test_credit_only_in_stripped_chrome_still_counts(pipeline: filters.Pipeline) -> None:
    text = "The lender cut its forecast on Tuesday, citing weaker demand.\n\nWrite to Jane Doe at\n"
    ctx = disclosures_after_removal(
        pipeline, text, text.index("Write to"), "test: contact line is chrome"
    )
    a = ctx.disclosures.attribution
    assert a.present and a.source == "Jane Doe" and a.credits[0].in_chrome


def test_contact_details_are_kept_out_of_evidence(pipeline: filters.Pipeline) -> None:
    a = pipeline.check("Prices fell.\n\nWrite to Jane Doe at jane.doe@example.com").disclosures
    assert all("@" not in e for e in a.attribution.evidence)


def test_html_view_original_link_credits_the_linked_outlet(pipeline: filters.Pipeline) -> None:
    html = (
        "<html><body><article><p>The exchange restored trading after a four-hour outage "
        "caused by a faulty database upgrade, the company said on Saturday.</p>"
        '<p><a href="https://www.coindesk.com/markets/x">View Original</a></p>'
        "</article></body></html>"
    )
    a = pipeline.check(html, content_type="html").disclosures.attribution
    assert a.present and a.source == "CoinDesk"


def test_source_index_aliases_domains_and_fuzzy(pipeline: filters.Pipeline) -> None:
    index = SourceIndex(pipeline.rules.sources)
    assert index.lookup("彭博社").name == "Bloomberg"  # type: ignore[union-attr]
    assert index.lookup("Theblock").name == "The Block"  # type: ignore[union-attr]
    assert index.lookup("https://jp.cointelegraph.com/news/x").name == "Cointelegraph"  # type: ignore[union-attr]
    assert index.lookup("On Tuesday Bloomberg").name == "Bloomberg"  # type: ignore[union-attr]
    assert index.lookup("Harbor Crypto News") is None
    assert index.lookup("the block explorer") is None
    assert index.lookup("Odaily Planet Daily News", exact=True) is None
    assert index.fuzzy("华尔街曰报").name == "The Wall Street Journal"  # type: ignore[union-attr]
    assert index.for_url("https://finance.yahoo.com/news/x").name == "Yahoo Finance"  # type: ignore[union-attr]


def test_dev_pages_attribution_accuracy(pipeline: filters.Pipeline) -> None:
    corpus = shared_path("corpus", "pages")
    labels = [json.loads(line) for line in (corpus / "labels.jsonl").open(encoding="utf-8")]
    right = 0
    for lab in labels:
        text = (corpus / "pages" / f"{lab['id']}.txt").read_text(encoding="utf-8")
        got = pipeline.check(text, url=lab.get("url")).disclosures.attribution.present
        right += got == lab["attribution_present"]
    assert right / len(labels) >= 0.95


def test_bylines_and_copyright_owners_do_not_contradict_the_declared_source(
    pipeline: filters.Pipeline,
) -> None:
    text = "By Jane Doe\n\nOil prices slipped on Monday.\n\n© 2025 Harbor Ledger"
    result = pipeline.check(text, source="Bloomberg", url="https://www.bloomberg.com/x")
    assert not {"ATT-001", "ATT-002", "ATT-003"} & {f.rule for f in result.findings}
    assert result.disclosures.attribution.declared_matches is False
