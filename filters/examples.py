"""Running every rule's embedded examples: the evidence a compliance author edits with the rule.

"Fires" means the same thing for every kind: the rule would produce its effect on the
example text (a chrome line removed, an advice finding in the publisher's voice, an
attribution found, an entity detected, a document finding raised). pytest runs each
example as its own test; ``prepub rules test`` runs the same function without pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from filters.rulepack import ExampleCase

if TYPE_CHECKING:
    from filters.pipeline import Pipeline


@dataclass(frozen=True)
class ExampleOutcome:
    """One example checked against one rule."""

    rule: str
    language: str
    expectation: str  # must_match | must_not_match
    index: int
    text: str
    fired: bool

    @property
    def ok(self) -> bool:
        """Whether the rule behaved as the example says."""
        return self.fired == (self.expectation == "must_match")

    @property
    def test_id(self) -> str:
        """Stable id such as ``ADV-EN-001-en-must_match-0``."""
        return f"{self.rule}-{self.language}-{self.expectation}-{self.index}"


def iter_examples(pipeline: Pipeline) -> Iterator[tuple[Any, str, str, int, str | ExampleCase]]:
    """``(rule, language, expectation, index, example)`` for every example of every rule."""
    for rule in pipeline.rules.rules:
        for lang, examples in rule.examples.items():
            for expectation in ("must_match", "must_not_match"):
                for i, example in enumerate(getattr(examples, expectation)):
                    yield rule, lang, expectation, i, example


def fires(pipeline: Pipeline, rule: Any, language: str, example: str | ExampleCase) -> bool:
    """Whether ``rule`` fires on ``example`` read as ``language``."""
    case = example if isinstance(example, ExampleCase) else ExampleCase(text=example)
    text = case.text
    if rule.kind == "strip":
        if rule.selectors and not (rule.phrases or rule.regex) or "<" in text and rule.selectors:
            result = pipeline.check(text, content_type="html", language=language)
            return any(e.rule == rule.id for e in result.edits)
        if rule.structure:  # judged by the line's place on the page: run the stage
            result = pipeline.check(
                text, url=case.url, content_type="text", language=case.language or language
            )
            return any(e.rule == rule.id for e in result.edits)
        from filters.textnorm import label_of

        lines = text.split("\n") if text else [""]
        return any(rule.matches_line(label_of(line)) for line in lines)
    if rule.kind == "advice":
        from filters.segment import split_sentences

        stage = pipeline.stage("flag_advice")
        for sentence in split_sentences(text):
            cues, speaker = stage.judge(sentence.text, language, [rule])
            if cues and speaker is None:
                return True
        return False
    if rule.kind == "generic_disclaimer":
        return any(True for _ in rule.find(text))
    if rule.kind == "attribution":
        from filters.check_disclosures import find_attribution

        stage = pipeline.stage("check_disclosures")
        return bool(find_attribution(text, [rule], stage.sources, language))
    if rule.kind == "entity":
        hits = pipeline.pii.analyze(text)
        return any(h.entity == rule.entity for h in hits)
    if rule.kind == "document":
        # Document checks see the example as a whole article: its language is detected
        # unless the example says otherwise.
        result = pipeline.check(
            text,
            source=case.source,
            url=case.url,
            content_type=case.content_type,
            language=case.language,
        )
        return any(f.rule == rule.id for f in result.findings)
    raise ValueError(f"no example runner for rule kind {rule.kind!r}")


def check_examples(pipeline: Pipeline) -> list[ExampleOutcome]:
    """Every example of every rule, with whether it behaved as declared."""
    out = []
    for rule, lang, expectation, i, example in iter_examples(pipeline):
        text = example.text if isinstance(example, ExampleCase) else example
        out.append(
            ExampleOutcome(
                rule.id, lang, expectation, i, text, fires(pipeline, rule, lang, example)
            )
        )
    return out
