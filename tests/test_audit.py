"""The audit chain detects edited, reordered, inserted and truncated records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import filters
from filters.audit import head_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def log(tmp_path: Path, pipeline: filters.Pipeline) -> Path:
    path = tmp_path / "audit.jsonl"
    for name in (
        "gate_reuters_chip_export.txt",
        "gate_stablecoin_no_disclaimer.txt",
        "gate_promo_with_advice.txt",
    ):
        filters.append_record(path, pipeline.check((FIXTURES / name).read_bytes()).audit)
    return path


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_intact_log_verifies(log: Path) -> None:
    result = filters.verify_log(log)
    assert result.ok and result.records == 3


def test_records_are_chained(log: Path) -> None:
    records = [json.loads(line) for line in _lines(log)]
    assert [r["seq"] for r in records] == [0, 1, 2]
    assert records[1]["prev_hash"] == records[0]["record_hash"]


def test_edited_record_fails(log: Path) -> None:
    lines = _lines(log)
    lines[1] = lines[1].replace('"decision":"review"', '"decision":"publish"')
    log.write_text("".join(lines), encoding="utf-8")
    assert "edited" in " ".join(filters.verify_log(log).problems)


def test_reordered_records_fail(log: Path) -> None:
    lines = _lines(log)
    log.write_text(lines[1] + lines[0] + lines[2], encoding="utf-8")
    assert not filters.verify_log(log).ok


def test_inserted_record_fails(log: Path) -> None:
    lines = _lines(log)
    log.write_text(lines[0] + lines[1] + lines[1] + lines[2], encoding="utf-8")
    assert not filters.verify_log(log).ok


def test_removed_last_record_fails(log: Path) -> None:
    lines = _lines(log)
    log.write_text("".join(lines[:-1]), encoding="utf-8")
    assert "truncated" in " ".join(filters.verify_log(log).problems)


def test_cut_mid_line_fails(log: Path) -> None:
    data = log.read_bytes()
    log.write_bytes(data[: len(data) - 40])
    assert not filters.verify_log(log).ok


def test_missing_head_is_reported(log: Path) -> None:
    head_path(log).unlink()
    assert not filters.verify_log(log).ok


def test_append_after_interrupted_head_update_still_verifies(
    log: Path, pipeline: filters.Pipeline
) -> None:
    head = head_path(log)
    stale = head.read_text(encoding="utf-8")
    filters.append_record(
        log, pipeline.check("The central bank left rates unchanged, Reuters reported.").audit
    )
    head.write_text(stale, encoding="utf-8")  # as if killed between the append and the head update
    result = filters.verify_log(log)
    assert result.ok and result.notes


def test_personal_data_never_reaches_the_log(tmp_path: Path, pipeline: filters.Pipeline) -> None:
    email, phone = "jane.roe@example-mail.com", "+44 20 7946 0958"
    text = (
        "Write to Jane Roe at jane.roe@example-mail.com\n\n"
        f"The regulator fined the broker, Reuters reported. Readers can reach the desk at {email} or {phone}.\n"
        f"Buy the stock now, says {email}.\n"
    )
    path = tmp_path / "audit.jsonl"
    for fix in (False, True):
        result = pipeline.check(text, fix=fix)
        filters.append_record(path, result.audit)
        assert email not in result.model_copy(update={"clean_text": ""}).model_dump_json()
        if fix:
            assert email not in result.clean_text and "7946 0958" not in result.clean_text
    raw = path.read_text(encoding="utf-8")
    assert email not in raw and "7946 0958" not in raw and "jane.roe" not in raw


def test_attribution_credits_are_masked_too(pipeline: filters.Pipeline) -> None:
    text = (
        "Port volumes rose for a third month, the authority said.\n\n"
        "Write to Lena Park at lena.park.private@examplemail.com\n"
    )
    result = pipeline.check(text)
    dumped = result.model_copy(update={"clean_text": ""}).model_dump_json()
    assert "lena.park.private" not in dumped
