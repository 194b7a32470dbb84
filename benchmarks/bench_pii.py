"""Personal-data stage: quality on planted values, silence on real pages, speed against presidio.

Run by hand (not in CI), from the project root:

    .venv/bin/python benchmarks/bench_pii.py            # everything
    .venv/bin/python benchmarks/bench_pii.py quality [N] # planting (N per page and kind) + silence
    .venv/bin/python benchmarks/bench_pii.py speed      # PII stage vs presidio default analyze

Reads ``../shared/corpus/pages`` (development data, not part of the project).

* quality: every dev page is checked as it is (any PII finding on them is a false alarm:
  they contain no personal data), then, per page and per entity kind, generated valid values
  (``pii_values.py``) are planted in a sentence of the page's language at a random sentence
  boundary and the page is checked with ``filters.Pipeline().check``. A plant is *found*
  when a finding of that entity's rule covers the whole value; with ``fix=True`` redacting
  kinds must leave no trace of the value in the clean text.
* speed: the dev pages are joined and cut into 5,000-character articles. The PII stage
  (``pipeline.pii.analyze``) is timed on each, against presidio's own default call,
  ``AnalyzerEngine().analyze(text, language="en")`` with every predefined recognizer. That
  default loads ``en_core_web_lg``, which is not installed and which prepub must not download
  (``en_core_web_sm`` is not on PyPI either), so presidio's engine here gets a blank spaCy
  English pipeline: its NER finds nothing and costs nothing, which makes presidio *faster*
  than its real default; the comparison flatters presidio.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pii_values import GENERATORS, PHRASES  # noqa: E402

import filters  # noqa: E402

PAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "pages"
ARTICLE_CHARS = 5000
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=\S)|(?<=[。！？])|\n+")


def load_pages() -> list[tuple[str, str, str]]:
    """``(id, language, text)`` for every dev page."""
    labels = {}
    for line in (PAGES / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            labels[rec["id"]] = rec.get("lang", "en")
    return [
        (p.stem, labels.get(p.stem, "en"), p.read_text(encoding="utf-8"))
        for p in sorted((PAGES / "pages").glob("*.txt"))
    ]


def plant(text: str, sentence: str, rng: random.Random) -> tuple[str, int]:
    """``text`` with ``sentence`` inserted at a random sentence boundary; the sentence's offset."""
    cuts = [m.end() for m in _BOUNDARY.finditer(text)] or [len(text)]
    cut = rng.choice(cuts)
    cjk = bool(re.search(r"[\u4e00-\u9fff]", sentence))
    glue = "" if cjk or cut == 0 or text[cut - 1].isspace() else " "
    tail = "" if cjk or cut >= len(text) or text[cut].isspace() else " "
    return text[:cut] + glue + sentence + tail + text[cut:], cut + len(glue)


def quality(trials: int = 3) -> None:
    """Silence on the dev pages, then recall on planted values (``trials`` plants per page and kind)."""
    pipeline = filters.Pipeline()
    pages = load_pages()
    rule_of = {r.entity: r.id for r in pipeline.rules.of_kind("entity")}
    redacting = {r.entity for r in pipeline.rules.of_kind("entity") if r.action == "redact"}

    alarms: dict[str, int] = {}
    for pid, _lang, text in pages:
        for f in pipeline.check(text).findings:
            if f.category == "pii":
                alarms[f.severity] = alarms.get(f.severity, 0) + 1
                print(f"  false alarm on {pid}: {f.rule} {f.severity} {f.excerpt}")
    print(
        f"dev pages: {len(pages)} pages, PII findings: "
        f"{sum(alarms.values())} ({', '.join(f'{k} {v}' for k, v in sorted(alarms.items())) or 'none'})"
    )

    rng = random.Random(20250106)
    found: dict[str, list[int]] = {k: [0, 0] for k in GENERATORS}
    leaked = 0
    misses: list[str] = []
    for pid, lang, text in pages:
        lang_key = "zh" if lang.startswith("zh") else "en"
        for entity, generate in GENERATORS.items():
            for _ in range(trials):
                value = generate(rng)
                sentence = rng.choice(PHRASES[entity][lang_key]).replace("{v}", value)
                planted, at = plant(text, sentence, rng)
                vs = at + sentence.index(value)
                ve = vs + len(value)
                result = pipeline.check(planted, fix=entity in redacting)
                hit = any(
                    f.rule == rule_of[entity]
                    and f.original_span is not None
                    and f.original_span.start <= vs
                    and f.original_span.end >= ve
                    for f in result.findings
                )
                found[entity][1] += 1
                if hit:
                    found[entity][0] += 1
                else:
                    where = "removed as chrome" if value not in result.clean_text else "in text"
                    near = planted[max(0, vs - 12) : ve + 12]
                    misses.append(f"{pid} {entity} ({where}) {near!r}")
                if entity in redacting and value in result.clean_text:
                    leaked += 1
                    print(f"  not redacted: {pid} {entity} {sentence!r}")
    total_found = sum(v[0] for v in found.values())
    total = sum(v[1] for v in found.values())
    for entity, (hit, n) in found.items():
        print(f"  {entity:<15} {hit}/{n} = {hit / n:.1%}")
    print(f"planted: {total_found}/{total} found = {total_found / total:.2%}")
    print(f"redacting kinds left in clean text after fix=True: {leaked}")
    for miss in misses[:40]:
        print("  missed:", miss)


def articles() -> list[str]:
    """The dev pages joined and cut into 5,000-character articles (at whitespace)."""
    text = "\n\n".join(t for _, _, t in load_pages())
    out = []
    while len(text) >= ARTICLE_CHARS:
        cut = text.rfind(" ", 0, ARTICLE_CHARS)
        cut = cut if cut > ARTICLE_CHARS * 0.9 else ARTICLE_CHARS
        out.append(text[:cut])
        text = text[cut:]
    return out


def _time(fn, items: list[str], repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    per_item = []
    for item in items:
        fn(item)  # warm
        t0 = time.perf_counter()
        for _ in range(repeat):
            fn(item)
        per_item.append((time.perf_counter() - t0) / repeat * 1000)
    return per_item


def presidio_default_engine():  # type: ignore[no-untyped-def]
    """presidio's default registry (every predefined recognizer) on a blank spaCy pipeline."""
    import spacy
    import tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    # presidio's e-mail recogniser calls tldextract.extract, which would fetch the suffix list.
    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    tldextract.extract = offline

    class BlankEnglish(SpacyNlpEngine):
        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    nlp = BlankEnglish(models=[{"lang_code": "en", "model_name": "blank"}])
    nlp.load()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=nlp)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp)


def line(name: str, xs: list[float]) -> str:
    """One timing row."""
    return f"{name:<48} mean {statistics.mean(xs):7.3f} ms  median {statistics.median(xs):7.3f} ms  max {max(xs):7.3f} ms"


def speed(repeat: int = 20) -> None:
    """PII stage vs presidio default analyze, and the whole pipeline, per 5,000-char article."""
    items = articles()
    pipeline = filters.Pipeline()
    pipeline.pii.analyze("warm up +44 20 7946 0958")
    ours = _time(pipeline.pii.analyze, items, repeat)
    whole = _time(pipeline.check, items, max(1, repeat // 4))
    engine = presidio_default_engine()
    theirs = _time(lambda t: engine.analyze(t, language="en"), items, max(1, repeat // 10))
    n_rec = len(engine.registry.recognizers)

    from filters.detect_pii import candidate_windows

    prescan = _time(candidate_windows, items, repeat)
    windows = [len(candidate_windows(t)) for t in items]
    rng = random.Random(7)
    planted = []
    for text in items:  # the same articles with one value of every kind planted
        for entity, generate in GENERATORS.items():
            sentence = rng.choice(PHRASES[entity]["en"]).replace("{v}", generate(rng))
            text = plant(text, sentence, rng)[0]
        planted.append(text)
    with_pii = _time(pipeline.pii.analyze, planted, repeat)

    print(f"{len(items)} articles of {ARTICLE_CHARS} characters from the dev pages")
    print(f"presidio windows per article: {windows}")
    print(line("pre-scan alone (candidate_windows)", prescan))
    print(line("prepub PII stage (pipeline.pii.analyze)", ours))
    print(line(f"presidio default analyze ({n_rec} recognizers, blank)", theirs))
    print(line("prepub PII stage, 8 values planted per article", with_pii))
    print(line("prepub whole pipeline (pipeline.check)", whole))
    print(f"presidio / prepub PII stage: {statistics.mean(theirs) / statistics.mean(ours):.0f}x")


if __name__ == "__main__":
    if not PAGES.exists():
        sys.exit(f"{PAGES} not found: the development corpus is not part of the project")
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("quality", "all"):
        quality(int(sys.argv[2]) if len(sys.argv) > 2 else 3)
    if what in ("speed", "all"):
        speed()
