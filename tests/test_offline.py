"""Nothing prepub does at run time reaches the network."""

from __future__ import annotations

from pathlib import Path

import filters
from filters.detect_pii import _build_engine

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_whole_pipeline_runs_with_sockets_blocked(no_network: None) -> None:
    pipeline = filters.Pipeline(pii_engine=_build_engine(None))  # a fresh engine, built offline
    for article in FIXTURES.iterdir():
        if article.suffix in (".txt", ".html"):
            result = pipeline.check(article.read_bytes(), fix=True)
            assert result.decision in ("publish", "review", "block")
    hits = pipeline.pii.analyze("Mail jane.roe@example-mail.com or call +1 415 555 0134 today.")
    assert {h.entity for h in hits} == {"EMAIL_ADDRESS", "PHONE_NUMBER"}


def test_tickers_are_not_urls_or_personal_data(pipeline: filters.Pipeline) -> None:
    result = pipeline.check(
        "Meta (META.US) and Nvidia (NVDA.US) rose; BTC/USDT and $ETH traded higher, Reuters reported."
    )
    assert not [f for f in result.findings if f.category == "pii"]
