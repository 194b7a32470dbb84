"""Personal data with presidio-analyzer, fully offline, tuned for financial news.

The engine runs presidio pattern recognizers (:mod:`filters.pii_recognizers`) on a *blank*
spaCy pipeline (tokeniser only): no spaCy model is loaded or downloaded, and the e-mail
recogniser validates domains against tldextract's bundled public-suffix snapshot instead of
fetching the live list. A spaCy NER model the user installed and named (``ner_model``) adds
PERSON and LOCATION; it is never downloaded.

Speed: a cheap pre-scan finds candidates (an ``x@y.z``, a run of seven or more digits, a
dotted quad, an IBAN, Bitcoin or 0x shape); presidio runs only on a window around each, and
only with the recognizers that shape can feed. An article without any costs one regex pass.

Text in scripts without spaces (Chinese, Japanese) glues values to words: ``邮箱a@b.com`` has
no word boundary before ``a``. Presidio therefore sees each window *folded*: every non-ASCII
letter becomes a separator character of the same length (offsets are unchanged), full-width
letters, digits and ``+ @ . - ( )`` become ASCII. Context words are read in the original text, so Chinese
context (``手机``, ``身份证``) counts as much as English.

What is flagged, redacted or allowed, at which severity, comes from the ``entity`` rules in
``rules/`` (see :class:`~filters.rulepack.EntityRule`). Findings carry masked excerpts only.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filters.context import Context
from filters.credits import domain_of
from filters.errors import PrepubError
from filters.models import Signal, Span
from filters.rulepack import EntityRule, RuleSet, compile_pattern, phrase_regex

_WINDOW = 40  # characters of text presidio sees on each side of a candidate
_CONTEXT_BEFORE = 60  # characters before a hit searched for context words
_CONTEXT_AFTER = 30
_CONTEXT_BOOST = 0.35  # presidio's own context similarity factor
_NOISE_SCORE = 0.1  # at or below this a recognizer itself does not believe its match
_BUSINESS_AFTER = 20  # "202-555-0100 fax"
_LABEL_LINE = 24  # a line this short right above a value is its label ("Inquiry", "客服热线")

# The pre-scan. Python's regex engine pays per text position for a pattern that starts
# with a character class, so it runs one such pattern (a digit run: phones, cards, ids,
# IBANs, dotted quads and legacy Bitcoin addresses all contain one) and finds the rest by
# substring first ("@", "0x", "bc1", ":").
_DIGIT_RUN = re.compile(r"\d(?:[\d \u00a0().\-/]{5,40}\d|(?<=[13])[1-9A-HJ-NP-Za-km-z]{24,33})")
_EMAIL_DOMAIN = re.compile(r"[\w\-]+\.[\w\-]")
_HEX_ADDRESS = re.compile(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9a-fA-F])")
_SEGWIT = re.compile(r"(?<![0-9A-Za-z])[bB][cC]1[0-9A-Za-z]{11,71}")
_IPV6 = re.compile(r":[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:|::")
_DOTTED_QUAD = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
# Chunks of a digit run that cannot be personal data: dates, times, decimals.
_NOT_PERSONAL_CHUNK = re.compile(
    r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d+\.\d+|(?:19|20)\d{2}-(?:19|20)\d{2}"
)
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_THOUSANDS = re.compile(r"\d{1,3}(?:[ .\u00a0]\d{3})+")
_NUMBER_FEEDS = frozenset({"PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "CN_RESIDENT_ID", "IBAN_CODE"})
_EMAIL_FEEDS = frozenset({"EMAIL_ADDRESS"})
_IP_FEEDS = frozenset({"IP_ADDRESS"})
_CRYPTO_FEEDS = frozenset({"CRYPTO"})
_NUMERIC_ENTITIES = frozenset({"PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "CN_RESIDENT_ID"})

# News-aware guards, read in the original text around a numeric hit.
_CURRENCY_BEFORE = re.compile(
    r"(?:[$€£¥₩₹₽]|\b(?:USD|US\$|HK\$|S\$|A\$|RMB|CNY|HKD|EUR|GBP|JPY|KRW|INR)|(?<![A-Za-z])[A-Z]{3,5}/[A-Z]{3,5})\s*$"
)
_UNIT_AFTER = re.compile(
    r"^\s*(?:%|percent\b|bps\b|[kKmMbB]n?\b|million\b|billion\b|trillion\b|thousand\b|"
    r"shares?\b|tokens?\b|coins?\b|contracts?\b|units?\b|votes?\b|views?\b|followers?\b|users?\b|"
    r"holders?\b|transactions?\b|blocks?\b|(?:USD[TC]?|BTC|ETH|SOL|BNB|XRP|USD|EUR|CNY|RMB|HKD|JPY)\b|"
    r"美元|元|人民币|港元|亿|万|千|枚|股|张|个|笔|次|倍)"
)
_VERSION_BEFORE = re.compile(
    r"(?:\bv|\bversion|\bver\.?|\bbuild|\brelease|版本)\s*$", re.IGNORECASE
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()（）]+|(?<![\w@.\-])[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}/[^\s<>\"'()（）]*"
)
_TICKER = re.compile(r"^\$?[A-Z]{1,6}(?:[./-][A-Z]{1,6})?$")


def _fold_char(cp: int) -> int | str:
    """The ASCII stand-in presidio sees for one character (always one character)."""
    if cp < 128:
        return cp
    if 0xFF01 <= cp <= 0xFF5E:  # full-width ASCII: letters, digits and + @ . - ( ) only
        ascii_cp = cp - 0xFEE0
        return ascii_cp if chr(ascii_cp).isalnum() or chr(ascii_cp) in "+@.-()" else "\x1f"
    cat = unicodedata.category(chr(cp))
    if cat == "Zs":
        return " "
    if cat == "Pd":
        return "-"
    return "\x1f"  # a separator no recognizer pattern accepts


class _FoldTable(dict[int, int | str]):
    """``str.translate`` table filled on first sight of each code point."""

    def __missing__(self, cp: int) -> int | str:
        value = _fold_char(cp)
        self[cp] = value
        return value


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """``text`` as presidio sees it: same length, ASCII letters and digits only."""
    return text if text.isascii() else text.translate(_FOLD)


@dataclass(frozen=True)
class PiiHit:
    """One personal-data match in the analysed text, judged by its entity rule."""

    entity: str
    start: int
    end: int
    score: float
    recognizer: str
    context_word: str | None
    severity: str
    redact: bool
    business: bool = False


class _Policy:
    """An entity rule's lists, compiled once."""

    def __init__(self, rule: EntityRule) -> None:
        self.rule = rule
        self.allow = {a.lower() for a in rule.allow}
        self.allow_patterns = [compile_pattern(p) for p in rule.allow_patterns]
        self.context = phrase_regex(rule.context)
        self.business_context = phrase_regex(rule.business_context)
        self.business_patterns = [compile_pattern(p) for p in rule.business_patterns]

    def allowed(self, value: str) -> bool:
        return value.lower() in self.allow or any(p.fullmatch(value) for p in self.allow_patterns)

    def context_word(self, text: str, start: int, end: int) -> str | None:
        if self.context is None:
            return None
        before = text[max(0, start - _CONTEXT_BEFORE) : start]
        found = list(self.context.finditer(before))
        if found:
            return found[-1].group()
        after = self.context.search(text, end, min(len(text), end + _CONTEXT_AFTER))
        return after.group() if after else None

    def business(self, text: str, start: int, end: int) -> bool:
        if any(p.fullmatch(text[start:end]) for p in self.business_patterns):
            return True
        if self.business_context is None:
            return False
        # The same line only: a byline or a hotline label does not reach the next paragraph.
        line_start = max(text.rfind("\n", 0, start) + 1, start - _CONTEXT_BEFORE)
        if self.business_context.search(text, line_start, start):
            return True
        if not text[line_start:start].strip() and line_start > 0:  # a label line above it
            label_start = text.rfind("\n", 0, line_start - 1) + 1
            label = text[label_start : line_start - 1]
            if len(label.strip()) <= _LABEL_LINE and self.business_context.search(label):
                return True
        line_end = text.find("\n", end)
        after_end = min(len(text) if line_end < 0 else line_end, end + _BUSINESS_AFTER)
        return bool(self.business_context.search(text, end, after_end))


def _offline_tldextract() -> Any:
    import tldextract

    # suffix_list_urls=() means "never fetch"; the snapshot bundled with tldextract is used.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


_engine_lock = threading.Lock()
_engines: dict[str, Any] = {}


def build_engine(ner_model: str | None = None) -> Any:
    """The process-wide presidio AnalyzerEngine for ``ner_model`` (None: patterns only).

    Raises:
        PrepubError: ``ner_model`` is not an installed spaCy package or model directory.
    """
    key = ner_model or ""
    with _engine_lock:
        if key not in _engines:
            _engines[key] = _build_engine(ner_model)
        return _engines[key]


def _build_engine(ner_model: str | None) -> Any:
    """A fresh engine (tests build one with sockets blocked)."""
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import IpRecognizer

    from filters import pii_recognizers as rec

    if ner_model and not (spacy.util.is_package(ner_model) or Path(ner_model).is_dir()):
        raise PrepubError(
            f"spaCy model {ner_model!r} is not installed; install it with pip or drop "
            "--ner-model (prepub never downloads models)"
        )

    class OfflineSpacyNlpEngine(SpacyNlpEngine):
        """spaCy for presidio without presidio's download-if-missing: blank, or the named model."""

        def load(self) -> None:
            model = spacy.load(ner_model) if ner_model else spacy.blank("en")
            self.nlp = {"en": model}  # type: ignore[assignment]

        def _doc_to_nlp_artifact(self, doc: Any, language: str) -> Any:
            artifacts = super()._doc_to_nlp_artifact(doc, language)
            if not ner_model:  # a blank pipeline has no lemmatiser
                artifacts.lemmas = [t.text.lower() for t in doc]
            return artifacts

    class PolicyContext(ContextAwareEnhancer):
        """Context is scored by prepub's entity rules on the original (unfolded) text."""

        def __init__(self) -> None:
            super().__init__(0, 0, 0, 0)

        def enhance_using_context(self, text: str, raw_results: Any, *args: Any, **kw: Any) -> Any:
            return raw_results

    extractor = _offline_tldextract()
    extractor("warm.example.com")  # parse the bundled suffix snapshot now, not mid-article
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in (
        rec.OfflineEmailRecognizer(extractor),
        rec.NewsPhoneRecognizer(),
        rec.NewsCardRecognizer(),
        rec.NewsIbanRecognizer(),
        IpRecognizer(),
        rec.NewsSsnRecognizer(),
        rec.NewsCryptoRecognizer(),
        rec.EthereumRecognizer(),
        rec.ChinaResidentIdRecognizer(),
    ):
        registry.add_recognizer(recognizer)
    if ner_model:
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer

        registry.add_recognizer(SpacyRecognizer(supported_entities=["PERSON", "LOCATION"]))
    nlp = OfflineSpacyNlpEngine(models=[{"lang_code": "en", "model_name": ner_model or "blank"}])
    nlp.load()
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp,
        supported_languages=["en"],
        context_aware_enhancer=PolicyContext(),
    )
    # Pattern recognizers read only the text, and context is scored by the policy: a
    # window needs no tokenisation, so it gets these empty artifacts (a third of the cost).
    engine.no_tokens = nlp.process_text("", "en")  # type: ignore[attr-defined]
    return engine


NER_ENTITIES = frozenset({"PERSON", "LOCATION"})


def _number_feeds(run: str, international: bool) -> frozenset[str]:
    """What a digit run may be: nothing for a date, a price or a grouped amount."""
    if _ASCII_LETTER.search(run):  # 1... / 3... with letters: a legacy Bitcoin address
        digits = sum(c.isdigit() for c in run)  # ... or the tail of an IBAN (IT13S6518...)
        return _CRYPTO_FEEDS | _NUMBER_FEEDS if digits >= 7 else _CRYPTO_FEEDS
    feeds = _IP_FEEDS if _DOTTED_QUAD.search(run) else frozenset()
    chunks = run.split()
    if not international:
        chunks = [c for c in chunks if not _NOT_PERSONAL_CHUNK.fullmatch(c.strip("().,"))]
    kept = " ".join(chunks)
    if sum(c.isdigit() for c in kept) < 7 or (not international and _THOUSANDS.fullmatch(kept)):
        return feeds
    return feeds | _NUMBER_FEEDS


def _candidates(text: str) -> list[tuple[int, int, frozenset[str]]]:
    """``(start, end, entities)`` for every pre-scan candidate, in no particular order."""
    found = []
    for m in _DIGIT_RUN.finditer(text):
        feeds = _number_feeds(
            m.group(), text[max(0, m.start() - 2) : m.start()].endswith(("+", "+ "))
        )
        if feeds:
            found.append((m.start(), m.end(), feeds))
    at = text.find("@", 1)  # an address needs a character before its "@"
    while at > 0:
        if (text[at - 1].isalnum() or text[at - 1] in "._+-") and _EMAIL_DOMAIN.match(text, at + 1):
            found.append((at - 1, at + 2, _EMAIL_FEEDS))
        at = text.find("@", at + 1)
    if "0x" in text:
        found.extend((m.start(), m.end(), _CRYPTO_FEEDS) for m in _HEX_ADDRESS.finditer(text))
    if "bc1" in text or "BC1" in text:
        found.extend((m.start(), m.end(), _CRYPTO_FEEDS) for m in _SEGWIT.finditer(text))
    if "::" in text or text.count(":") > 2:
        found.extend((m.start(), m.end(), _IP_FEEDS) for m in _IPV6.finditer(text))
    return found


def candidate_windows(text: str) -> list[tuple[int, int, frozenset[str]]]:
    """Merged windows around pre-scan candidates with the entities each may hold."""
    windows: list[tuple[int, int, frozenset[str]]] = []
    for start, end, feeds in sorted(_candidates(text), key=lambda c: c[0]):
        s = max(0, start - _WINDOW)
        e = min(len(text), end + _WINDOW)
        while s > 0 and not text[s - 1].isspace() and start - s < 2 * _WINDOW:
            s -= 1
        while e < len(text) and not text[e].isspace() and e - end < 2 * _WINDOW:
            e += 1
        if windows and s <= windows[-1][1]:
            ps, pe, pf = windows[-1]
            windows[-1] = (ps, max(pe, e), pf | feeds)
        else:
            windows.append((s, e, feeds))
    return windows


def mask(entity: str, value: str) -> str:
    """A masked excerpt that identifies the kind and the tail, never the whole value."""
    value = value.strip()
    if entity == "EMAIL_ADDRESS" and "@" in value:
        local, _, domain = value.partition("@")
        host, dot, tld = domain.rpartition(".")
        if not dot:
            host, tld = domain, ""
        return f"{local[:1]}***@{host[:1]}***{dot}{tld}"
    digits = re.sub(r"\D", "", value)
    if entity in _NUMBER_FEEDS:
        tail = (digits or value)[-4:]
        prefix = value[:2] if entity == "IBAN_CODE" else ""
        return f"{prefix}***{tail}"
    if entity == "CRYPTO":
        return f"{value[:4]}…{value[-4:]}"
    if entity == "IP_ADDRESS":
        return f"***{value[-3:]}" if len(value) > 6 else "***"
    return f"{value[:1]}***" if value else "***"  # names and the rest


def _at_domain(email: str, domains: frozenset[str]) -> bool:
    """Whether ``email`` is at one of ``domains`` or a sub-domain of one."""
    host = email.rpartition("@")[2].lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def _in_url(text: str, start: int, end: int) -> bool:
    """Whether ``start:end`` lies inside a URL (a link's ids are not a person's data)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    for m in _URL.finditer(text, line_start, line_end):
        if m.start() <= start and end <= m.end():
            return not text[max(0, m.start() - 7) : m.start()].endswith("mailto:")
    return False


def _news_value(entity: str, text: str, start: int, end: int) -> bool:
    """A market figure, a version number, a ticker or a link, not personal data."""
    value = text[start:end]
    if _TICKER.match(value) or _in_url(text, start, end):
        return True
    if entity in _NUMERIC_ENTITIES:
        before = text[max(0, start - 8) : start]
        return bool(_CURRENCY_BEFORE.search(before) or _UNIT_AFTER.match(text[end : end + 16]))
    if entity == "IP_ADDRESS":
        return bool(_VERSION_BEFORE.search(text[max(0, start - 10) : start]))
    return False


class DetectPii:
    """Check stage: personal data found, masked, and judged by the entity policy."""

    name = "detect_pii"

    def __init__(
        self, rules: RuleSet, engine: Any | None = None, ner_model: str | None = None
    ) -> None:
        self.rules: dict[str, EntityRule] = {r.entity: r for r in rules.of_kind("entity")}
        self.policies = {entity: _Policy(rule) for entity, rule in self.rules.items()}
        self.ner_model = ner_model
        self.active = frozenset(e for e, r in self.rules.items() if r.action != "allow")
        self.ner_entities = sorted(self.active & NER_ENTITIES) if ner_model else []
        self.outlet_domains = frozenset(d.lower() for src in rules.sources for d in src.domains)
        self._engine = engine
        if ner_model and engine is None:
            self._engine = build_engine(ner_model)  # a missing model fails here, not mid-batch

    @property
    def engine(self) -> Any:
        """The presidio engine, built on first use and shared by the process."""
        if self._engine is None:
            self._engine = build_engine(self.ner_model)
        return self._engine

    def analyze(
        self,
        text: str,
        *,
        permissive: bool = False,
        outlet_domains: frozenset[str] = frozenset(),
    ) -> list[PiiHit]:
        """Personal-data hits in ``text`` (offsets into ``text``), overlaps resolved.

        ``permissive`` keeps hits below the policy's score and context requirements; the
        scrubber uses it, since masking a doubtful value costs nothing. An address at one of
        ``outlet_domains`` (the publisher's, a known source's) is the outlet's contact.
        """
        raw: list[tuple[str, int, int, float, str]] = []
        for s, e, feeds in candidate_windows(text):
            entities = sorted(feeds & self.active)
            if not entities:
                continue
            window = fold(text[s:e])
            for r in self.engine.analyze(
                window,
                language="en",
                entities=entities,
                return_decision_process=True,
                nlp_artifacts=getattr(self.engine, "no_tokens", None),
            ):
                expl = r.analysis_explanation
                raw.append(
                    (
                        r.entity_type,
                        s + r.start,
                        s + r.end,
                        float(r.score),
                        getattr(expl, "recognizer", "") or "",
                    )
                )
        if self.ner_entities:
            for r in self.engine.analyze(text, language="en", entities=self.ner_entities):
                raw.append((r.entity_type, r.start, r.end, float(r.score), "SpacyRecognizer"))
        hits = [
            h
            for h in (
                self._judge(text, *r, permissive=permissive, outlet_domains=outlet_domains)
                for r in raw
            )
            if h
        ]
        hits.sort(key=lambda h: (h.start, -h.score, -(h.end - h.start)))
        kept: list[PiiHit] = []
        for h in hits:
            if kept and h.start < kept[-1].end:
                if (h.score, h.end - h.start) > (kept[-1].score, kept[-1].end - kept[-1].start):
                    kept[-1] = h
                continue
            kept.append(h)
        return kept

    def _judge(
        self,
        text: str,
        entity: str,
        start: int,
        end: int,
        score: float,
        recognizer: str,
        *,
        permissive: bool,
        outlet_domains: frozenset[str] = frozenset(),
    ) -> PiiHit | None:
        """Apply the entity rule: news guards, allow-lists, context, threshold, severity."""
        policy = self.policies.get(entity)
        if policy is None:
            return None
        rule = policy.rule
        value = text[start:end]
        if _news_value(entity, text, start, end) or policy.allowed(value):
            return None
        word = policy.context_word(text, start, end)
        if word:
            score = min(1.0, score + _CONTEXT_BOOST)
        if not permissive and (score < rule.min_score or (rule.require_context and not word)):
            return None
        if score <= _NOISE_SCORE:  # e.g. presidio's bare "::" (unspecified IPv6)
            return None
        business = policy.business(text, start, end) or (
            entity == "EMAIL_ADDRESS" and _at_domain(value, outlet_domains)
        )
        return PiiHit(
            entity=entity,
            start=start,
            end=end,
            score=round(score, 3),
            recognizer=recognizer,
            context_word=word,
            severity=rule.business_severity if business else rule.severity,
            redact=rule.action == "redact" and not business,
            business=business,
        )

    def run(self, ctx: Context) -> None:
        """Add one masked finding per personal-data hit in the stripped text."""
        text = ctx.text
        outlets = self.outlet_domains
        host = domain_of(ctx.options.url) if ctx.options.url else ""
        if host:
            outlets = outlets | {host}
        for hit in self.analyze(text, outlet_domains=outlets):
            rule = self.rules[hit.entity]
            masked = mask(hit.entity, text[hit.start : hit.end])
            signals = [
                Signal(name="score", weight=hit.score),
                Signal(name="recognizer", text=hit.recognizer),
            ]
            if hit.context_word:
                signals.append(Signal(name="context_word", text=hit.context_word))
            policy = rule.action if not hit.business else f"{rule.action}, organisational contact"
            ctx.add(
                rule,
                span=(hit.start, hit.end),
                excerpt=masked,
                message=rule.message.replace("{match}", masked),
                explanation=(
                    f"{hit.recognizer} matched {hit.entity} with score {hit.score}; policy: {policy}."
                ),
                signals=signals,
                severity=hit.severity,
            )
            ctx.scratch.setdefault("pii", []).append((hit, rule, masked))
        self._in_removed_chrome(ctx, outlets)

    def _in_removed_chrome(self, ctx: Context, outlets: frozenset[str]) -> None:
        """Personal data in text the chrome stage removed: recorded at ``info``, not published.

        The value never reaches the clean text, but a reviewer still learns the page carried
        it (a contact line in a pinned banner, an address in a footer); the finding points
        into the document text and, like every record, is masked.
        """
        doc = ctx.doc.text
        for edit in ctx.edits:
            if edit.kind != "remove":
                continue
            start, end = edit.original_span.start, edit.original_span.end
            removed = doc[start:end]
            if not removed.strip():
                continue
            for hit in self.analyze(removed, outlet_domains=outlets):
                rule = self.rules[hit.entity]
                masked = mask(hit.entity, removed[hit.start : hit.end])
                ctx.add(
                    rule,
                    original_span=Span(start=start + hit.start, end=start + hit.end),
                    excerpt=masked,
                    message=rule.message.replace("{match}", masked)
                    + f" (in page chrome removed by {edit.rule}; not published)",
                    explanation=(
                        f"{hit.recognizer} matched {hit.entity} with score {hit.score} in text"
                        f" the chrome stage removed ({edit.rule}); it is not in the clean text."
                    ),
                    signals=[
                        Signal(name="score", weight=hit.score),
                        Signal(name="recognizer", text=hit.recognizer),
                        Signal(name="removed by", text=edit.rule),
                    ],
                    severity="info",
                )


def with_ner_rules(rules: RuleSet) -> RuleSet:
    """``rules`` plus the shipped PERSON / LOCATION policy, unless the packs define their own."""
    from filters.rulepack import default_rules_dir, load_pack

    have = {r.entity for r in rules.of_kind("entity")}
    if NER_ENTITIES <= have:
        return rules
    extra = load_pack(default_rules_dir() / "optional" / "pii_ner.toml")
    if {getattr(r, "entity", "") for r in extra.data.rule} & have:
        return rules
    return RuleSet([*rules.packs, extra])
