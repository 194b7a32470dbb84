"""Personal data with presidio-analyzer, fully offline, tuned for financial news.

The engine runs presidio's pattern recognizers on a *blank* spaCy pipeline (tokeniser
only): no spaCy model is loaded or downloaded, and the e-mail recogniser validates domains
against tldextract's bundled public-suffix snapshot instead of fetching the live list.

Presidio only sees the text around candidates a cheap pre-scan finds (an ``@``, a long
digit run, a hex or base58 address, an IBAN-shaped token), so an article with no personal
data costs one regex pass. What is flagged, redacted or allowed, at which severity, comes
from the ``entity`` rules in ``rules/``. Findings carry masked excerpts only.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from filters.context import Context
from filters.models import Signal
from filters.rulepack import EntityRule, RuleSet

_WINDOW = 60
# Anything that could be one of the entities; everything else is skipped without presidio.
_CANDIDATE = re.compile(
    r"@|\d[\d\s().+-]{6,}\d|\b0x[0-9a-fA-F]{40}\b|\b(?:bc1|[13])[a-zA-Z0-9]{25,62}\b|"
    r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){10,30}\b|\b\d{1,3}(?:\.\d{1,3}){3}\b|[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{0,4}){4,7}"
)
_TICKER = re.compile(r"^\$?[A-Z]{1,6}(?:[./-][A-Z]{1,6})?$")

_engine_lock = threading.Lock()
_engines: dict[str, Any] = {}


@dataclass(frozen=True)
class PiiHit:
    """One personal-data match in the analysed text."""

    entity: str
    start: int
    end: int
    score: float
    recognizer: str
    context_word: str | None


def _offline_tldextract() -> Any:
    import tldextract

    # suffix_list_urls=() means "never fetch"; the snapshot bundled with tldextract is used.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def build_engine(ner_model: str | None = None) -> Any:
    """A presidio AnalyzerEngine with pattern recognizers on a blank spaCy pipeline.

    ``ner_model`` names an installed spaCy model (e.g. ``en_core_web_sm``); when given, its
    NER adds PERSON and LOCATION. It is never downloaded.
    """
    key = ner_model or ""
    with _engine_lock:
        if key in _engines:
            return _engines[key]
        engine = _build_engine(ner_model)
        _engines[key] = engine
        return engine


def _build_engine(ner_model: str | None) -> Any:
    import spacy
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        CryptoRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        UsSsnRecognizer,
    )

    extractor = _offline_tldextract()

    class OfflineEmailRecognizer(EmailRecognizer):
        """Presidio's e-mail recogniser validating domains without network."""

        def validate_result(self, pattern_text: str) -> bool:
            return bool(extractor(pattern_text).fqdn)

    class BlankSpacyNlpEngine(SpacyNlpEngine):
        """Tokeniser-only spaCy: no model to load, lemmas are lower-cased tokens."""

        def __init__(self, model: str | None) -> None:
            super().__init__(models=[{"lang_code": "en", "model_name": model or "blank"}])
            self._model = model

        def load(self) -> None:
            if self._model:
                if not spacy.util.is_package(self._model):
                    from filters.errors import PrepubError

                    raise PrepubError(
                        f"spaCy model {self._model!r} is not installed (prepub never downloads models)"
                    )
                self.nlp = {"en": spacy.load(self._model)}  # type: ignore[assignment]
            else:
                self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]

        def _doc_to_nlp_artifact(self, doc: Any, language: str) -> Any:
            artifacts = super()._doc_to_nlp_artifact(doc, language)
            if not self._model:
                artifacts.lemmas = [t.text.lower() for t in doc]
            return artifacts

    class EthereumRecognizer(PatternRecognizer):
        """Ethereum-style 0x addresses (40 hex digits)."""

        def __init__(self) -> None:
            super().__init__(
                supported_entity="CRYPTO",
                name="EthereumRecognizer",
                patterns=[Pattern("Ethereum address", r"\b0x[0-9a-fA-F]{40}\b", 0.6)],
                context=["wallet", "address", "eth", "ethereum", "send", "deposit"],
            )

    class ChinaResidentIdRecognizer(PatternRecognizer):
        """China resident identity numbers: 17 digits plus a mod-11 check character."""

        WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        CHECK = "10X98765432"

        def __init__(self) -> None:
            super().__init__(
                supported_entity="CN_RESIDENT_ID",
                name="ChinaResidentIdRecognizer",
                patterns=[
                    Pattern(
                        "CN resident ID",
                        r"(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?!\d)",
                        0.5,
                    )
                ],
                context=["身份证", "身份证号", "id", "identity"],
            )

        def validate_result(self, pattern_text: str) -> bool:
            total = sum(int(d) * w for d, w in zip(pattern_text[:17], self.WEIGHTS, strict=True))
            return self.CHECK[total % 11] == pattern_text[17].upper()

    class ChinaMobileRecognizer(PatternRecognizer):
        """Mainland China mobile numbers (11 digits starting 13-19), optionally +86."""

        def __init__(self) -> None:
            super().__init__(
                supported_entity="PHONE_NUMBER",
                name="ChinaMobileRecognizer",
                patterns=[
                    Pattern(
                        "CN mobile",
                        r"(?<![\d.])(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?![\d.])",
                        0.6,
                    )
                ],
                context=[
                    "手机",
                    "电话",
                    "联系",
                    "phone",
                    "mobile",
                    "call",
                    "whatsapp",
                    "wechat",
                    "微信",
                ],
            )

    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in (
        OfflineEmailRecognizer(),
        PhoneRecognizer(
            supported_regions=(
                "US",
                "GB",
                "CN",
                "HK",
                "SG",
                "DE",
                "FR",
                "IN",
                "AU",
                "JP",
                "KR",
                "CA",
            )
        ),
        CreditCardRecognizer(),
        IbanRecognizer(),
        IpRecognizer(),
        UsSsnRecognizer(),
        CryptoRecognizer(),
        EthereumRecognizer(),
        ChinaResidentIdRecognizer(),
        ChinaMobileRecognizer(),
    ):
        registry.add_recognizer(recognizer)
    nlp = BlankSpacyNlpEngine(ner_model)
    if ner_model:
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer

        registry.add_recognizer(SpacyRecognizer(supported_entities=["PERSON", "LOCATION"]))
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])


def candidate_windows(text: str) -> list[tuple[int, int]]:
    """Merged windows around pre-scan candidates; empty for most news articles."""
    windows: list[tuple[int, int]] = []
    for m in _CANDIDATE.finditer(text):
        s = max(0, m.start() - _WINDOW)
        e = min(len(text), m.end() + _WINDOW)
        while s > 0 and not text[s - 1].isspace():
            s -= 1
        while e < len(text) and not text[e].isspace():
            e += 1
        if windows and s <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], e))
        else:
            windows.append((s, e))
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
    if entity in (
        "CREDIT_CARD",
        "PHONE_NUMBER",
        "US_SSN",
        "CN_RESIDENT_ID",
        "IBAN_CODE",
        "US_BANK_NUMBER",
    ):
        tail = (digits or value)[-4:]
        prefix = value[:2] if entity == "IBAN_CODE" else ""
        return f"{prefix}***{tail}"
    if entity == "CRYPTO":
        return f"{value[:4]}…{value[-4:]}"
    if entity == "IP_ADDRESS":
        return f"***{value[-3:]}" if len(value) > 6 else "***"
    return f"{value[:1]}***" if value else "***"


class DetectPii:
    """Check stage: personal data found, masked, and judged by the entity policy."""

    name = "detect_pii"

    def __init__(self, rules: RuleSet, engine: Any | None = None) -> None:
        self.rules: dict[str, EntityRule] = {r.entity: r for r in rules.of_kind("entity")}
        self._engine = engine

    @property
    def engine(self) -> Any:
        """The presidio engine, built on first use and shared by the process."""
        if self._engine is None:
            self._engine = build_engine()
        return self._engine

    def analyze(self, text: str) -> list[PiiHit]:
        """Personal-data hits in ``text`` (offsets into ``text``), overlaps resolved."""
        hits: list[PiiHit] = []
        entities = [e for e, r in self.rules.items() if r.action != "allow"]
        if not entities:
            return hits
        for s, e in candidate_windows(text):
            window = text[s:e]
            results = self.engine.analyze(
                window, language="en", entities=entities, return_decision_process=True
            )
            for r in results:
                rule = self.rules.get(r.entity_type)
                if rule is None or r.score < rule.min_score:
                    continue
                value = window[r.start : r.end]
                if _TICKER.match(value) or any(a.lower() == value.lower() for a in rule.allow):
                    continue
                expl = r.analysis_explanation
                hits.append(
                    PiiHit(
                        r.entity_type,
                        s + r.start,
                        s + r.end,
                        round(float(r.score), 3),
                        getattr(expl, "recognizer", "") or "",
                        getattr(expl, "supportive_context_word", None) or None,
                    )
                )
        hits.sort(key=lambda h: (h.start, -h.score))
        kept: list[PiiHit] = []
        for h in hits:
            if kept and h.start < kept[-1].end:
                if h.score > kept[-1].score:
                    kept[-1] = h
                continue
            kept.append(h)
        return kept

    def run(self, ctx: Context) -> None:
        """Add one masked finding per personal-data hit in the stripped text."""
        text = ctx.text
        for hit in self.analyze(text):
            rule = self.rules[hit.entity]
            masked = mask(hit.entity, text[hit.start : hit.end])
            signals = [
                Signal(name="score", weight=hit.score),
                Signal(name="recognizer", text=hit.recognizer),
            ]
            if hit.context_word:
                signals.append(Signal(name="context_word", text=hit.context_word))
            ctx.add(
                rule,
                span=(hit.start, hit.end),
                excerpt=masked,
                message=rule.message.replace("{match}", masked),
                explanation=f"{hit.recognizer} matched {hit.entity} with score {hit.score}; policy: {rule.action}.",
                signals=signals,
            )
            ctx.scratch.setdefault("pii", []).append((hit, rule, masked))
