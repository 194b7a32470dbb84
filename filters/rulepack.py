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
import tomllib
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from filters.errors import RulePackError
from filters.models import Category, RulePackRef, Severity
from filters.regex_safety import CheckedPattern, analyse

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
        """The longest text one of the rule's patterns is ever matched against; None: any.

        Polynomial backtracking (:mod:`filters.regex_safety`) only matters on input of
        unbounded length, so rules whose patterns only see short texts skip that check;
        exponential shapes are rejected everywhere. ``fields`` are the rule's fields
        validated before ``regex``. A rule that declares a search window (``line_max``, or
        both ``before`` and ``after`` around a trigger word) is bounded by it; strip rules
        override this (one line).
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


class StripRule(RuleBase, PatternFields):
    """Chrome: a line that is *entirely* one of the phrases or regexes is removed.

    ``selectors`` are CSS selectors for HTML input; ``profiles`` restricts the rule to
    republishing platforms (empty means every page).
    """

    empty_match_allowed: ClassVar[bool] = True

    kind: Literal["strip"]
    category: Literal["chrome"] = "chrome"
    selectors: list[str] = Field(default_factory=list)
    profiles: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_patterns(self) -> StripRule:
        if not (self.phrases or self.regex or self.selectors):
            raise ValueError("a strip rule needs phrases, regex or selectors")
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


class AdviceRule(RuleBase, PatternFields):
    """Advice: cues of one taxonomy category, judged by the speaker-aware advice engine."""

    kind: Literal["advice"]
    category: Literal["advice"] = "advice"
    advice_category: AdviceCategory

    @model_validator(mode="after")
    def _has_patterns(self) -> AdviceRule:
        if not (self.phrases or self.regex):
            raise ValueError("an advice rule needs phrases or regex")
        return self


class GenericDisclaimerRule(RuleBase, PatternFields):
    """A not-advice / risk statement: recognised and recorded, never enough on its own."""

    kind: Literal["generic_disclaimer"]
    category: Literal["disclaimer"] = "disclaimer"


class AttributionRule(RuleBase, PatternFields):
    """Attribution phrasing; a named group ``source`` captures who is credited."""

    kind: Literal["attribution"]
    category: Literal["attribution"] = "attribution"
    strength: Literal["strong", "weak"] = "strong"


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
    """Personal data policy for one presidio entity type."""

    kind: Literal["entity"]
    category: Literal["pii"] = "pii"
    entity: str
    action: Literal["flag", "redact", "allow"] = "flag"
    min_score: float = Field(default=0.5, ge=0, le=1)
    allow: list[str] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)


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
    satisfies_requirement: bool = True


class SourceEntry(_Strict):
    """A known original publisher with the names and domains it appears under."""

    name: str
    aliases: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    kind: Literal["wire", "newspaper", "financial", "crypto", "broadcaster", "research", "other"]


class SiteProfile(_Strict):
    """A republishing platform: recognised by URL domain or by marker phrases in the content."""

    id: str = Field(pattern=r"^[a-z0-9_-]+$")
    name: str
    domains: list[str] = Field(default_factory=list)
    markers: list[str] = Field(default_factory=list)
    disclaimers: list[str] = Field(default_factory=list, description="Registry ids it requires.")


class PackMeta(_Strict):
    """The ``[pack]`` header."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    description: str
    owner: str = "compliance"
    sources: list[str] = Field(default_factory=list)


class PackFile(_Strict):
    """One rule-pack file."""

    pack: PackMeta
    rule: list[Rule] = Field(default_factory=list)
    disclaimer: list[DisclaimerEntry] = Field(default_factory=list)
    source: list[SourceEntry] = Field(default_factory=list)
    profile: list[SiteProfile] = Field(default_factory=list)


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
    """Every loaded pack, indexed for the stages. Built once; read-only afterwards."""

    def __init__(self, packs: list[LoadedPack]) -> None:
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

    def of_kind(self, kind: str) -> list[Any]:
        """Rules of one kind, in pack order."""
        return [r for r in self.rules if r.kind == kind]

    def document_rule(self, check: str) -> DocumentRule:
        """The rule that describes a code-implemented document check."""
        for rule in self.rules:
            if rule.kind == "document" and rule.check == check:
                return rule  # type: ignore[no-any-return]
        raise KeyError(f"no rule pack defines the document check {check!r}")

    @property
    def refs(self) -> list[RulePackRef]:
        """Name, version and hash of every pack, for the audit record."""
        return [p.ref for p in self.packs]


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
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise RulePackError([f"{label}: cannot read: {exc.strerror or exc}"]) from None
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
            self.stages = (CheckDisclosures(rules), FlagAdvice(rules))
            self.pii = DetectPii(rules)

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
                    if (
                        rule.kind == "strip"
                        and rule.selectors
                        and ("<" in text or not rule.regex and not rule.phrases)
                    ):
                        continue  # an HTML page: needs the whole pipeline
                    if fires(stages, rule, lang, example) == (expectation == "must_match"):
                        continue
                    shown = text if len(text) <= 80 else text[:77] + "..."
                    verdict = "does not fire" if expectation == "must_match" else "fires"
                    problems.append(
                        f"{where[rule.id]}: rule {rule.id}: examples.{lang}.{expectation}[{i}]: "
                        f"{verdict} on {shown!r}"
                    )
    return problems


def load_rule_packs(path: str | Path | None = None, *, check_examples: bool = True) -> RuleSet:
    """Load every ``*.toml`` pack in a directory (or one file) and check them together.

    With ``check_examples`` (the default) the pattern-level examples of every rule run as
    well (see :func:`failing_examples`), and one that misbehaves is a load error.

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
    packs: list[LoadedPack] = []
    problems: list[str] = []
    for file in files:
        try:
            packs.append(load_pack(file))
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
        ids = [d.id for d in pack.data.disclaimer]
        for dup in {i for i in ids if ids.count(i) > 1}:
            problems.append(f"{pack.path}: disclaimer {dup}: id: defined twice")
    if problems:
        raise RulePackError(problems)
    rules = RuleSet(packs)
    if check_examples:
        problems = failing_examples(rules)
        if problems:
            raise RulePackError(problems)
    return rules
