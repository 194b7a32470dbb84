"""Broken rule packs fail at load with file, rule and field in one readable line."""

from __future__ import annotations

import re
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


def test_a_pack_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    pack = tmp_path / "latin.toml"
    pack.write_bytes('[pack]\nname = "caf\u00e9"\n'.encode("latin-1"))
    with pytest.raises(filters.RulePackError, match=r"latin\.toml: not UTF-8 text"):
        filters.load_rule_packs(pack)


def test_every_bad_pack_in_a_directory_is_reported_at_once(tmp_path: Path) -> None:
    for name in ("unknown_key.toml", "bad_regex.toml", "failing_must_match.toml"):
        (tmp_path / name).write_bytes(
            (Path(__file__).parent / "data" / "bad_packs" / name).read_bytes()
        )
    with pytest.raises(filters.RulePackError) as info:
        filters.load_rule_packs(tmp_path)
    message = str(info.value)
    assert "unknown_key.toml" in message and "bad_regex.toml" in message
    assert len(info.value.problems) >= 2


def test_failing_examples_can_be_left_to_rules_test(tmp_path: Path) -> None:
    path = Path(__file__).parent / "data" / "bad_packs" / "failing_must_match.toml"
    rules = filters.load_rule_packs(path, check_examples=False)
    assert [r.id for r in rules.rules] == ["ADV-EN-901"]


def test_shipped_packs_pass_their_own_examples_at_load() -> None:
    from filters.rulepack import failing_examples

    assert failing_examples(filters.load_rule_packs(check_examples=False)) == []


# -- the regex safety check ------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, reason",
    [
        (r"(a|a)*", "alternatives inside an unbounded repeat overlap"),
        (r"(a|ab)*c", "alternatives inside an unbounded repeat overlap"),
        (r"(?:buy|buying)+\s", "alternatives inside an unbounded repeat overlap"),
        (r"(?i)(?:AB|ab)+", "alternatives inside an unbounded repeat"),
        (r"\w+\s?\w+!", "two unbounded repeats can share one run"),
        (r".*.*=.*", "two unbounded repeats can share one run"),
        (r"\s*[^\n]{2,60}\s*$", "two unbounded repeats can share one run"),
        (r"x\s*[:,]?\s*\b", "two unbounded repeats can share one run"),  # \b depends on it
        (r"(?:a{1,200})+", "nested unbounded"),  # a bound above 100 counts as unbounded
        ("(" * 3000 + "a" + ")" * 3000, "nests groups too deeply"),
    ],
)
def test_catastrophic_shapes_are_rejected(pattern: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        compile_pattern(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?:foo|bar)+",  # alternatives start differently
        r"(?:\s+[A-Z]\w*){0,4}",  # bounded outer repeat, separator disjoint from the name
        r"\w+\s+\w+",  # a mandatory space separates the runs
        r"[^.!?]{0,40}\b(?:now|today)",
        r"\s*+\s*x",  # possessive: never gives back
        r"(?>\s*)\s*x",  # atomic group
        r"(\w|\d)+",  # one character class after parsing
    ],
)
def test_safe_shapes_are_accepted(pattern: str) -> None:
    assert compile_pattern(pattern).pattern == pattern


@pytest.mark.parametrize(
    "pattern, text, span",
    [
        (r"next\s+stop\s*[:,]?\s*\$", "Next stop:   $9", (0, 14)),
        (r"\d+\.?\d*", "price 12.50 today", (6, 11)),
        (r"(?:来源|source)\s*[:：]?\s*(?P<s>[^\s:：]{2,30})", "source :  Wire", (0, 14)),
    ],
)
def test_adjacent_repeats_are_bounded_when_that_changes_nothing(
    pattern: str, text: str, span: tuple[int, int]
) -> None:
    from filters.regex_safety import analyse
    from filters.rulepack import REGEX_FLAGS

    checked = analyse(pattern, REGEX_FLAGS)
    assert checked.bounded >= 1
    assert checked.compiled.pattern == pattern  # shown as written
    m = checked.compiled.search(text)
    assert m is not None and m.span() == span
    # A run of 200,000 spaces is matched in one pass, not every split of it.
    assert (
        checked.compiled.search("next stop" + " " * 200_000 + "x") is None or "next" not in pattern
    )


def test_polynomial_shapes_are_allowed_in_strip_rules_which_see_one_short_line() -> None:
    from filters.rulepack import STRIP_LINE_MAX_CHARS
    from filters.rulepack import compile_pattern as compile_

    assert compile_(r"views\s*:?\s*\d+", polynomial=False).fullmatch("views : 12")
    rules = filters.load_rule_packs()
    strip = rules.of_kind("strip")[0]
    assert not strip.matches_line("Share" + " " * STRIP_LINE_MAX_CHARS)


def test_search_patterns_that_match_nothing_are_rejected_but_strip_may() -> None:
    from filters.regex_safety import analyse

    assert analyse(r"\s*").matches_empty and analyse(r"\b").matches_empty
    assert not analyse(r"a?b").matches_empty


# -- loading once per process ------------------------------------------------------------------


def _copy_pack(src: Path, dest: Path) -> Path:
    dest.mkdir(exist_ok=True)
    target = dest / src.name
    target.write_bytes(src.read_bytes())
    return target


def test_the_same_files_give_the_same_rule_set(tmp_path: Path) -> None:
    first = filters.load_rule_packs()
    assert filters.load_rule_packs() is first
    assert filters.load_rule_packs(check_examples=False) is first
    pack = _copy_pack(Path(__file__).resolve().parent.parent / "rules" / "sources.toml", tmp_path)
    before = filters.load_rule_packs(pack, check_examples=False)
    pack.write_text(pack.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after = filters.load_rule_packs(pack, check_examples=False)
    assert after is not before  # new content, loaded afresh
    assert after.packs[0].sha256 != before.packs[0].sha256


def test_examples_still_run_when_a_set_was_loaded_without_them(tmp_path: Path) -> None:
    pack = _copy_pack(
        Path(__file__).parent / "data" / "bad_packs" / "failing_must_match.toml", tmp_path
    )
    assert filters.load_rule_packs(pack, check_examples=False).by_id["ADV-EN-901"]
    for _ in range(2):  # a failing set is never remembered as checked
        with pytest.raises(filters.RulePackError, match="does not fire"):
            filters.load_rule_packs(pack)


def test_stages_are_built_once_per_rule_set_and_not_pickled() -> None:
    import pickle

    from filters.flag_advice import FlagAdvice

    rules = filters.load_rule_packs()
    pipeline = filters.Pipeline(rules)
    assert filters.Pipeline(rules).stages[3] is pipeline.stages[3] is rules.shared(FlagAdvice)
    copy = pickle.loads(pickle.dumps(rules))
    assert copy.shared(FlagAdvice) is not rules.shared(FlagAdvice)
    assert [r.id for r in copy.rules] == [r.id for r in rules.rules]


def test_rules_list_and_show_do_not_load_presidio() -> None:
    import subprocess
    import sys

    code = (
        "import contextlib, io, sys, cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert cli.main(['rules', 'list']) == 0\n"
        "    assert cli.main(['rules', 'show', 'ATT-010']) == 0\n"
        "print('presidio_analyzer' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "False"


def test_rules_test_reports_a_failing_example_as_a_fail_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    pack = _copy_pack(
        Path(__file__).parent / "data" / "bad_packs" / "failing_must_match.toml", tmp_path
    )
    assert main(["--rules", str(pack), "rules", "test"]) == 1
    out = capsys.readouterr().out
    assert "FAIL ADV-EN-901-en-must_match-1: did not fire" in out
    assert "2/3 examples behave as declared" in out
