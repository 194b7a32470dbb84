"""Every must_match / must_not_match example of every shipped rule, one test each."""

from __future__ import annotations

import pytest

import filters
from filters.examples import ExampleOutcome, fires, iter_examples

_PIPELINE = filters.Pipeline()
_CASES = list(iter_examples(_PIPELINE))


@pytest.mark.parametrize(
    "rule, language, expectation, index, example",
    _CASES,
    ids=[f"{r.id}-{lang}-{exp}-{i}" for r, lang, exp, i, _ in _CASES],
)
def test_rule_example(rule, language, expectation, index, example) -> None:
    fired = fires(_PIPELINE, rule, language, example)
    outcome = ExampleOutcome(rule.id, language, expectation, index, str(example), fired)
    assert outcome.ok, (
        f"{rule.id} {'did not fire' if expectation == 'must_match' else 'fired'} on {example!r}"
    )


def test_every_rule_has_both_kinds_of_example() -> None:
    for rule in _PIPELINE.rules.rules:
        assert any(ex.must_match for ex in rule.examples.values()), rule.id
        assert any(ex.must_not_match for ex in rule.examples.values()), rule.id


def test_every_error_rule_cites_its_basis() -> None:
    for rule in _PIPELINE.rules.rules:
        if rule.severity == "error":
            assert rule.citations, rule.id
