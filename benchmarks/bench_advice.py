"""Advice flagging, measured on the development corpus (run by hand, not in CI).

Quality, from ``../shared/corpus`` (relative to the project root):

* ``advice/dev.jsonl``: every labelled sentence goes through the product
  (``Pipeline.check(text, language=lang)``). A sentence counts as flagged when the result
  has an ``advice`` finding at ``warning`` or ``error``. Reports precision, recall and F1
  per language, recall per taxonomy category, and false positives per near-miss tag.
* ``pages/labels.jsonl``: the labelled advice sentences inside real pages (English and
  Chinese pages only). A labelled sentence is caught when a publisher-voice advice finding
  overlaps it in the clean text; every other publisher-voice advice finding, outside the
  labelled advice and borderline sentences, is counted as a false alarm.

Speed: the flag_advice stage alone, on 5,000-character articles built from the corpus
(English news bodies from ``html/ground-truth.json``, Chinese pages from ``pages/``), one
core, ``time.perf_counter`` around ``FlagAdvice.run`` on a context prepared by the stages
before it. Reports the median and 95th percentile in milliseconds.

    .venv/bin/python benchmarks/bench_advice.py [--errors] [--no-speed] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import filters  # noqa: E402
from filters.context import Context, Options  # noqa: E402
from filters.load import load_document  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
ARTICLE_CHARS = 5000


def flagged(result: filters.Result) -> list[filters.Finding]:
    """Advice findings that count: warning or error."""
    return [
        f for f in result.findings if f.category == "advice" and f.severity in ("warning", "error")
    ]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


# -- labelled sentences -----------------------------------------------------------------


def bench_sentences(pipeline: filters.Pipeline, path: Path, show_errors: bool) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    per_cat: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    fp_tags: dict[str, Counter[str]] = defaultdict(Counter)
    errors = []
    for row in rows:
        lang = row["lang"]
        result = pipeline.check(row["text"], language=lang)
        hits = flagged(result)
        gold = row["label"] == "advice"
        pred = bool(hits)
        key = {(True, True): "tp", (False, True): "fp", (True, False): "fn"}.get((gold, pred), "tn")
        counts[lang][key] += 1
        if gold:
            per_cat[(lang, row["category"])]["tp" if pred else "fn"] += 1
        elif pred:
            fp_tags[lang][row["why"].split(":")[0].removeprefix("near-miss ").strip()] += 1
        if gold != pred:
            got = ", ".join(f"{f.name}:{f.severity}" for f in hits) or "-"
            errors.append(
                f"  {key.upper()} {row['id']} [{row['category'] or row['why']}] got {got}\n      {row['text']}"
            )
    print(f"{path.name}: {len(rows)} sentences, Pipeline.check(text, language=lang)")
    print(
        f"  {'lang':4} {'n':>4} {'tp':>4} {'fp':>4} {'fn':>4} {'prec':>6} {'recall':>6} {'F1':>6}"
    )
    for lang in sorted(counts):
        c = counts[lang]
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        n = sum(c.values())
        print(f"  {lang:4} {n:4} {c['tp']:4} {c['fp']:4} {c['fn']:4} {p:6.3f} {r:6.3f} {f:6.3f}")
    print("  recall per category (advice items):")
    for (lang, cat), c in sorted(per_cat.items()):
        n = c["tp"] + c["fn"]
        print(f"    {lang} {cat:26} {c['tp']:3}/{n:<3} {c['tp'] / n:6.3f}")
    for lang, tags in sorted(fp_tags.items()):
        print(f"  false positives by near-miss tag ({lang}): {dict(tags)}")
    if show_errors and errors:
        print("  errors:")
        print("\n".join(errors))


# -- advice sentences inside real pages -------------------------------------------------


def _locate(text: str, sentence: str) -> tuple[int, int] | None:
    i = text.find(sentence)
    if i < 0:
        i = text.find(sentence.strip())
        sentence = sentence.strip()
    return (i, i + len(sentence)) if i >= 0 else None


def bench_pages(pipeline: filters.Pipeline, show_errors: bool) -> None:
    path = CORPUS / "pages" / "labels.jsonl"
    caught = total = false_alarms = pages = 0
    details = []
    for line in path.read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        lang = label["lang"].split("-")[0]
        if lang not in ("en", "zh"):
            continue
        pages += 1
        text = (CORPUS / "pages" / "pages" / f"{label['id']}.txt").read_text(encoding="utf-8")
        result = pipeline.check(text, content_type="text")
        hits = [f for f in flagged(result) if f.span is not None and f.speaker is None]
        clean = result.clean_text
        labelled = [_locate(clean, s) for s in label["advice_sentences"]]
        excused = [_locate(clean, s) for s in label["advice_borderline"]] + labelled
        for sentence, span in zip(label["advice_sentences"], labelled, strict=True):
            total += 1
            ok = span is not None and any(
                h.span.start < span[1] and span[0] < h.span.end for h in hits if h.span
            )
            caught += ok
            if not ok:
                details.append(f"  MISS {label['id']}: {sentence.strip()}")
        for h in hits:
            assert h.span is not None
            if not any(
                s is not None and h.span.start < s[1] and s[0] < h.span.end for s in excused
            ):
                false_alarms += 1
                details.append(
                    f"  FALSE ALARM {label['id']} {h.rule}: {clean[h.span.start : h.span.end][:160]!r}"
                )
    print(f"pages/labels.jsonl: {pages} English and Chinese pages, Pipeline.check(text)")
    print(f"  labelled advice sentences caught: {caught}/{total}")
    print(
        f"  publisher-voice advice findings outside labelled advice/borderline sentences: {false_alarms}"
    )
    if show_errors and details:
        print("\n".join(details))


def bench_news(pipeline: filters.Pipeline, show_errors: bool) -> None:
    """Publisher-voice advice findings in general news bodies (html/ground-truth.json).

    These articles are news, reviews and lifestyle pieces, not promotion of investments;
    a finding here is usually a false alarm (a shopping deal, a travel tip), so the count
    is a precision check on wording far from the labelled sets. Lower is better.
    """
    truth = json.loads((CORPUS / "html" / "ground-truth.json").read_text(encoding="utf-8"))
    found = []
    for key, value in sorted(truth.items()):
        result = pipeline.check(value["articleBody"], language="en", content_type="text")
        for f in flagged(result):
            if f.span is not None and f.speaker is None:
                found.append(f"  NEWS {key[:10]} {f.rule}: {(f.excerpt or '')[:160]!r}")
    print(f"html/ground-truth.json: {len(truth)} news bodies (en), Pipeline.check(text)")
    print(f"  publisher-voice advice findings in news bodies: {len(found)}")
    if show_errors and found:
        print("\n".join(found))


# -- speed ------------------------------------------------------------------------------


def articles() -> dict[str, list[str]]:
    """5,000-character articles: news bodies (en) and Chinese pages (zh), joined to length."""
    out: dict[str, list[str]] = {"en": [], "zh": []}
    truth = json.loads((CORPUS / "html" / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = [v["articleBody"] for _, v in sorted(truth.items())]
    labels = [json.loads(x) for x in (CORPUS / "pages" / "labels.jsonl").read_text().splitlines()]
    zh = [
        (CORPUS / "pages" / "pages" / f"{r['id']}.txt").read_text(encoding="utf-8")
        for r in labels
        if r["lang"].startswith("zh")
    ]
    for lang, texts in (("en", bodies), ("zh", zh)):
        for i in range(len(texts)):
            article = ""
            j = i
            while len(article) < ARTICLE_CHARS:
                article += texts[j % len(texts)] + "\n\n"
                j += 1
            out[lang].append(article[:ARTICLE_CHARS])
    return out


def bench_speed(pipeline: filters.Pipeline, repeat: int) -> None:
    stages = {s.name: s for s in pipeline.stages}
    advice = stages["flag_advice"]
    print(
        f"speed: flag_advice stage on {ARTICLE_CHARS:,}-character articles, one core;"
        f" per article the best of {repeat} runs, then the median and 95th percentile over articles"
    )
    for lang, texts in articles().items():
        wall: list[float] = []
        cpu: list[float] = []
        n_findings = 0
        for text in texts:
            ctx = Context(
                doc=load_document(text, "text"),
                rules=pipeline.rules,
                options=Options(language=lang),
            )
            for name in ("detect_language", "strip_chrome", "check_disclosures"):
                stages[name].run(ctx)
            if ctx._text is None:
                ctx.set_stripped()
            before = list(ctx.findings)
            runs_wall, runs_cpu = [], []
            for _ in range(repeat):
                ctx.findings = list(before)
                t0, c0 = time.perf_counter(), time.process_time()
                advice.run(ctx)
                runs_wall.append((time.perf_counter() - t0) * 1000)
                runs_cpu.append((time.process_time() - c0) * 1000)
            wall.append(min(runs_wall))
            cpu.append(min(runs_cpu))
            n_findings += len(ctx.findings) - len(before)
        wall.sort()
        cpu.sort()
        p95 = wall[max(0, int(len(wall) * 0.95) - 1)]
        print(
            f"  {lang}: {len(texts)} articles, median {statistics.median(wall):.3f} ms"
            f" (p95 {p95:.3f}, max {wall[-1]:.3f}; CPU time median {statistics.median(cpu):.3f} ms),"
            f" {n_findings} advice findings"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="list every misclassified item")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--no-quality", action="store_true")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per article")
    parser.add_argument(
        "--own",
        action="store_true",
        help="also score the sentences written for this project (tests/data/advice_sentences.jsonl)",
    )
    parser.add_argument(
        "--sets",
        nargs="*",
        default=[],
        metavar="JSONL",
        help="also score these labelled files (e.g. tests/data/advice_holdout_*.jsonl)",
    )
    parser.add_argument("--only-sets", action="store_true", help="score only --sets")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS} not found: the development corpus is not part of the project")
    pipeline = filters.Pipeline()
    for extra in args.sets:
        bench_sentences(pipeline, Path(extra), args.errors)
    if args.only_sets:
        return
    if not args.no_quality:
        bench_sentences(pipeline, CORPUS / "advice" / "dev.jsonl", args.errors)
        if args.own:
            bench_sentences(
                pipeline, ROOT / "tests" / "data" / "advice_sentences.jsonl", args.errors
            )
        bench_pages(pipeline, args.errors)
        bench_news(pipeline, args.errors)
    if not args.no_speed:
        bench_speed(pipeline, args.repeat)


if __name__ == "__main__":
    main()
