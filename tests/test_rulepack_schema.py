"""Broken rule packs fail at load with file, rule and field in one readable line."""

from __future__ import annotations

from pathlib import Path

import pytest

import filters
from filters.rulepack import compile_pattern, phrase_regex

BAD = sorted((Path(__file__).parent / "data" / "bad_packs").glob("*.toml"))


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_pack_is_rejected_with_its_expected_message(path: Path) -> None:
    expected = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    with pytest.raises(filters.RulePackError) as info:
        filters.load_rule_packs(path)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_missing_rules_directory_is_a_rule_pack_error(tmp_path: Path) -> None:
    with pytest.raises(filters.RulePackError, match="no such rule pack"):
        filters.load_rule_packs(tmp_path / "nope")


def test_empty_rules_directory_is_a_rule_pack_error(tmp_path: Path) -> None:
    with pytest.raises(filters.RulePackError, match=r"no \*\.toml"):
        filters.load_rule_packs(tmp_path)


def test_shipped_packs_load_and_are_hashed() -> None:
    rules = filters.load_rule_packs()
    names = {ref.name for ref in rules.refs}
    assert {"chrome", "disclosures", "attribution", "advice-en", "pii", "sources"} <= names
    assert all(len(ref.sha256) == 64 for ref in rules.refs)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a+)+",  # classic
        r"(\w+\s?)*x",  # nested word repeat
        r"(?:x|y+)*z",  # repeat inside alternation inside repeat
        r"((ab)*c)*",
    ],
)
def test_nested_unbounded_repeats_are_rejected(pattern: str) -> None:
    with pytest.raises(ValueError, match="nested unbounded"):
        compile_pattern(pattern)


@pytest.mark.parametrize(
    "pattern", [r"\b(?:buy|sell)\s+now\b", r"(?:\s+[A-Z]\w*){0,4}", r"[\d.,]{1,9}"]
)
def test_ordinary_patterns_compile(pattern: str) -> None:
    assert compile_pattern(pattern).pattern == pattern


def test_phrases_get_word_boundaries_only_next_to_word_characters() -> None:
    rx = phrase_regex(["share", "分享"])
    assert rx is not None
    assert rx.search("please Share this")
    assert not rx.search("shareholders")
    assert rx.search("点击分享到微信")
