"""Shortcuts for whole-line chrome patterns: they may only skip lines a pattern cannot match.

``required_strings`` and ``first_chars`` are necessary conditions read off the parsed
regex; the chrome stage's line matcher uses them to skip patterns. A wrong shortcut would
silently keep chrome, so these tests check the conditions against the regex engine itself
on the shipped patterns, and the matcher against a plain first-pattern-that-matches loop.
"""

from __future__ import annotations

import re

import pytest

import filters
from filters.required_text import admits, first_chars, fold, last_chars, required_strings
from filters.rulepack import REGEX_FLAGS
from filters.strip_chrome import _LineMatcher
from filters.textnorm import label_of

# Lines written for these tests: chrome-like, prose-like, other scripts, odd case folding.
LINES = [
    "Subscribe now!",
    "SIGN UP FOR FREE",
    "Sign up today to get our briefing delivered straight to your inbox every morning",
    "The central bank said it would sign up to the new reporting standard next year.",
    "Home > Markets > Crypto",
    "Home › Markets",
    "© 2024 Harbor Media. All rights reserved.",
    "ALL RIGHTS RESERVED",
    "Photo: Getty Images",
    "Harbor Media logo",
    "12 comments",
    "3 min read",
    "1.2K views",
    "Posted 5 hours ago",
    "Updated: March 3, 2024 10:15",
    "Tags: bitcoin, etf, regulation",
    "Bitcoin, Ethereum, Solana",
    "Related: The token that doubled in a week",
    "Read more at the desk's site",
    "版权所有，禁止转载",
    "相关阅读：交易所第二季度交易量创新高",
    "3小时前",
    "무단 전재 및 재배포 금지",
    "Перепечатка запрещена",
    "ſubſcribe now",  # long s: equal to s under IGNORECASE
    "SİGN UP",  # dotted capital I lower-cases to two characters
    "İ",
    "ı",
    "K",  # Kelvin sign: lower-cases to k
    "ΠΡΟΣΦΟΡΑ ΤΕΛΟΣ",
    "",
]


@pytest.fixture(scope="module")
def strip_patterns(pipeline: filters.Pipeline) -> list[str]:
    stage = pipeline.stage("strip_chrome")
    return sorted({p for r in stage.strip_rules for p in r.regex})


@pytest.fixture(scope="module")
def lines(pipeline: filters.Pipeline) -> list[str]:
    """Our lines plus every strip rule's own examples (written with the rules)."""
    stage = pipeline.stage("strip_chrome")
    out = list(LINES)
    for rule in stage.strip_rules:
        for examples in rule.examples.values():
            for case in (*examples.must_match, *examples.must_not_match):
                text = case if isinstance(case, str) else case.text
                out.extend(label_of(line) for line in text.split("\n"))
    return out


def test_fold_agrees_with_ignorecase() -> None:
    pairs = [("ſ", "s"), ("ı", "i"), ("\u212a", "k"), ("ς", "σ"), ("µ", "μ"), ("A", "a")]
    for a, b in pairs:
        assert re.fullmatch(re.escape(a), b, re.IGNORECASE)
        assert fold(a) == fold(b)
    assert fold("ODOΣ") == fold("odoσ") == fold("odoς")
    assert len(fold("İstanbul")) == len("İstanbul")


def test_required_strings_reads_literals_and_openings() -> None:
    assert required_strings(r"[^\n]{0,80}\bsent\s+to\s+your\s+inbox\b") == {"inbox"}
    assert required_strings(r"x{0,9}\b(?:subscribe|sign\s+up)\b", re.I) == {"subscribe", "sign"}
    assert required_strings(r"(?:Home|Start)\s*>", re.I) == {"home", "start"}
    assert required_strings(r"a?b?c?") is None  # nothing is required
    assert required_strings(r"(?:abc)?\d+") is None
    assert required_strings(r"\d+\s*[a-z]") is None  # single letters are no test


def test_first_chars_reads_openings() -> None:
    first = first_chars(r"(?:home|start)\s*>", re.I)
    assert first is not None and admits(first, "H") and not admits(first, "x")
    digits = first_chars(r"\d{1,3}\s*min")
    assert digits is not None and admits(digits, "7") and admits(digits, "٣")
    assert not admits(digits, "a")
    assert first_chars(r"[^\n]{0,80}logo") is None
    optional = first_chars(r"(?:by\s+)?\d+", re.I)
    assert optional is not None and admits(optional, "B") and admits(optional, "4")
    ending = last_chars(r"x{0,9}\b(?:subscribe|sign\s+up)\s*[.!]?", re.I)
    assert ending is not None and admits(ending, "E") and admits(ending, "!")
    assert not admits(ending, ",")
    assert last_chars(r"inbox[^\n]{0,80}") is None


def test_shortcuts_never_rule_out_a_match(strip_patterns: list[str], lines: list[str]) -> None:
    for pattern in strip_patterns:
        regex = re.compile(pattern, REGEX_FLAGS)
        need = required_strings(pattern, REGEX_FLAGS)
        first = first_chars(pattern, REGEX_FLAGS)
        last = last_chars(pattern, REGEX_FLAGS)
        for line in lines:
            if not line or not regex.fullmatch(line):
                continue
            folded = fold(line)
            assert need is None or any(s in folded for s in need), (pattern, line)
            assert first is None or admits(first, line[0]), (pattern, line)
            assert last is None or admits(last, line[-1]), (pattern, line)


def test_line_matcher_gives_the_first_matching_rule(
    pipeline: filters.Pipeline, lines: list[str]
) -> None:
    stage = pipeline.stage("strip_chrome")
    for profile in [None, *(p.id for p in stage.profiles)]:
        rules = stage.rules_for(profile)
        matcher = _LineMatcher(rules)
        compiled = [(r, re.compile(p, REGEX_FLAGS)) for r in rules for p in r.regex]
        phrases = {" ".join(p.casefold().split()): r for r in reversed(rules) for p in r.phrases}
        for line in lines:
            if not line or len(line) > 320:
                continue
            expected = phrases.get(" ".join(line.casefold().split())) or next(
                (r for r, p in compiled if p.fullmatch(line)), None
            )
            assert matcher.match(line) is expected, (profile, line)
