"""Personal data: what is found, what is not, and how it is masked."""

from __future__ import annotations

import pytest

import filters
from filters.detect_pii import mask


@pytest.mark.parametrize(
    "text, entity",
    [
        # contact details
        ("Write to me at jane.roe@example-mail.com today.", "EMAIL_ADDRESS"),
        ("Call +1 415 555 0134 for details.", "PHONE_NUMBER"),
        ("手机：13912345678，微信同号。", "PHONE_NUMBER"),
        # payment and identity
        ("Card 4111 1111 1111 1111 was used.", "CREDIT_CARD"),
        ("IBAN GB82 WEST 1234 5698 7654 32 on file.", "IBAN_CODE"),
        ("SSN 536-22-8912 leaked.", "US_SSN"),
        ("身份证号11010519491231002X", "CN_RESIDENT_ID"),
        # crypto
        ("Sent to 0x742d35Cc6634C0532925a3b844Bc454e4438f44e yesterday.", "CRYPTO"),
        ("Legacy address 1BoatSLRHtKNngkdXEeobR76b53LETtpyT was drained.", "CRYPTO"),
    ],
)
def test_entities_are_found(pipeline: filters.Pipeline, text: str, entity: str) -> None:
    assert entity in {h.entity for h in pipeline.pii.analyze(text)}


@pytest.mark.parametrize(
    "text",
    [
        "Meta (META.US) rose 3% to $612.45 on 2025-03-14.",
        "BTC/USDT traded at 97,215.40 while $ETH slipped 1.2%.",
        "Volume hit 1,234,567 contracts; open interest was 2,345,678.",
        "The index closed at 4,111.11, up 0.8%.",
        "Version 2.1.3 shipped on 12/03/2025.",
    ],
)
def test_market_data_is_not_personal_data(pipeline: filters.Pipeline, text: str) -> None:
    assert pipeline.pii.analyze(text) == []


@pytest.mark.parametrize(
    "entity, value, masked",
    [
        ("EMAIL_ADDRESS", "jane.roe@example.io", "j***@e***.io"),
        ("CREDIT_CARD", "4111 1111 1111 1111", "***1111"),
        ("PHONE_NUMBER", "+1 415 555 0134", "***0134"),
        ("CRYPTO", "0x742d35Cc6634C0532925a3b844Bc454e4438f44e", "0x74…f44e"),
    ],
)
def test_masks(entity: str, value: str, masked: str) -> None:
    assert mask(entity, value) == masked


def test_fix_redacts_and_marks_findings_fixed(pipeline: filters.Pipeline) -> None:
    text = "The broker was fined, Reuters reported. Reach the desk at desk@examplebroker.com.\n"
    result = pipeline.check(text, fix=True)
    assert "desk@examplebroker.com" not in result.clean_text
    assert "[EMAIL_ADDRESS]" in result.clean_text
    pii = [f for f in result.findings if f.category == "pii"]
    assert pii and all(f.fixed for f in pii)
    assert any(e.kind == "redact" for e in result.edits)
