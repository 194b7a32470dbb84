"""Language detection with langdetect, seeded so the same article always gets the same answer.

The document language picks the rule packs (advice, attribution, disclaimer wording).
langdetect is unreliable on very short text, so below ``MIN_LETTERS`` letters the
document is ``und`` unless the caller says otherwise. A writing-system pre-check settles
the obvious cases (Hangul, kana, Han, Cyrillic) before the statistical model runs.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from filters.context import Context
from filters.models import Span
from filters.rulepack import RuleSet

SEED = 0
MIN_LETTERS = 20
SAMPLE_CHARS = 2000

_lock = threading.Lock()
_factory: Any = None

_HANGUL = re.compile(r"[\uac00-\ud7af]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|\b[A-Z]{2,6}\.[A-Z]{2}\b|\$[A-Za-z]+")


def _detector_factory() -> Any:
    """Load langdetect's profiles once per process (they take ~100 ms)."""
    global _factory
    if _factory is None:
        with _lock:
            if _factory is None:
                from langdetect import DetectorFactory
                from langdetect.detector_factory import PROFILES_DIRECTORY

                factory = DetectorFactory()
                factory.load_profile(PROFILES_DIRECTORY)
                factory.seed = SEED
                _factory = factory
    return _factory


def normalise_code(code: str) -> str:
    """Langdetect's ``zh-cn``/``zh-tw`` are both ``zh`` for rule selection."""
    return code.split("-")[0].lower()


def detect(text: str) -> tuple[str, float | None]:
    """ISO 639-1 code and probability for ``text``, or ``("und", None)`` when unsure."""
    sample = _NOISE.sub(" ", text[: SAMPLE_CHARS * 2])[:SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    if letters < MIN_LETTERS:
        return "und", None
    hangul, kana, han = (
        len(_HANGUL.findall(sample)),
        len(_KANA.findall(sample)),
        len(_HAN.findall(sample)),
    )
    if hangul > letters * 0.3:
        return "ko", 1.0
    if kana > letters * 0.1:
        return "ja", 1.0
    if han > letters * 0.3:
        return "zh", 1.0
    from langdetect.lang_detect_exception import LangDetectException

    detector = _detector_factory().create()
    detector.append(sample)
    try:
        probs = detector.get_probabilities()
    except LangDetectException:
        return "und", None
    if not probs:
        return "und", None
    best = probs[0]
    if _CYRILLIC.search(sample) and normalise_code(best.lang) not in ("ru", "uk", "bg", "mk", "sr"):
        return "ru", None
    return normalise_code(best.lang), round(float(best.prob), 4)


def script_of(text: str) -> str:
    """The dominant writing system of a block: ``han``, ``kana``, ``hangul``, ``cyrillic`` or ``latin``."""
    letters = len(_LETTER.findall(text)) or 1
    for name, pattern, share in (
        ("hangul", _HANGUL, 0.3),
        ("kana", _KANA, 0.1),
        ("han", _HAN, 0.3),
        ("cyrillic", _CYRILLIC, 0.5),
    ):
        if len(pattern.findall(text)) > letters * share:
            return name
    return "latin"


_SCRIPT_OF_LANGUAGE = {
    "zh": "han",
    "ja": "kana",
    "ko": "hangul",
    "ru": "cyrillic",
    "uk": "cyrillic",
    "bg": "cyrillic",
}
_MIN_BLOCK_LETTERS = 30


def _weight(text: str) -> int:
    """Letters, with CJK characters counted twice (one carries about a word's worth)."""
    return len(_LETTER.findall(text)) + len(_CJK.findall(text))


class DetectLanguage:
    """Check-like stage: sets the document language and flags blocks in another script."""

    name = "detect_language"

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.supported = sorted({lang for r in rules.of_kind("advice") for lang in r.languages})

    def run(self, ctx: Context) -> None:
        """Detect the document language unless the caller gave one, then check the blocks."""
        if ctx.options.language:
            ctx.language = normalise_code(ctx.options.language)
            ctx.language_probability = None
        else:
            ctx.language, ctx.language_probability = detect(ctx.doc.text)
        if ctx.language != "und" and ctx.language not in self.supported:
            rule = self.rules.document_rule("language_unsupported")
            ctx.add(
                rule,
                message=f"Document language '{ctx.language}' is not covered by the advice packs ({', '.join(self.supported)}); review by a reader of the language",
            )
        self._mixed_blocks(ctx)

    def _mixed_blocks(self, ctx: Context) -> None:
        """Paragraphs written in another script than the document's (untranslated text)."""
        if ctx.language == "und":
            return
        expected = _SCRIPT_OF_LANGUAGE.get(ctx.language, "latin")
        rule = self.rules.document_rule("language_mixed")
        text = ctx.doc.text
        for m in _PARAGRAPH.finditer(text):
            block = m.group()
            if _weight(block) < _MIN_BLOCK_LETTERS:
                continue
            script = script_of(block)
            if script == expected or (expected == "kana" and script == "han"):
                continue
            ctx.add(
                rule,
                original_span=Span(start=m.start(), end=m.end()),
                excerpt=block[:120],
                message=f"Block in {script} script inside a '{ctx.language}' article",
            )
