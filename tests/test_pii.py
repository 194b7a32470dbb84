"""Personal data: what is found, what is not, the policy, and masking in every output."""

from __future__ import annotations

import argparse
import html
import json
from pathlib import Path

import pytest

import cli
import filters
from filters.detect_pii import candidate_windows, fold, mask
from filters.errors import PrepubError
from filters.pii_recognizers import card_ok, cn_resident_id_ok


@pytest.mark.parametrize(
    "text, entity",
    [
        # contact details
        ("Write to me at jane.roe@example-mail.com today.", "EMAIL_ADDRESS"),
        ("邮箱zhang.min@example.cn，欢迎来信。", "EMAIL_ADDRESS"),
        ("담당 기자 lee.jiwoo@example.kr로 제보해 주세요.", "EMAIL_ADDRESS"),
        ("Call +1 415 555 0134 for details.", "PHONE_NUMBER"),
        ("Her number is (415) 555-0134.", "PHONE_NUMBER"),
        ("WhatsApp +6591234567 after lunch.", "PHONE_NUMBER"),
        ("He lists +84 912 345 678 on the flyer.", "PHONE_NUMBER"),
        ("手机：13912345678，微信同号。", "PHONE_NUMBER"),
        ("请拨打139 1234 5678联系。", "PHONE_NUMBER"),
        # payment and identity
        ("Card 4111 1111 1111 1111 was used.", "CREDIT_CARD"),
        ("A Mastercard 2221-0012-3412-3450 was charged.", "CREDIT_CARD"),
        ("Amex 3782 822463 10005 on file.", "CREDIT_CARD"),
        ("银行卡6222020200112233446被盗刷。", "CREDIT_CARD"),
        ("IBAN GB82 WEST 1234 5698 7654 32 on file.", "IBAN_CODE"),
        ("Pay DE89370400440532013000 by Friday.", "IBAN_CODE"),
        ("Her IBAN is fr76 3000 6000 0112 3456 7890 189.", "IBAN_CODE"),
        ("SSN 536-22-8912 leaked.", "US_SSN"),
        ("His social security number 536228912 leaked.", "US_SSN"),
        ("身份证号11010519491231002X", "CN_RESIDENT_ID"),
        # network and crypto
        ("The login came from 198.51.100.23 at night.", "IP_ADDRESS"),
        ("Traced to 2001:db8:85a3::8a2e:370:7334 overnight.", "IP_ADDRESS"),
        ("Sent to 0x742d35Cc6634C0532925a3b844Bc454e4438f44e yesterday.", "CRYPTO"),
        ("Legacy address 1BoatSLRHtKNngkdXEeobR76b53LETtpyT was drained.", "CRYPTO"),
        ("P2SH 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy received it.", "CRYPTO"),
        ("SegWit bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq holds it.", "CRYPTO"),
        (
            "资金流向bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297。",
            "CRYPTO",
        ),
    ],
)
def test_entities_are_found(pipeline: filters.Pipeline, text: str, entity: str) -> None:
    hits = [h for h in pipeline.pii.analyze(text) if h.entity == entity]
    assert hits, f"{entity} not found in {text!r}"
    value = text[hits[0].start : hits[0].end]
    assert value == value.strip() and not any("\u4e00" <= c <= "\u9fff" for c in value)


@pytest.mark.parametrize(
    "text",
    [
        "Meta (META.US) rose 3% to $612.45 on 2025-03-14.",
        "BTC/USDT traded at 97,215.40 while $ETH slipped 1.2%.",
        "Volume hit 1,234,567 contracts; open interest was 2,345,678.",
        "The index closed at 4,111.11, up 0.8%.",
        "Version 2.1.3 shipped on 12/03/2025; build 4.2.1.7 followed.",
        "Trading volume reached 3 456 789 012 USDT at block height 876543.",
        "Published 2025-01-06 14:30, updated 06/01/2025 15:45.",
        "Order 2025010612345678 filled at unix time 1736150400.",
        "Tx 0x9f3c2a1b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a confirmed.",
        "Codes 600519.SH, 00700.HK, 7203.T and 005930.KS all fell.",
        "截至2025年1月6日，成交额达1234567890元，流通市值12345678901元。",
        "See https://example.com/news/detail/13812345678 for the filing.",
        "The post https://x.com/someone/status/1876543210987654321 went viral.",
        "Supply is 21000000 BTC; market cap 1234567890123 USD.",
        "Giá vàng 84.500.000 đồng; rate 1 234 567 руб.",
        "ISBN 978-3-16-148410-0 and CVE-2024-12345 were cited.",
        "Reference 1234-5678-9012-3456 for the filing.",
        "The post was shared by @cryptowhale and @another_account on X.",
    ],
)
def test_market_data_is_not_personal_data(pipeline: filters.Pipeline, text: str) -> None:
    assert pipeline.pii.analyze(text) == []


def test_an_article_without_candidates_never_reaches_presidio() -> None:
    text = "Bitcoin rose 2.4% to $97,215 on Friday, Reuters reported, as ETF flows turned. " * 60
    assert candidate_windows(text) == []


def test_fold_keeps_offsets_and_separates_cjk() -> None:
    text = "邮箱ａ@ｂ.com，电话１３８"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "\x1f\x1fa@b.com\x1f\x1f\x1f138"


@pytest.mark.parametrize(
    "entity, value, masked",
    [
        ("EMAIL_ADDRESS", "jane.roe@example.io", "j***@e***.io"),
        ("CREDIT_CARD", "4111 1111 1111 1111", "***1111"),
        ("PHONE_NUMBER", "+1 415 555 0134", "***0134"),
        ("IBAN_CODE", "GB82 WEST 1234 5698 7654 32", "GB***5432"),
        ("CN_RESIDENT_ID", "11010519491231002X", "***1002"),
        ("CRYPTO", "0x742d35Cc6634C0532925a3b844Bc454e4438f44e", "0x74…f44e"),
        ("PERSON", "Maria Gonzalez", "M***"),
    ],
)
def test_masks(entity: str, value: str, masked: str) -> None:
    assert mask(entity, value) == masked


def test_validators() -> None:
    assert card_ok("4111111111111111") and card_ok("378282246310005")
    assert not card_ok("1234567890123452")  # Luhn-valid but no issuer starts with 1
    assert not card_ok("41111111111111")  # Visa has no 14-digit numbers
    assert cn_resident_id_ok("11010519491231002X")
    assert not cn_resident_id_ok("110105194912310021")  # wrong check character
    assert not cn_resident_id_ok("110105194902300025")  # 30 February


def _pii(result: filters.Result) -> list[filters.Finding]:
    return [f for f in result.findings if f.category == "pii"]


def test_allow_list_and_role_mailboxes(pipeline: filters.Pipeline) -> None:
    text = (
        "Questions go to support@gate.com, the exchange said. Reporters can write to "
        "press@examplecorp.com, and the tipster used kai.wen@example-mail.com, Reuters reported.\n"
    )
    result = pipeline.check(text, fix=True)
    by_excerpt = {f.excerpt: f for f in _pii(result)}
    assert set(by_excerpt) == {"p***@e***.com", "k***@e***.com"}  # support@gate.com allowed
    assert by_excerpt["p***@e***.com"].severity == "info"
    assert not by_excerpt["p***@e***.com"].fixed
    assert by_excerpt["k***@e***.com"].severity == "warning" and by_excerpt["k***@e***.com"].fixed
    assert "press@examplecorp.com" in result.clean_text
    assert "kai.wen@example-mail.com" not in result.clean_text


def test_hotlines_are_an_organisations_contact(pipeline: filters.Pipeline) -> None:
    for text in ("客服热线：021-6123 4567。", "Customer service hotline: (415) 555-0134."):
        hits = pipeline.pii.analyze(text)
        assert [(h.entity, h.severity, h.redact) for h in hits] == [("PHONE_NUMBER", "info", False)]
    toll_free = pipeline.pii.analyze("拨打400-820-8820了解详情。")
    assert [h.severity for h in toll_free] == ["info"]


def test_weak_shapes_need_a_context_word(pipeline: filters.Pipeline) -> None:
    assert pipeline.pii.analyze("The fund moved 536228912 units.") == []
    assert [h.entity for h in pipeline.pii.analyze("SSN: 536228912.")] == ["US_SSN"]
    assert pipeline.pii.analyze("Ticket 4155550134 was closed.") == []
    assert [h.entity for h in pipeline.pii.analyze("Call 4155550134 now.")] == ["PHONE_NUMBER"]


def test_crypto_addresses_are_info(pipeline: filters.Pipeline) -> None:
    result = pipeline.check(
        "The exploiter moved funds to 0x742d35Cc6634C0532925a3b844Bc454e4438f44e, Reuters reported.\n"
    )
    assert [(f.rule, f.severity) for f in _pii(result)] == [("PII-006", "info")]


def test_fix_redacts_and_marks_findings_fixed(pipeline: filters.Pipeline) -> None:
    text = "The broker was fined, Reuters reported. Reach the trader at li.na@examplebroker.com.\n"
    result = pipeline.check(text, fix=True)
    assert "li.na@examplebroker.com" not in result.clean_text
    assert "[EMAIL_ADDRESS]" in result.clean_text
    pii = _pii(result)
    assert pii and all(f.fixed for f in pii)
    redacts = [e for e in result.edits if e.kind == "redact"]
    assert [e.text for e in redacts] == ["l***@e***.com"]


# Values planted in one article, quoted by other stages too (an advice sentence, a chrome
# line), and looked for, raw, in every output format and in the audit log.
_RAW = {
    "email": "oskar.lind@example-mail.com",
    "phone": "+44 20 7946 0958",
    "phone_digits": "2079460958",
    "card": "4111 1111 1111 1111",
    "card_digits": "4111111111111111",
    "iban": "GB82 WEST 1234 5698 7654 32",
    "ssn": "536-22-8912",
    "cn_id": "11010519491231002X",
    "eth": "0x742d35Cc6634C0532925a3b844Bc454e4438f44e",
}
_ARTICLE = (
    "Regulators fined the broker on Tuesday, Reuters reported.\n"
    f"You should buy now and call me on {_RAW['phone']} or mail {_RAW['email']}.\n"
    f"The leaked file lists card {_RAW['card']}, IBAN {_RAW['iban']} and SSN {_RAW['ssn']}.\n"
    f"受害人身份证号为{_RAW['cn_id']}。\n"
    f"Funds went to {_RAW['eth']} afterwards.\n"
)


def _check_formats() -> tuple[str, ...]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    check = sub.choices["check"]
    fmt = next(a for a in check._actions if a.dest == "format")
    assert fmt.choices
    return tuple(fmt.choices)


@pytest.mark.parametrize("fix", [False, True])
@pytest.mark.parametrize("fmt", _check_formats())
def test_no_output_format_contains_raw_personal_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, fix: bool
) -> None:
    article = tmp_path / "article.txt"
    article.write_text(_ARTICLE, encoding="utf-8")
    log = tmp_path / "audit.jsonl"
    argv = ["check", str(article), "--format", fmt, "--audit-log", str(log)]
    cli.main([*argv, "--fix"] if fix else argv)
    out = capsys.readouterr()
    outputs = {"stdout": out.out, "stderr": out.err, "audit log": log.read_text(encoding="utf-8")}
    for extra in tmp_path.iterdir():  # a format may write files of its own
        if extra not in (article, log) and extra.is_file():
            outputs[extra.name] = extra.read_text(encoding="utf-8", errors="replace")
    assert "PII-001" in outputs["audit log"] and "PII-008" in outputs["audit log"]
    # The clean text is the article itself (JSON carries it by contract): what is not
    # redacted stays in it. Everything else a format prints must be masked.
    clean = filters.Pipeline().check(_ARTICLE, fix=fix).clean_text
    article_forms = (clean, json.dumps(clean)[1:-1], json.dumps(clean, ensure_ascii=False)[1:-1])
    article_forms += (html.escape(clean), html.escape(clean, quote=False))
    for where, text in outputs.items():
        for form in article_forms:
            text = text.replace(form, "")
        for kind, value in _RAW.items():
            for shown in {value, html.escape(value), json.dumps(value)[1:-1]}:
                assert shown not in text, f"raw {kind} in {fmt} {where}"


def test_result_model_never_holds_raw_values_outside_clean_text(pipeline: filters.Pipeline) -> None:
    result = pipeline.check(_ARTICLE)
    dumped = result.model_dump_json(exclude={"clean_text"})
    for kind, value in _RAW.items():
        assert value not in dumped, kind
    advice = [f for f in result.findings if f.category == "advice"]
    assert advice and all(_RAW["phone"] not in (f.excerpt or "") for f in advice)


def test_missing_ner_model_is_one_clear_error() -> None:
    with pytest.raises(PrepubError, match="not installed"):
        filters.Pipeline(ner_model="xx_prepub_no_such_model")


def test_cli_missing_ner_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Markets rose, Reuters reported.\n", encoding="utf-8")
    code = cli.main(["check", str(article), "--ner-model", "xx_prepub_no_such_model"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "not installed" in err and "Traceback" not in err


def test_ner_model_turns_on_person_and_location(tmp_path: Path) -> None:
    """A tiny spaCy pipeline saved to disk stands in for an installed NER model."""
    import spacy

    from filters.examples import check_examples

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": "PERSON", "pattern": "Maria Gonzalez"},
            {"label": "GPE", "pattern": "Reykjavik"},
        ]
    )
    nlp.to_disk(tmp_path / "model")
    pipeline = filters.Pipeline(ner_model=str(tmp_path / "model"))
    result = pipeline.check("Maria Gonzalez moved to Reykjavik, Reuters reported.\n")
    assert [(f.rule, f.severity, f.excerpt) for f in _pii(result)] == [
        ("PII-009", "info", "M***"),
        ("PII-010", "info", "R***"),
    ]
    assert "PII-009" not in filters.Pipeline().rules.by_id  # off by default
    ner = [o for o in check_examples(pipeline) if o.rule in ("PII-009", "PII-010")]
    assert len(ner) == 4 and all(o.ok for o in ner)


def test_outlet_and_byline_addresses_are_the_outlets_contact(pipeline: filters.Pipeline) -> None:
    text = "Shares fell, Reuters reported. Reach the desk at lena.novak@reuters.com.\n"
    assert [f.severity for f in _pii(pipeline.check(text))] == ["info"]
    own = "Ask the desk at omar.haddad@example-news.com.\n"
    assert [f.severity for f in _pii(pipeline.check(own))] == ["warning"]
    with_url = pipeline.check(own, url="https://www.example-news.com/markets/1")
    assert [f.severity for f in _pii(with_url)] == ["info"]
    office = pipeline.pii.analyze("Suite 9, 12 Main St | (415) 555-0134 tel | (415) 555-0135 fax")
    assert [h.severity for h in office] == ["info", "info"]


def test_redactions_are_well_formed_edits(pipeline: filters.Pipeline) -> None:
    result = pipeline.check("Reach me at ana.silva@example-mail.com, Reuters reported.\n", fix=True)
    spans = sorted((e.original_span.start, e.original_span.end) for e in result.edits)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_a_leading_handle_does_not_hide_a_later_address(pipeline: filters.Pipeline) -> None:
    hits = pipeline.pii.analyze("@trader said: write to mia.chen@example-mail.com")
    assert [h.entity for h in hits] == ["EMAIL_ADDRESS"]


def test_business_context_is_read_on_the_values_line(pipeline: filters.Pipeline) -> None:
    byline = "Reporter: Lin Hao\nThe seller's number is (415) 555-0134, the complaint says."
    assert [h.severity for h in pipeline.pii.analyze(byline)] == ["warning"]
    labelled = "Customer service\n(415) 555-0134"
    assert [h.severity for h in pipeline.pii.analyze(labelled)] == ["info"]


def test_dev_pages_have_no_personal_data(pipeline: filters.Pipeline) -> None:
    """The development pages carry tickers, prices, dates and ids but no personal data."""
    from tests.conftest import shared_path

    pages = sorted(shared_path("corpus", "pages", "pages").glob("*.txt"))
    assert pages
    for page in pages:
        hits = pipeline.pii.analyze(page.read_text(encoding="utf-8"))
        assert hits == [], f"{page.name}: {[(h.entity, h.severity) for h in hits]}"


def test_personal_data_in_removed_chrome_is_recorded_but_not_published(
    pipeline: filters.Pipeline,
) -> None:
    text = (
        "Regulators fined the lender on Tuesday over weak controls, a filing showed.\n"
        "The bank said it had already fixed the problems the inspectors found.\n\n"
        "• Reward\n"
        "Related articles\n"
        "Write to desk.editor@harborledger.co.uk for corrections\n"
        "Miners sell reserves as fees fall\n"
    )
    result = pipeline.check(text)
    removed = [f for f in result.findings if f.category == "pii" and "not published" in f.message]
    for f in removed:
        assert f.severity == "info" and f.original_span is not None
        assert "desk.editor" not in (f.excerpt or "") + f.message
    assert "desk.editor@harborledger.co.uk" not in result.audit.model_dump_json()
    assert "desk.editor@harborledger.co.uk" not in result.clean_text  # went with the list
    assert [f.rule for f in removed] == ["PII-001"]
    assert result.decision != "block"
