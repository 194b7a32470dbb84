"""Nothing prepub does at run time reaches the network.

The engine is built *inside* the test with sockets blocked (the process-wide engine may
already exist), and the text analysed holds one value for every recognizer, so each one,
including the e-mail recogniser's public-suffix lookup, actually runs offline.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import filters
from filters.detect_pii import DetectPii, _build_engine
from filters.pii_recognizers import OfflineEmailRecognizer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# One value per recognizer prepub registers (nine recognizers, eight entities).
EVERY_RECOGNIZER = (
    "Mail jane.roe@example-mail.com or call +1 415 555 0134. Card 4111 1111 1111 1111, "
    "IBAN GB82 WEST 1234 5698 7654 32, from 203.0.113.45, SSN 536-22-8912, wallet "
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq and 0x742d35Cc6634C0532925a3b844Bc454e4438f44e, "
    "身份证号11010519491231002X。"
)
EXPECTED = {
    ("EmailRecognizer", "EMAIL_ADDRESS"),
    ("NewsPhoneRecognizer", "PHONE_NUMBER"),
    ("CreditCardRecognizer", "CREDIT_CARD"),
    ("IbanRecognizer", "IBAN_CODE"),
    ("IpRecognizer", "IP_ADDRESS"),
    ("UsSsnRecognizer", "US_SSN"),
    ("CryptoRecognizer", "CRYPTO"),
    ("EthereumRecognizer", "CRYPTO"),
    ("ChinaResidentIdRecognizer", "CN_RESIDENT_ID"),
}


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record (and refuse) every connection or lookup, even ones a library would swallow."""
    seen: list[str] = []

    class Refusing(socket.socket):
        def connect(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
            seen.append(f"connect {args}")
            raise OSError("network disabled in tests")

        def connect_ex(self, *args: object, **kwargs: object) -> int:  # type: ignore[override]
            seen.append(f"connect_ex {args}")
            raise OSError("network disabled in tests")

    def refuse(*args: object, **kwargs: object) -> Any:
        seen.append(f"lookup {args}")
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket, "socket", Refusing)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield seen
    assert seen == [], f"network access attempted: {seen}"


def test_every_recognizer_runs_with_sockets_blocked(
    attempts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tldextract

    def live_extract(*args: object, **kwargs: object) -> None:  # the fetching default
        raise AssertionError("tldextract's module-level extractor (it fetches) was used")

    monkeypatch.setattr(tldextract, "extract", live_extract)
    engine = _build_engine(None)  # built now, offline
    email = next(r for r in engine.registry.recognizers if isinstance(r, OfflineEmailRecognizer))
    lookups: list[str] = []
    bundled = email._extract

    def spy(value: str) -> Any:
        lookups.append(value)
        return bundled(value)

    email._extract = spy
    results = engine.analyze(EVERY_RECOGNIZER, language="en", return_decision_process=True)
    found = {(r.analysis_explanation.recognizer, r.entity_type) for r in results}
    names = {
        "NewsCardRecognizer": "CreditCardRecognizer",
        "NewsIbanRecognizer": "IbanRecognizer",
        "NewsSsnRecognizer": "UsSsnRecognizer",
        "NewsCryptoRecognizer": "CryptoRecognizer",
        "OfflineEmailRecognizer": "EmailRecognizer",
    }
    found = {(names.get(rec, rec), entity) for rec, entity in found}
    assert EXPECTED <= found
    assert lookups == ["jane.roe@example-mail.com"]  # the suffix check ran, on the snapshot

    stage = DetectPii(filters.load_rule_packs(), engine=engine)
    assert {h.entity for h in stage.analyze(EVERY_RECOGNIZER)} == {e for _, e in EXPECTED}


def test_whole_pipeline_runs_with_sockets_blocked(attempts: list[str]) -> None:
    pipeline = filters.Pipeline(pii_engine=_build_engine(None))
    for article in sorted(FIXTURES.iterdir()):
        if article.suffix in (".txt", ".html"):
            result = pipeline.check(article.read_bytes(), fix=True)
            assert result.decision in ("publish", "review", "block")
            assert not result.audit.errors
    result = pipeline.check(EVERY_RECOGNIZER + "\nReuters reported.\n", fix=True)
    assert {f.rule for f in result.findings if f.category == "pii"} >= {
        "PII-001",
        "PII-002",
        "PII-003",
        "PII-004",
        "PII-005",
        "PII-006",
        "PII-007",
        "PII-008",
    }


def test_tickers_are_not_urls_or_personal_data(pipeline: filters.Pipeline) -> None:
    result = pipeline.check(
        "Meta (META.US) and Nvidia (NVDA.US) rose; BTC/USDT and $ETH traded higher, Reuters reported."
    )
    assert not [f for f in result.findings if f.category == "pii"]
