"""Language detection with langdetect, seeded so the same article always gets the same answer.

The document language picks the rule packs (advice, attribution, disclaimer wording).
langdetect is unreliable on very short text, so below ``MIN_LETTERS`` letters the
document is ``und`` unless the caller says otherwise. A writing-system pre-check settles
the obvious cases (Hangul, kana, Han, Cyrillic), and for Latin-script text a clear win of
one language's function words settles it too, before the (slower) statistical model runs.
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
_NOT_LETTER = re.compile(r"[\W\d_]+")
_NON_LATIN = re.compile(r"[\u0400-\u04ff\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
# Addresses, tickers and cashtags say nothing about the language. Each alternative starts
# with a character class so the regex engine can skip ahead; e-mail addresses (which can
# start with any character) go first and only when there is an ``@``, and start where
# their token does, keeping the scan linear on runs without spaces (Chinese, Japanese).
_EMAIL = re.compile(r"(?<!\S)\S+@\S+")
_NOISE = re.compile(r"https?://\S+|www\.\S+|[A-Z](?<!\w[A-Z])[A-Z]{1,5}\.[A-Z]{2}\b|\$[A-Za-z]+")


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
    """ISO 639-1 code and probability for ``text``, or ``("und", None)`` when unsure.

    The probability is langdetect's; languages settled without it (by writing system or
    function words) get 1.0 for a script of its own (CJK) and None otherwise.
    """
    sample = _sample(text)
    if _letters(sample[: MIN_LETTERS * 8]) < MIN_LETTERS and _letters(sample) < MIN_LETTERS:
        return "und", None
    if _NON_LATIN.search(sample):
        letters = _letters(sample)
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
        if _is_russian(sample, letters):
            return "ru", None
    else:
        # Function words settle most Latin-script articles in a fraction of langdetect's
        # time; unclear or unlisted languages still go to langdetect.
        clear = latin_language(sample, margin=_CLEAR_MARGIN, share=_CLEAR_SHARE)
        if clear is None:  # the opening is unclear (a headline, a dateline): read on
            clear = latin_language(
                sample, margin=_CLEAR_MARGIN, share=_WIDE_SHARE, limit=SAMPLE_CHARS
            )
        if clear is not None:
            return clear, None
    return _langdetect(sample)


def _sample(text: str) -> str:
    """The first ``SAMPLE_CHARS`` of the text once URLs, addresses and tickers are blanked.

    Noise is looked for in the first ``SAMPLE_CHARS * 2`` characters, but first in a
    shorter stretch ending at a space: nothing the noise patterns match spans a space, so
    when that stretch yields enough text, the rest would not change it.
    """
    cut = text.find(" ", SAMPLE_CHARS + SAMPLE_CHARS // 10, SAMPLE_CHARS * 2)
    if cut > 0:
        head = _without_noise(text[:cut])
        if len(head) >= SAMPLE_CHARS:
            return head[:SAMPLE_CHARS]
    return _without_noise(text[: SAMPLE_CHARS * 2])[:SAMPLE_CHARS]


def _without_noise(text: str) -> str:
    """``text`` with URLs, e-mail addresses, tickers and cashtags blanked out."""
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    return _NOISE.sub(" ", text)


def _langdetect(sample: str) -> tuple[str, float | None]:
    """The statistical model, for what the cheap checks leave open (~5-10 ms a sample)."""
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


# Letters of the other Cyrillic alphabets (Ukrainian, Belarusian, Serbian, Macedonian,
# Kazakh, ...): any of them leaves the choice to langdetect.
_NON_RUSSIAN_CYRILLIC = re.compile(r"[\u0400\u0402-\u040f\u0450\u0452-\u04ff]")
_RUSSIAN_ONLY = re.compile(r"[ыэЫЭ]")  # not in Bulgarian, Ukrainian, Serbian, Macedonian


def _is_russian(sample: str, letters: int) -> bool:
    """Mostly Cyrillic, only Russian letters, and Russian's own ы/э at their usual rate.

    ы and э make about 2% of Russian letters and do not exist in the other Cyrillic
    languages langdetect knows, so this settles Russian without the statistical model.
    """
    cyrillic = len(_CYRILLIC.findall(sample))
    if cyrillic <= letters * 0.5 or _NON_RUSSIAN_CYRILLIC.search(sample):
        return False
    return len(_RUSSIAN_ONLY.findall(sample)) >= cyrillic * 0.01


def script_of(text: str) -> str:
    """The dominant writing system of a block: ``han``, ``kana``, ``hangul``, ``cyrillic`` or ``latin``."""
    if not _NON_LATIN.search(text):
        return "latin"  # the common case, settled in one scan
    return _script_and_cjk(text, _letters(text))[0]


_SCRIPTS = (
    ("hangul", _HANGUL, 0.3),
    ("kana", _KANA, 0.1),
    ("han", _HAN, 0.3),
    ("cyrillic", _CYRILLIC, 0.5),
)


def _script_and_cjk(text: str, letters: int) -> tuple[str, int]:
    """:func:`script_of` for a text with non-Latin letters, and its count of CJK characters.

    A script is counted only where one search finds it at all.
    """
    script = ""
    cjk = 0
    for name, pattern, share in _SCRIPTS:
        if name == "cyrillic" and script:
            break  # the CJK characters are counted; the script is settled
        count = len(pattern.findall(text)) if pattern.search(text) else 0
        if not script and count > (letters or 1) * share:
            script = name
        if name != "cyrillic":
            cjk += count
    return script or "latin", cjk


_SCRIPT_OF_LANGUAGE = {
    "zh": "han",
    "ja": "kana",
    "ko": "hangul",
    "ru": "cyrillic",
    "uk": "cyrillic",
    "bg": "cyrillic",
}
_MIN_BLOCK_LETTERS = 30
_MIN_LINE_LETTERS = 10  # shorter lines (numbers, names, labels) join the block around them
_PARAGRAPH_LETTERS = 60  # a line this long is a paragraph, a block of its own
_MIN_STOPWORD_TOKENS = 20
_STOPWORD_SAMPLE = 400
_CLEAR_SHARE = 0.2  # a document's language from function words alone needs a clear win
_WIDE_SHARE = 0.15  # the same over the whole sample (hundreds of tokens)
_CLEAR_MARGIN = 3.0  # characters of a block enough to tell its language by function words
# The commonest function words of the Latin-script languages republished news comes in:
# enough to tell an untranslated paragraph from the article's own language, cheaply.
_STOPWORDS = {
    "en": "the of and to in is that for on with as was by it are from at be this have has an which said will",
    "es": "el la de que y en los las del se por un una con para es al como más su lo pero sus ha",
    "pt": "o a de que e do da em os as um uma para com não no na por mais dos das se ao",
    "fr": "le la les de des et en un une du est que qui dans pour sur au par pas plus ce sont avec",
    "de": "der die das und in den von zu mit ist im dem nicht ein eine auf für sich des auch als",
    "it": "il la di che e in un una per del della non è con sono le dei gli da al nel",
    "nl": "de het een en van in is op te dat die voor met zijn niet aan ook als er",
    "tr": "ve bir bu da de için ile olarak daha çok gibi kadar ancak olan sonra göre ise ama",
    "vi": "và của là có các được cho trong với không này những một người đã khi về từ để",
    "id": "dan yang di ini itu dengan untuk dari dalam tidak akan pada juga ke karena ada",
}
_STOPWORD_LANG: dict[str, tuple[str, ...]] = {}
for _lang, _words in _STOPWORDS.items():
    for _w in _words.split():
        _STOPWORD_LANG[_w] = (*_STOPWORD_LANG.get(_w, ()), _lang)
_TOKEN = re.compile(r"[^\W\d_]+")


def _letters(text: str) -> int:
    """How many letters ``text`` holds; ASCII text is counted through a byte table."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_NON_LETTERS))
    return len(_NOT_LETTER.sub("", text))


_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_ASCII_TOKEN = re.compile(r"[a-z]+")  # _TOKEN on lower-case ASCII text


def _weight(text: str) -> int:
    """Letters, with CJK characters counted twice (one carries about a word's worth)."""
    cjk = len(_CJK.findall(text)) if _NON_LATIN.search(text) else 0
    return _letters(text) + cjk


def _weighs(text: str, n: int) -> bool:
    """``_weight(text) >= n``, deciding long texts from their beginning."""
    if len(text) < n // 2:
        return False
    return _weight(text[: 3 * n]) >= n or len(text) > 3 * n and _weight(text) >= n


def latin_language(
    text: str, *, margin: float = 2.0, share: float = 0.15, limit: int = _STOPWORD_SAMPLE
) -> str | None:
    """The Latin-script language whose function words dominate ``text``, or None if unclear.

    The winner needs ``share`` of the tokens and ``margin`` times the runner-up's count;
    only the first ``limit`` characters are read.
    """
    sample = text[:limit].lower()
    tokens = (_ASCII_TOKEN if sample.isascii() else _TOKEN).findall(sample)
    if len(tokens) < _MIN_STOPWORD_TOKENS:
        return None
    counts: dict[str, int] = {}
    for langs in filter(None, map(_STOPWORD_LANG.get, tokens)):  # the loop sees hits only
        for lang in langs:
            counts[lang] = counts.get(lang, 0) + 1
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    best, hits = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if hits >= share * len(tokens) and hits >= margin * runner_up:
        return best
    return None


def text_blocks(text: str) -> list[tuple[int, int, str]]:
    """Blocks of a plain text: ``(start, end, script)``.

    A line long enough to be a paragraph is a block of its own (scraped pages often hold
    one paragraph per line, with no blank lines); consecutive short lines in one writing
    system (a hard-wrapped paragraph, a number under a heading) form one block. Lines too
    short to have a script join the block before them.
    """
    return [(start, end, script) for start, end, script, _ in _weighed_text_blocks(text)]


def _weighed_text_blocks(text: str) -> list[tuple[int, int, str, int]]:
    """:func:`text_blocks` with each block's weight (exact below ``_PARAGRAPH_LETTERS``).

    Each line is weighed once, and a block of short lines weighs what its lines do, so no
    text is scanned twice; a text with no letter outside the Latin script skips the
    script checks altogether.
    """
    latin_only = not _NON_LATIN.search(text)
    blocks: list[tuple[int, int, str, int]] = []
    short_run = False  # whether the last block is made of short lines and may grow
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        if not raw.strip():
            short_run = False
            continue
        if latin_only or not _NON_LATIN.search(raw):
            weight = _line_weight(raw)
            line_script = "latin"
        else:  # the whole line is read for its script anyway: weigh it all
            letters = _letters(raw)
            line_script, cjk = _script_and_cjk(raw, letters)
            weight = letters + cjk
        script = line_script if weight >= _MIN_LINE_LETTERS else ""
        short = weight < _PARAGRAPH_LETTERS
        if blocks and short_run and short and (not script or blocks[-1][2] in ("", script)):
            first, _, block_script, block_weight = blocks[-1]
            blocks[-1] = (first, end, block_script or script, block_weight + weight)
        else:
            blocks.append((start, end, script, weight))
            short_run = short
    return blocks


def _line_weight(line: str) -> int:
    """The letters of a Latin-script line, exact up to ``_PARAGRAPH_LETTERS``."""
    head = line[: 3 * _PARAGRAPH_LETTERS]
    weight = _letters(head)
    if weight < _PARAGRAPH_LETTERS and len(line) > len(head):
        weight = _letters(line)
    return weight


class DetectLanguage:
    """Check-like stage: sets the document language and flags blocks in another script."""

    name = "detect_language"

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.supported = sorted({lang for r in rules.of_kind("advice") for lang in r.languages})

    def warm_up(self) -> None:
        """Load langdetect's profiles now ahead of the first article that needs them (~0.3 s)."""
        _detector_factory()

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
        """Blocks written in another language than the document's (untranslated text).

        A block is an HTML block, or for text a run of lines in one writing system. It is
        flagged when its script differs from the language's, or, for Latin-script text,
        when another language's function words dominate it. Blocks the chrome stage
        removes later drop their findings there (chrome is not a mixed-language problem).
        """
        if ctx.language == "und":
            return
        expected = _SCRIPT_OF_LANGUAGE.get(ctx.language, "latin")
        rule = self.rules.document_rule("language_mixed")
        text = ctx.doc.text
        checks_words = expected == "latin" and ctx.language in _STOPWORDS
        if ctx.doc.blocks:
            blocks = [
                (b.start, b.end, script_of(text[b.start : b.end]), _MIN_BLOCK_LETTERS)
                for b in ctx.doc.blocks
                if _weighs(text[b.start : b.end], _MIN_BLOCK_LETTERS)
            ]
        else:
            blocks = _weighed_text_blocks(text)
        for start, end, script, weight in blocks:
            if weight < _MIN_BLOCK_LETTERS:
                continue
            block = text[start:end]
            other = None
            if script and script != expected and not (expected == "kana" and script == "han"):
                other = f"{script} script"
            elif checks_words and script == "latin":
                lang = latin_language(block)
                if lang is not None and lang != ctx.language:
                    other = f"'{lang}'"
            ctx.block_languages.append((start, end, other or ctx.language))
            if other is None:
                continue
            ctx.add(
                rule,
                original_span=Span(start=start, end=end),
                excerpt=block[:120],
                message=f"Block in {other} inside a '{ctx.language}' article",
            )
