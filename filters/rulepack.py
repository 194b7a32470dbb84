"""Rule packs: the TOML schema, the loader and the validation a compliance author relies on.

A pack is one TOML file in ``rules/`` with a ``[pack]`` header and any of these arrays:
``[[rule]]`` (checks and transforms, each with examples that must and must not fire),
``[[disclaimer]]`` (the approved-disclaimer registry), ``[[source]]`` (known original
publishers and their aliases) and ``[[profile]]`` (republishing platforms).

Every model rejects unknown keys, so a misspelt field (``mesage``) is an error, and a bad
pack fails at load with ``file: rule CODE: field: reason`` for each problem.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import threading
import tomllib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from filters.errors import RulePackError
from filters.models import Category, RulePackRef, Severity
from filters.regex_safety import CheckedPattern, analyse

_T = TypeVar("_T")
RULE_ID = re.compile(r"^[A-Z]{2,4}(?:-[A-Z]{2})?-\d{3}$")
REGEX_FLAGS = re.IGNORECASE | re.UNICODE
# A strip rule only ever judges one line of at most this many characters (a UI label).
STRIP_LINE_MAX_CHARS = 200
# Length allowed for the trigger word itself in a window of ``before`` + trigger + ``after``.
_TRIGGER_ALLOWANCE = 64
ADVICE_CATEGORIES = (
    "incentive_to_invest",
    "guaranteed_returns",
    "personalised_advice",
    "testimonial_endorsement",
    "urgency_fomo",
    "risk_minimisation",
    "performance_promise",
    "price_prediction",
    "direct_recommendation",
)
AdviceCategory = Literal[
    "incentive_to_invest",
    "guaranteed_returns",
    "personalised_advice",
    "testimonial_endorsement",
    "urgency_fomo",
    "risk_minimisation",
    "performance_promise",
    "price_prediction",
    "direct_recommendation",
]
DocumentCheck = Literal[
    "disclaimer_missing",
    "disclaimer_altered",
    "disclaimer_placement",
    "disclaimer_generic_only",
    "attribution_missing",
    "attribution_mismatch",
    "url_mismatch",
    "language_unsupported",
    "language_mixed",
    "advice_no_risk_wording",
    "input_empty",
]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def compile_pattern(pattern: str, *, polynomial: bool = True) -> re.Pattern[str]:
    """Compile a rule regex with the pack flags after checking it cannot blow up.

    See :mod:`filters.regex_safety`: exponential shapes are rejected; polynomial ones are
    compiled possessive where that matches exactly the same, and rejected otherwise
    (``polynomial=False`` skips that check, for patterns that only see short lines).

    Raises:
        ValueError: an invalid or catastrophic pattern, with the reason.
    """
    return check_regex(pattern, polynomial=polynomial).compiled


def check_regex(pattern: str, *, polynomial: bool = True) -> CheckedPattern:
    """:func:`filters.regex_safety.analyse` with the pack flags, errors as ``ValueError``.

    Raises:
        ValueError: an invalid or catastrophic pattern, with the reason.
    """
    try:
        return analyse(pattern, REGEX_FLAGS, polynomial=polynomial)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None
    except (OverflowError, RecursionError) as exc:  # e.g. a{99999999999}
        raise ValueError(f"invalid regular expression: {exc}") from None


def phrase_regex(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation for a list of literal phrases, with word boundaries where they apply.

    Boundaries are only added next to word characters, so CJK phrases (which have no
    spaces) still match inside a sentence.
    """
    parts = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        body = re.escape(phrase).replace(r"\ ", r"\s+")
        left = r"(?<!\w)" if phrase[:1].isascii() and phrase[:1].isalnum() else ""
        right = r"(?!\w)" if phrase[-1:].isascii() and phrase[-1:].isalnum() else ""
        parts.append(f"{left}{body}{right}")
    if not parts:
        return None
    return re.compile("|".join(parts), REGEX_FLAGS)


class ExampleCase(_Strict):
    """An example that needs call arguments besides its text (a declared source or URL)."""

    text: str
    source: str | None = None
    url: str | None = None
    content_type: Literal["auto", "text", "html"] = "auto"
    language: str | None = Field(
        default=None, description="Force a language; detected when omitted."
    )


class Examples(_Strict):
    """Texts on which the rule must fire, and near-misses on which it must not."""

    must_match: list[str | ExampleCase] = Field(default_factory=list)
    must_not_match: list[str | ExampleCase] = Field(default_factory=list)


class RuleBase(_Strict):
    """Fields every rule has, whatever its kind."""

    id: str
    name: str
    category: Category
    severity: Severity
    status: Literal["active", "trial"] = "active"
    languages: list[str] = Field(min_length=1)
    message: str = Field(min_length=1)
    rationale: str = Field(min_length=1)
    citations: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    examples: dict[str, Examples] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError(f"{value!r} is not a rule code like ADV-EN-001 or CHR-001")
        return value

    @field_validator("message")
    @classmethod
    def _message_placeholders(cls, value: str) -> str:
        for name in re.findall(r"\{([^{}]*)\}", value):
            if name != "match":
                raise ValueError(f"placeholder {{{name}}} is not allowed; use {{match}} only")
        return value

    @model_validator(mode="after")
    def _evidence(self) -> RuleBase:
        for lang in self.examples:
            if lang not in self.languages and "*" not in self.languages:
                raise ValueError(f"examples for {lang!r}, which is not in languages")
        for lang in self.languages if "*" not in self.languages else list(self.examples):
            ex = self.examples.get(lang)
            if ex is None or not ex.must_match or not ex.must_not_match:
                raise ValueError(
                    f"language {lang!r} needs at least one must_match and one must_not_match"
                )
        if not self.examples:
            raise ValueError("a rule needs examples that must and must not match")
        if self.severity == "error" and not self.citations:
            raise ValueError("an error-severity rule must cite why it exists (citations)")
        return self

    def applies_to(self, language: str) -> bool:
        """Whether this rule runs on a document in ``language``."""
        return "*" in self.languages or language in self.languages


def _check_patterns(value: list[str], label: str) -> list[str]:
    for i, pattern in enumerate(value):
        try:
            compile_pattern(pattern)
        except ValueError as exc:
            raise ValueError(f"{label}[{i}]: {exc}") from None
    return value


class PatternFields(_Strict):
    """Phrases and regexes, compiled once per pack load."""

    # A strip rule judges whole lines, which may be blank; a pattern that searches a text
    # must consume some of it, or it "fires" at every position.
    empty_match_allowed: ClassVar[bool] = False

    phrases: list[str] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)
    exceptions: list[str] = Field(default_factory=list)

    @field_validator("phrases", "exceptions")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        for i, phrase in enumerate(value):
            if not phrase.strip():
                raise ValueError(f"entry [{i}] is empty")
        return value

    @classmethod
    def input_bound(cls, fields: dict[str, Any]) -> int | None:
        """How long a stretch of text one of the rule's patterns can backtrack over; None: any.

        Polynomial backtracking (:mod:`filters.regex_safety`) only matters on input of
        unbounded length, so rules whose patterns only see short texts skip that check;
        exponential shapes are rejected everywhere. ``fields`` are the rule's fields
        validated before ``regex``. ``line_max`` bounds the text itself: longer lines are
        never searched. ``before`` and ``after`` bound it around each trigger word; windows
        that touch are merged (:func:`filters.triggers.rule_windows`), so a window may be
        longer, but every stretch of it without a trigger word (a run of spaces, digits or
        punctuation, which is what a repeat backtracks over) is at most ``before + after``
        long. Strip rules override this (one line).
        """
        line_max = fields.get("line_max") or 0
        before, after = fields.get("before") or 0, fields.get("after") or 0
        window = before + after + _TRIGGER_ALLOWANCE if before and after else 0
        bounds = [b for b in (line_max, window) if b]
        return min(bounds) if bounds else None

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: list[str], info: ValidationInfo) -> list[str]:
        polynomial = cls.input_bound(info.data) is None
        for i, pattern in enumerate(value):
            try:
                checked = check_regex(pattern, polynomial=polynomial)
                if checked.matches_empty and not cls.empty_match_allowed:
                    raise ValueError("matches the empty string, so it would fire at every position")
            except ValueError as exc:
                raise ValueError(f"regex[{i}]: {exc}") from None
        return value

    @cached_property
    def compiled(self) -> list[re.Pattern[str]]:
        """Phrases as one alternation, then each regex."""
        polynomial = type(self).input_bound(dict(self)) is None
        out = [compile_pattern(p, polynomial=polynomial) for p in self.regex]
        phrases = phrase_regex(self.phrases)
        return ([phrases] if phrases else []) + out

    @cached_property
    def compiled_exceptions(self) -> re.Pattern[str] | None:
        """The exceptions as one alternation."""
        return phrase_regex(self.exceptions)

    def find(self, text: str) -> Iterator[re.Match[str]]:
        """Every match of the rule's patterns not covered by an exception."""
        exc = self.compiled_exceptions
        starts: list[int] = []
        ends: list[int] = []
        for m in exc.finditer(text) if exc else ():
            starts.append(m.start())
            ends.append(m.end())
        for pattern in self.compiled:
            for m in pattern.finditer(text):
                # Exception matches do not overlap each other, so the last one starting
                # before this match ends is the only one that can overlap it.
                i = bisect.bisect_left(starts, m.end()) - 1
                if i >= 0 and ends[i] > m.start():
                    continue
                yield m


ChromeStructure = Literal[
    "pinned_banner",
    "repeated_line",
    "edge_label",
    "summary_box",
    "symbols_only",
    "related_list",
]


class StripRule(RuleBase, PatternFields):
    """Chrome: a line that is *entirely* one of the phrases or regexes is removed.

    ``selectors`` are CSS selectors for HTML input; ``profiles`` restricts the rule to
    republishing platforms (empty means every page). ``structure`` names a check written
    in code that looks at a line's place on the page (a banner pinned above the article,
    a line repeated next to itself, a label at the page's edge); its phrases and regexes,
    if any, are that check's parameters (see :mod:`filters.strip_chrome`).
    """

    empty_match_allowed: ClassVar[bool] = True

    kind: Literal["strip"]
    category: Literal["chrome"] = "chrome"
    selectors: list[str] = Field(default_factory=list)
    profiles: list[str] = Field(default_factory=list)
    structure: ChromeStructure | None = None

    @model_validator(mode="after")
    def _has_patterns(self) -> StripRule:
        if not (self.phrases or self.regex or self.selectors or self.structure):
            raise ValueError("a strip rule needs phrases, regex, selectors or a structure")
        return self

    @cached_property
    def line_patterns(self) -> list[re.Pattern[str]]:
        """Phrases and regexes anchored to the whole (normalised) line."""
        out = []
        if self.phrases:
            alt = "|".join(
                re.escape(p).replace(r"\ ", r"\s+")
                for p in sorted(set(self.phrases), key=len)[::-1]
            )
            out.append(re.compile(rf"(?:{alt})", REGEX_FLAGS))
        out.extend(compile_pattern(p, polynomial=False) for p in self.regex)
        return out

    @classmethod
    def input_bound(cls, fields: dict[str, Any]) -> int | None:
        """A strip rule only ever judges one line of at most STRIP_LINE_MAX_CHARS."""
        return STRIP_LINE_MAX_CHARS

    def matches_line(self, line: str) -> bool:
        """Whether the whole normalised line is chrome under this rule.

        Lines longer than :data:`STRIP_LINE_MAX_CHARS` are prose, never a UI label; the
        bound is also what keeps the strip patterns' matching time constant per line.
        """
        if len(line) > STRIP_LINE_MAX_CHARS:
            return False
        return any(p.fullmatch(line) for p in self.line_patterns)


CLAUSE_START = "{start}"


@dataclass(frozen=True)
class CuePattern:
    """One compiled advice cue: its role, whether it must open a clause, where it came from.

    A combination cue has ``parts``: every part (pattern, must-open-a-clause) must be found
    in the same sentence; ``pattern`` is then the first part.
    """

    role: str  # claim | imperative | rhetorical
    pattern: re.Pattern[str]
    clause_start: bool
    source: str  # e.g. "imperative[3]" or "combination[0]"
    parts: tuple[tuple[re.Pattern[str], bool], ...] = ()
    label: str = ""


class Combination(_Strict):
    """Signals that only count together: every part must be found in one sentence.

    A reviewer reads "a certainty word, a return word and an offer to the reader" as a
    promise of guaranteed returns even when no single phrase of the pack says so. The parts
    may stand in any order; each part is a pattern (lexicon words allowed, ``{start}`` to
    require it to open a clause). Negation and voice are read for every part.
    """

    name: str = Field(min_length=1)
    all: list[str] = Field(min_length=2, max_length=4)
    role: Literal["claim", "imperative", "rhetorical"] = "claim"


class ScoreSignal(_Strict):
    """One weighted signal of a score: words, a pattern, or words that open a clause.

    ``words`` are whole words or short phrases for spaced scripts (case-insensitive,
    punctuation ignored: "don't miss" is read as "don t miss") and substrings for Chinese.
    A positive signal found after a negation in its clause does not count ("we would not
    buy"), unless the negation is part of a ``rhetorical`` phrase of the score ("don't
    miss"). ``requires`` names signals one of which must also be present for this one to
    count (a command counts when it is about an asset).
    """

    name: str = Field(min_length=1)
    weight: int = Field(ge=-5, le=5)
    words: list[str] = Field(default_factory=list)
    pattern: str | None = None
    clause_start: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_evidence(self) -> ScoreSignal:
        if not (self.words or self.pattern or self.clause_start):
            raise ValueError(f"signal {self.name!r} needs words, a pattern or clause_start words")
        if self.weight == 0:
            raise ValueError(f"signal {self.name!r} has weight 0")
        return self


class Scoring(_Strict):
    """A transparent weighted score per sentence: the sum of the signals found.

    A sentence whose signals add up to ``threshold`` or more reads as advice, and the
    finding lists every signal with its weight. Positive signals are the register of
    promotion (the reader addressed, a command, the publisher's own stance, an asset, a
    promise, urgency); negative ones the register of news and explanation (reported
    speech, past events, definitions, hedges, risk wording).
    """

    threshold: int = Field(ge=1)
    signal: list[ScoreSignal] = Field(min_length=2)
    rhetorical: list[str] = Field(default_factory=list)
    requires: list[str] = Field(
        default_factory=list,
        description="signals one of which every scoring sentence must have (what it is about)",
    )
    markers: list[str] = Field(
        default_factory=list,
        description=(
            "signals of promotional register (who speaks to whom, and how); a sentence with"
            " none of them is not scored: assets and prices alone are news"
        ),
    )

    @model_validator(mode="after")
    def _requires_known(self) -> Scoring:
        names = {s.name for s in self.signal}
        if len(names) != len(self.signal):
            raise ValueError("signal names must be unique")
        for other in self.requires + self.markers:
            if other not in names:
                raise ValueError(f"the score names unknown signal {other!r}")
        for s in self.signal:
            for other in s.requires:
                if other not in names:
                    raise ValueError(f"signal {s.name!r} requires unknown signal {other!r}")
        return self


class LearnedModel(_Strict):
    """A fitted linear model of advice wording (see ``filters/advice_model.py``).

    Generated by ``benchmarks/train_advice_model.py``; ``weights`` rows are
    ``[feature, gate weight, class index, weight, class index, weight, ...]``: the gate is
    a one-number-per-feature model of "advice or not" (with ``gate_bias``) that dismisses
    a sentence cheaply when its probability stays under ``gate_threshold``.
    """

    threshold: float = Field(gt=0.0, lt=1.0)
    topic_words: list[str] = Field(
        min_length=1,
        description="words or phrases naming an asset or a market; a sentence without one is not read",
    )
    topic_pattern: str | None = Field(default=None, description="e.g. a cashtag, also a topic")
    classes: list[str] = Field(min_length=2)
    bias: list[float]
    gate_bias: float
    gate_threshold: float = Field(default=0.3, gt=0.0, lt=1.0)
    weights: list[list[str | float | int]] = Field(min_length=1)

    @model_validator(mode="after")
    def _shapes(self) -> LearnedModel:
        if self.topic_pattern is not None:
            compile_pattern(self.topic_pattern)
        if self.classes[0] != "not_advice":
            raise ValueError("the first class must be 'not_advice'")
        if len(self.bias) != len(self.classes):
            raise ValueError("bias needs one value per class")
        for row in self.weights:
            if len(row) < 2 or not isinstance(row[0], str) or len(row) % 2 != 0:
                raise ValueError(
                    f"bad weights row {row[:3]!r}: [feature, gate weight, class, weight, ...]"
                )
            for i in range(2, len(row), 2):
                index = row[i]
                if isinstance(index, bool) or not isinstance(index, int):
                    raise ValueError(f"weights row {row[0]!r}: class index {index!r} is no integer")
                if not 0 <= index < len(self.classes) or isinstance(row[i + 1], str):
                    raise ValueError(f"weights row {row[0]!r}: bad class index or weight at {i}")
            if isinstance(row[1], str):
                raise ValueError(f"weights row {row[0]!r}: the gate weight is no number")
        return self


class AdviceRule(RuleBase, PatternFields):
    """Advice: cues of one taxonomy category, judged by the speaker-aware advice engine.

    Cues come in three roles. ``regex`` (and ``phrases``) are claims: promises, forecasts,
    recommendations stated as such. ``imperative`` are calls to act addressed to the reader
    ("grab some before the listing"); after a reported statement they still speak in the
    publisher's voice when they open a clause of their own ("..., so buy now"). ``rhetorical``
    are negated or question forms that still push the reader to act ("never a bad time to
    buy", "what are you waiting for?"): a negation or a question mark does not cancel them.
    Patterns may use ``{name}`` for a word list of the pack's ``[lexicon]``; a pattern that
    begins with ``{start}`` only counts where it opens a sentence or clause (the engine checks
    what comes before it: nothing, a bullet, an opener such as "Honestly," or "so").
    """

    kind: Literal["advice"]
    category: Literal["advice"] = "advice"
    advice_category: AdviceCategory
    imperative: list[str] = Field(default_factory=list)
    rhetorical: list[str] = Field(default_factory=list)
    combination: list[Combination] = Field(default_factory=list)
    score: Scoring | None = None
    model: LearnedModel | None = None
    _lexicon: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("imperative", "rhetorical")
    @classmethod
    def _cues_compile(cls, value: list[str]) -> list[str]:
        return _check_patterns(value, "pattern")

    @model_validator(mode="after")
    def _has_patterns(self) -> AdviceRule:
        if not (
            self.phrases
            or self.regex
            or self.imperative
            or self.rhetorical
            or self.combination
            or self.score
            or self.model
        ):
            raise ValueError(
                "an advice rule needs phrases, regex, imperative, rhetorical, combination"
                " cues, a score or a model"
            )
        return self

    @cached_property
    def score_patterns(self) -> dict[str, re.Pattern[str]]:
        """The score's pattern signals, compiled once, lexicon expanded."""
        if self.score is None:
            return {}
        return {
            s.name: compile_pattern(self.expand(s.pattern)[0])
            for s in self.score.signal
            if s.pattern is not None
        }

    def expand(self, pattern: str) -> tuple[str, bool]:
        """``pattern`` with the lexicon expanded, and whether it must open a clause."""
        anchored = pattern.startswith(CLAUSE_START)
        body = pattern[len(CLAUSE_START) :] if anchored else pattern
        if CLAUSE_START in body:
            raise ValueError("{start} may only begin a pattern")
        return expand_lexicon(body, self._lexicon), anchored

    @cached_property
    def cue_patterns(self) -> list[CuePattern]:
        """Every cue, compiled once, lexicon expanded."""
        out: list[CuePattern] = []
        phrases = phrase_regex(self.phrases)
        if phrases is not None:
            out.append(CuePattern("claim", phrases, False, "phrases"))
        for role, field in (
            ("claim", "regex"),
            ("imperative", "imperative"),
            ("rhetorical", "rhetorical"),
        ):
            for i, raw in enumerate(getattr(self, field)):
                body, anchored = self.expand(raw)
                out.append(CuePattern(role, compile_pattern(body), anchored, f"{field}[{i}]"))
        for i, combo in enumerate(self.combination):
            parts = tuple(
                (compile_pattern(body), anchored)
                for body, anchored in (self.expand(raw) for raw in combo.all)
            )
            out.append(
                CuePattern(
                    combo.role, parts[0][0], parts[0][1], f"combination[{i}]", parts, combo.name
                )
            )
        return out

    @cached_property
    def compiled(self) -> list[re.Pattern[str]]:
        """Every cue pattern and every part of a combination, lexicon expanded."""
        out = []
        for cue in self.cue_patterns:
            out.extend([p for p, _ in cue.parts] if cue.parts else [cue.pattern])
        return out + list(self.score_patterns.values())


_LEXICON_REF = re.compile(r"\{(?!start\})([a-z][a-z0-9_]*)\}")


def expand_lexicon(pattern: str, lexicon: dict[str, str], _depth: int = 0) -> str:
    """Replace ``{name}`` by ``(?:entry)``; entries may refer to other entries."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in lexicon:
            raise ValueError(f"unknown lexicon entry {{{name}}}")
        if _depth > 4:
            raise ValueError(f"lexicon entry {{{name}}} refers to itself")
        return "(?:" + expand_lexicon(lexicon[name], lexicon, _depth + 1) + ")"

    return _LEXICON_REF.sub(sub, pattern)


class TriggerFields(_Strict):
    r"""Where a rule's patterns are searched: only near its trigger words, for speed.

    ``triggers``: lower-case strings of which one must occur in the (lower-cased) text for
    the rule to run at all; empty means the rule always runs. With triggers, the patterns
    only run from ``before`` characters before each trigger occurrence to ``after``
    characters after it, inside its line; 0 means up to the line's start or end (so a
    pattern may use ``^`` / ``$`` only where that side is 0). ``line_max``: only lines up
    to this many characters are searched (0: any length); credit lines and bylines are
    short. The text is searched as if it ended with a newline, so ``")\n"`` also finds a
    bracket closing the last line. Every ``must_match`` example contains a trigger, so the
    examples prove them.
    """

    triggers: list[str] = Field(default_factory=list)
    before: int = Field(default=0, ge=0)
    after: int = Field(default=0, ge=0)
    line_max: int = Field(default=0, ge=0)

    @field_validator("triggers")
    @classmethod
    def _lower_triggers(cls, value: list[str]) -> list[str]:
        for i, trigger in enumerate(value):
            if not trigger.strip() or trigger != trigger.lower():
                raise ValueError(f"entry [{i}] must be a non-empty lower-case string")
        return value

    @model_validator(mode="after")
    def _examples_hit_triggers(self) -> TriggerFields:
        examples: dict[str, Examples] = getattr(self, "examples", {})
        if self.after and any("$" in p for p in getattr(self, "regex", [])):
            raise ValueError("a pattern with '$' needs after = 0 (search to the end of the line)")
        if not self.triggers:
            return self
        for lang, ex in examples.items():
            for example in ex.must_match:
                text = (example if isinstance(example, str) else example.text).lower() + "\n"
                if not any(t in text for t in self.triggers):
                    raise ValueError(
                        f"must_match example for {lang!r} contains none of the triggers: {text[:60]!r}"
                    )
        return self

    def may_fire(self, lowered: str) -> bool:
        """Cheap pre-check on the lower-cased text: can any pattern of this rule match?"""
        return not self.triggers or any(t in lowered for t in self.triggers)


class GenericDisclaimerRule(RuleBase, PatternFields, TriggerFields):
    """A not-advice / risk statement: recognised and recorded, never enough on its own."""

    kind: Literal["generic_disclaimer"]
    category: Literal["disclaimer"] = "disclaimer"


class AttributionRule(RuleBase, PatternFields, TriggerFields):
    """Attribution phrasing; a named group ``source`` captures who is credited.

    ``strength``: a *strong* phrasing credits whoever it names ("Source: X", "appeared
    first on X"), unless X is a known non-publisher (a data provider, a social network);
    a *weak* one ("according to X", "X reported") counts only when X is a known source.
    ``exact_name``: the capture must be a known name as a whole, not merely contain one.
    ``protect``: whether the chrome stage must keep the line (false for credits that are
    usually chrome, such as read-more links). ``role``: ``author`` for bylines (the
    writer, not the outlet); ``owner`` for copyright lines (whoever owns the text,
    possibly the republisher itself); both rank after ``publisher`` credits when the
    result names its main source. ``triggers``, ``before``, ``after``, ``line_max``: see
    :class:`TriggerFields`.
    """

    kind: Literal["attribution"]
    category: Literal["attribution"] = "attribution"
    strength: Literal["strong", "weak"] = "strong"
    role: Literal["publisher", "author", "owner"] = "publisher"
    exact_name: bool = False
    protect: bool = True


class DocumentRule(RuleBase):
    """A document-level check implemented in code and described, cited and tested here."""

    kind: Literal["document"]
    check: DocumentCheck

    @model_validator(mode="before")
    @classmethod
    def _category_from_check(cls, data: Any) -> Any:
        """The category follows from the check (``disclaimer_missing`` is a disclaimer finding)."""
        if isinstance(data, dict) and "category" not in data and isinstance(data.get("check"), str):
            prefix = data["check"].split("_")[0]
            data = {**data, "category": {"url": "attribution"}.get(prefix, prefix)}
        return data


class EntityRule(RuleBase):
    """Personal data policy for one presidio entity type.

    ``action``: ``flag`` reports, ``redact`` also replaces the value when fixes are asked
    for, ``allow`` turns the entity off. A hit counts when its score (the recognizer's,
    plus 0.35 when a ``context`` word is within 60 characters before or 30 after) reaches
    ``min_score``; ``require_context`` demands the word. Values in ``allow`` (exact,
    case-insensitive) or matching an ``allow_patterns`` regex are never reported. A value
    matching ``business_patterns``, or with a ``business_context`` word on its line (before
    it, just after it, or as a short label line above it), is an organisation's contact (a
    hotline, a press office): reported at ``business_severity`` and never redacted.
    """

    kind: Literal["entity"]
    category: Literal["pii"] = "pii"
    entity: str
    action: Literal["flag", "redact", "allow"] = "flag"
    min_score: float = Field(default=0.5, ge=0, le=1)
    allow: list[str] = Field(default_factory=list)
    allow_patterns: list[str] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)
    require_context: bool = False
    business_context: list[str] = Field(default_factory=list)
    business_patterns: list[str] = Field(default_factory=list)
    business_severity: Severity = "info"

    @field_validator("allow_patterns", "business_patterns")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        return _check_patterns(value, "")


Rule = Annotated[
    StripRule | AdviceRule | GenericDisclaimerRule | AttributionRule | DocumentRule | EntityRule,
    Field(discriminator="kind"),
]


class DisclaimerEntry(_Strict):
    """One approved disclaimer wording in the registry."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: str
    language: str
    text: str = Field(min_length=20)
    placement: Literal["end", "anywhere"] = "end"
    platform: str
    provenance: str = Field(min_length=1, description="Where this wording comes from.")
    certainty: Literal["confirmed", "unconfirmed"] = Field(
        default="confirmed",
        description="confirmed: checked against a captured page; unconfirmed: recalled, to be checked.",
    )
    satisfies_requirement: bool = True


class SourceEntry(_Strict):
    """A known original publisher with the names and domains it appears under."""

    name: str
    aliases: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    kind: Literal[
        "wire",
        "newspaper",
        "financial",
        "crypto",
        "broadcaster",
        "research",
        "other",
        "data",
        "platform",
    ] = Field(description="data and platform name non-publishers: never a credit.")


class SiteProfile(_Strict):
    """A republishing platform: recognised by URL domain or by marker phrases in the content.

    ``examples``: URLs and page texts that must select this profile, and some that must not.
    """

    id: str = Field(pattern=r"^[a-z0-9_-]+$")
    name: str
    domains: list[str] = Field(default_factory=list)
    markers: list[str] = Field(default_factory=list)
    disclaimers: list[str] = Field(default_factory=list, description="Registry ids it requires.")
    banner_chars: int | None = Field(
        default=None,
        gt=0,
        description="Length (UTF-16 units, newlines included) at which the platform cuts the "
        "campaign banner it pins above posts; the banner's last line ends there.",
    )
    examples: Examples = Field(default_factory=Examples)


class PackMeta(_Strict):
    """The ``[pack]`` header."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    description: str
    owner: str = "compliance"
    sources: list[str] = Field(default_factory=list)


class PackFile(_Strict):
    """One rule-pack file.

    ``[lexicon]`` holds named word lists (each a list of regex alternatives) that the pack's
    advice rules use as ``{name}``, so "a tradable asset" or "a call-to-act verb" is written
    once and read by the reviewer in one place.
    """

    pack: PackMeta
    lexicon: dict[str, list[str]] = Field(default_factory=dict)
    rule: list[Rule] = Field(default_factory=list)
    disclaimer: list[DisclaimerEntry] = Field(default_factory=list)
    source: list[SourceEntry] = Field(default_factory=list)
    profile: list[SiteProfile] = Field(default_factory=list)

    @model_validator(mode="after")
    def _expand_lexicon(self) -> PackFile:
        """Give each advice rule the lexicon and check its expanded patterns compile."""
        lexicon = {name: "|".join(items) for name, items in self.lexicon.items()}
        problems = []
        for rule in self.rule:
            if not isinstance(rule, AdviceRule):
                continue
            rule._lexicon = lexicon
            for field in ("regex", "imperative", "rhetorical"):
                for i, pattern in enumerate(getattr(rule, field)):
                    try:
                        compile_pattern(rule.expand(pattern)[0])
                    except ValueError as exc:
                        problems.append(f"rule {rule.id}: {field}[{i}]: {exc}")
            for signal in rule.score.signal if rule.score else ():
                if signal.pattern is not None:
                    try:
                        compile_pattern(rule.expand(signal.pattern)[0])
                    except ValueError as exc:
                        problems.append(f"rule {rule.id}: score signal {signal.name!r}: {exc}")
            for i, combo in enumerate(rule.combination):
                for j, pattern in enumerate(combo.all):
                    try:
                        compile_pattern(rule.expand(pattern)[0])
                    except ValueError as exc:
                        problems.append(f"rule {rule.id}: combination[{i}].all[{j}]: {exc}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class LoadedPack(BaseModel):
    """A validated pack with where it came from and its content hash."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: str
    sha256: str
    data: PackFile

    @property
    def ref(self) -> RulePackRef:
        """The pack as the audit records it."""
        return RulePackRef(
            name=self.data.pack.name, version=self.data.pack.version, sha256=self.sha256
        )


class RuleSet:
    """Every loaded pack, indexed for the stages. Built once; read-only afterwards.

    Stages compiled from the rules (the advice cue index, the chrome line matchers) are
    built once per rule set with :meth:`shared`, so the example check at load, and every
    :class:`~filters.pipeline.Pipeline` on the same packs, reuse them.
    """

    def __init__(self, packs: list[LoadedPack]) -> None:
        self._shared: dict[tuple[Any, ...], Any] = {}
        self._shared_lock = threading.RLock()
        self.packs = packs
        self.rules: list[Any] = [r for p in packs for r in p.data.rule]
        self.by_id: dict[str, Any] = {}
        for rule in self.rules:
            self.by_id[rule.id] = rule
            for alias in rule.aliases:
                self.by_id.setdefault(alias, rule)
        self.disclaimers = [d for p in packs for d in p.data.disclaimer]
        self.sources = [s for p in packs for s in p.data.source]
        self.profiles = [pr for p in packs for pr in p.data.profile]
        self._documents: dict[str, Any] = {}
        for rule in self.rules:
            if rule.kind == "document":
                self._documents.setdefault(rule.check, rule)  # pack order wins

    def of_kind(self, kind: str) -> list[Any]:
        """Rules of one kind, in pack order."""
        return [r for r in self.rules if r.kind == kind]

    def document_rule(self, check: str) -> DocumentRule:
        """The rule that describes a code-implemented document check."""
        rule = self._documents.get(check)
        if rule is None:
            raise KeyError(f"no rule pack defines the document check {check!r}")
        return rule  # type: ignore[no-any-return]

    @property
    def refs(self) -> list[RulePackRef]:
        """Name, version and hash of every pack, for the audit record."""
        return [p.ref for p in self.packs]

    def shared(self, build: Callable[..., _T], *args: Any) -> _T:
        """``build(self, *args)``, built once per rule set and arguments, then reused.

        For stages, which keep no per-article state (a pipeline already serves many
        threads with one of each), so pipelines on the same rule set can share them.
        """
        key = (build, *args)
        with self._shared_lock:
            if key not in self._shared:
                self._shared[key] = build(self, *args)
            return self._shared[key]  # type: ignore[no-any-return]

    def __getstate__(self) -> dict[str, Any]:
        # Pickled as the packs alone (a pipeline sent to a worker): stages are rebuilt there.
        state = self.__dict__.copy()
        state["_shared"] = {}
        del state["_shared_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._shared_lock = threading.RLock()


def default_rules_dir() -> Path:
    """The packs shipped in the wheel, or ``rules/`` next to the package in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_rules", here.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise RulePackError([f"no default rule packs found next to {here}"])


def _format_validation_error(path: str, raw: dict[str, Any], exc: ValidationError) -> list[str]:
    """Turn pydantic's error locations into ``file: rule CODE: field: reason`` lines."""
    problems = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ""
        if (
            len(loc) >= 2
            and loc[0] in ("rule", "disclaimer", "source", "profile")
            and isinstance(loc[1], int)
        ):
            section, index = loc[0], loc[1]
            items = raw.get(section) or []
            item = items[index] if index < len(items) and isinstance(items[index], dict) else {}
            label = item.get("id") or item.get("name") or f"#{index + 1}"
            where = f"{section} {label}: "
            loc = loc[2:]
            if loc and loc[0] in (
                "strip",
                "advice",
                "generic_disclaimer",
                "attribution",
                "document",
                "entity",
            ):
                loc = loc[1:]
        field = ".".join(str(x) for x in loc) or "(whole entry)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        problems.append(f"{path}: {where}{field}: {msg}")
    return problems


def load_pack(path: Path) -> LoadedPack:
    """Read and validate one pack file."""
    label = str(path)
    return _parse_pack(label, _read_pack(path))


def _read_pack(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RulePackError([f"{path}: cannot read: {exc.strerror or exc}"]) from None


def _parse_pack(label: str, raw_bytes: bytes) -> LoadedPack:
    """Validate one pack file's bytes; ``label`` names it in messages."""
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError:
        raise RulePackError([f"{label}: not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError([f"{label}: TOML syntax: {exc}"]) from None
    try:
        data = PackFile.model_validate(raw)
    except ValidationError as exc:
        raise RulePackError(_format_validation_error(label, raw, exc)) from None
    return LoadedPack(path=label, sha256=hashlib.sha256(raw_bytes).hexdigest(), data=data)


def failing_examples(rules: RuleSet) -> list[str]:
    """Every pattern-level example that does not behave as declared, one line each.

    Pattern-level means the rule's own effect on a short text: a strip rule removing a
    line, an advice rule firing in the publisher's voice, a generic disclaimer or an
    attribution found, an entity detected. These take a few milliseconds for all packs, so
    they run whenever packs load, and a wrong rule never reaches an article. Document
    checks and HTML selector examples need whole-article runs (about 100 times slower);
    ``prepub rules test`` and the test suite run those.
    """
    from filters.check_disclosures import CheckDisclosures
    from filters.detect_pii import DetectPii
    from filters.examples import fires
    from filters.flag_advice import FlagAdvice

    class _Stages:  # the parts of a Pipeline that pattern-level examples use
        def __init__(self) -> None:
            self.rules = rules
            # Shared with the pipelines built on these rules: built once per process.
            self.stages = (rules.shared(CheckDisclosures), rules.shared(FlagAdvice))
            self.pii = DetectPii(rules)

        def stage(self, name: str) -> Any:
            return next(s for s in self.stages if s.name == name)

    stages: Any = _Stages()
    where = {rule.id: pack.path for pack in rules.packs for rule in pack.data.rule}
    problems = []
    for rule in rules.rules:
        if rule.kind == "document":
            continue
        for lang, examples in rule.examples.items():
            for expectation in ("must_match", "must_not_match"):
                for i, example in enumerate(getattr(examples, expectation)):
                    text = example.text if isinstance(example, ExampleCase) else example
                    if rule.kind == "strip" and (
                        rule.structure
                        or rule.selectors
                        and ("<" in text or not rule.regex and not rule.phrases)
                    ):
                        continue  # an HTML page or a layout rule: needs the whole pipeline
                    if fires(stages, rule, lang, example) == (expectation == "must_match"):
                        continue
                    shown = text if len(text) <= 80 else text[:77] + "..."
                    verdict = "does not fire" if expectation == "must_match" else "fires"
                    problems.append(
                        f"{where[rule.id]}: rule {rule.id}: examples.{lang}.{expectation}[{i}]: "
                        f"{verdict} on {shown!r}"
                    )
    return problems


# Rule sets already loaded in this process, by the content of their files: building one
# (validation, regex checks, examples) costs a second or two, and a process that builds
# several pipelines on the same packs (tests, a server) pays it once. A changed file has
# other bytes, so it is never served stale.
_LOADED: OrderedDict[tuple[tuple[str, str], ...], tuple[RuleSet, bool]] = OrderedDict()
_LOADED_MAX = 8
_LOADED_LOCK = threading.Lock()


def load_rule_packs(path: str | Path | None = None, *, check_examples: bool = True) -> RuleSet:
    """Load every ``*.toml`` pack in a directory (or one file) and check them together.

    With ``check_examples`` (the default) the pattern-level examples of every rule run as
    well (see :func:`failing_examples`), and one that misbehaves is a load error. Files
    with the same content as a set loaded before in this process give that same
    (read-only) :class:`RuleSet` back.

    Raises:
        RulePackError: naming file, rule and field for each problem found.
    """
    root = Path(path) if path is not None else default_rules_dir()
    if root.is_file():
        files = [root]
    elif root.is_dir():
        files = sorted(root.glob("*.toml"))
    else:
        raise RulePackError([f"{root}: no such rule pack file or directory"])
    if not files:
        raise RulePackError([f"{root}: no *.toml rule packs"])
    contents: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for file in files:
        try:
            contents.append((str(file), _read_pack(file)))
        except RulePackError as exc:
            problems.extend(exc.problems)
    if problems:  # report the readable files' problems in the same message
        try:
            _check_packs(contents)
        except RulePackError as exc:
            problems.extend(exc.problems)
        raise RulePackError(problems)
    key = tuple((label, hashlib.sha256(raw).hexdigest()) for label, raw in contents)
    with _LOADED_LOCK:
        cached = _LOADED.get(key)
    if cached is None:
        cached = (_check_packs(contents), False)
    rules, examples_checked = cached
    if check_examples and not examples_checked:
        problems = failing_examples(rules)
        if problems:
            raise RulePackError(problems)
        examples_checked = True
    with _LOADED_LOCK:
        _LOADED[key] = (rules, examples_checked)
        _LOADED.move_to_end(key)
        while len(_LOADED) > _LOADED_MAX:
            _LOADED.popitem(last=False)
    return rules


def _check_packs(contents: list[tuple[str, bytes]]) -> RuleSet:
    """Validate pack files together (names, codes, registry ids unique) into a RuleSet."""
    packs: list[LoadedPack] = []
    problems: list[str] = []
    for label, raw in contents:
        try:
            packs.append(_parse_pack(label, raw))
        except RulePackError as exc:
            problems.extend(exc.problems)
    seen: dict[str, str] = {}
    names: dict[str, str] = {}
    for pack in packs:
        if pack.data.pack.name in names:
            problems.append(
                f"{pack.path}: pack name {pack.data.pack.name!r} also used by {names[pack.data.pack.name]}"
            )
        names[pack.data.pack.name] = pack.path
        for rule in pack.data.rule:
            for code in [rule.id, *rule.aliases]:
                if code in seen:
                    problems.append(
                        f"{pack.path}: rule {rule.id}: id: {code} is already defined in {seen[code]}"
                    )
                seen[code] = pack.path
        # One approved statement may exist in several languages and versions.
        keys = [(d.id, d.language, d.version) for d in pack.data.disclaimer]
        for dup in sorted({k for k in keys if keys.count(k) > 1}):
            problems.append(
                f"{pack.path}: disclaimer {dup[0]}: id: defined twice for language {dup[1]} version {dup[2]}"
            )
    if problems:
        raise RulePackError(problems)
    return RuleSet(packs)
