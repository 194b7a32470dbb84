"""The page prepub was designed from, end to end (skipped where ../shared is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

import filters
from cli import main
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def seed() -> str:
    folder = shared_path("seeds")
    return next(p for p in sorted(folder.iterdir()) if p.suffix == ".txt").read_text(
        encoding="utf-8"
    )


CHROME = [
    "robot",
    "Abstract generation in progress",
    "View Original",
    "Reward",
    "Comment",
    "Repost",
    "Share",
    "0/400",
    "No comments",
    "Pin",
]


def test_seed_is_clean_checked_and_published(
    seed: str, pipeline: filters.Pipeline, no_network: None
) -> None:
    result = pipeline.check(seed, source="Bloomberg")
    assert result.decision == "publish"
    clean_lines = {line.strip() for line in result.clean_text.splitlines()}
    for label in CHROME:
        assert label not in clean_lines
    for line in seed.splitlines():
        label = line.strip().lstrip("•").strip()
        if label and label not in CHROME:
            assert line in result.clean_text  # article lines and the disclaimer, verbatim
    assert result.disclosures.disclaimer.present
    assert result.disclosures.attribution.source == "Bloomberg"
    assert not [f for f in result.findings if f.category in ("advice", "pii")]


def test_seed_without_disclaimer_goes_to_review(seed: str, pipeline: filters.Pipeline) -> None:
    start = seed.index("This page may contain")
    stripped = seed[:start] + seed[seed.index("\n", start) + 1 :]
    result = pipeline.check(stripped, source="Bloomberg")
    assert result.decision == "review"
    assert "DIS-001" in result.audit.decision_reasons


def test_appended_advice_is_flagged(seed: str, pipeline: filters.Pipeline) -> None:
    result = pipeline.check(
        seed + "\nBuy META now, before it doubles by Christmas.\n", source="Bloomberg"
    )
    advice = [f for f in result.findings if f.category == "advice" and f.severity != "info"]
    assert advice and "Buy META now" in (advice[0].excerpt or "")
    assert result.decision != "publish"


def test_appended_contact_details_are_found_and_masked(
    seed: str, pipeline: filters.Pipeline, tmp_path: Path
) -> None:
    text = seed + "\nContact: li.wei.private@examplemail.com, +86 138 1234 5678\n"
    result = pipeline.check(text, source="Bloomberg")
    assert {f.rule for f in result.findings if f.category == "pii"} >= {"PII-001", "PII-002"}
    log = tmp_path / "a.jsonl"
    filters.append_record(log, result.audit)
    raw = log.read_text(encoding="utf-8")
    assert "li.wei.private" not in raw and "1234 5678" not in raw


def test_seed_cli_exit_codes(seed: str, tmp_path: Path) -> None:
    page = tmp_path / "seed.txt"
    page.write_text(seed, encoding="utf-8")
    log = tmp_path / "audit.jsonl"
    assert main(["check", str(page), "--source", "Bloomberg", "--audit-log", str(log)]) == 0
    assert main(["audit", "verify", str(log)]) == 0
    log.write_text(
        log.read_text(encoding="utf-8").replace('"publish"', '"review"'), encoding="utf-8"
    )
    assert main(["audit", "verify", str(log)]) == 1
    assert main(["check", str(tmp_path / "missing.txt")]) == 2
